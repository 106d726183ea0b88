/**
 * From decoded samples to an 8-bit image for display and encoding: Bits Stored masking and sign,
 * Modality LUT (Rescale Slope / Intercept), VOI (Window Center / Width from the tags, else the
 * frame's min..max), MONOCHROME1 inversion, PALETTE COLOR, RGB and YBR_FULL.
 */
import type { DecodedImage } from '../image.ts';
import { DecodeError } from '../decode/errors.ts';
import type { PaletteChannel } from './palette.ts';
import type { PixelAttributes } from './parse.ts';
import type { FrameSamples } from './pixels.ts';

export interface AppliedWindow {
  center: number;
  width: number;
  source: 'tags' | 'min-max';
}

/** Stored values of sample `channel` as numbers (masked to their bit width, sign applied). */
function storedValues(frame: FrameSamples, pixelCount: number, channel: number): Int32Array {
  const { data, samplesPerPixel, planar, sampleBits, signed } = frame;
  const bits = Math.min(Math.max(sampleBits, 1), 32);
  const mask = bits >= 32 ? 0xffffffff : 2 ** bits - 1;
  const signBit = 2 ** (bits - 1);
  const out = new Int32Array(pixelCount);
  for (let p = 0; p < pixelCount; p++) {
    const index = planar ? channel * pixelCount + p : p * samplesPerPixel + channel;
    let value = bits >= 32 ? data[index] : data[index] & mask;
    if (signed && value >= signBit) value -= 2 * signBit;
    out[p] = value;
  }
  return out;
}

function greyImage(frame: FrameSamples, attributes: PixelAttributes, pixelCount: number): { image: DecodedImage; window: AppliedWindow } {
  const stored = storedValues(frame, pixelCount, 0);
  const slope = attributes.rescaleSlope;
  const intercept = attributes.rescaleIntercept;
  let window: AppliedWindow;
  if (attributes.windowCenter !== undefined && attributes.windowWidth !== undefined && attributes.windowWidth > 0) {
    window = { center: attributes.windowCenter, width: attributes.windowWidth, source: 'tags' };
  } else {
    let min = Infinity;
    let max = -Infinity;
    for (let p = 0; p < pixelCount; p++) {
      const v = stored[p] * slope + intercept;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    // DICOM's linear VOI maps [c - 0.5 - (w-1)/2, c - 0.5 + (w-1)/2] onto the output range.
    const width = Math.max(max - min + 1, 1);
    window = { center: min + (width - 1) / 2 + 0.5, width, source: 'min-max' };
  }
  const low = window.center - 0.5 - (window.width - 1) / 2;
  const span = Math.max(window.width - 1, 1e-6);
  const invert = attributes.photometric === 'MONOCHROME1';
  const data = new Uint8Array(pixelCount);
  for (let p = 0; p < pixelCount; p++) {
    const v = stored[p] * slope + intercept;
    let level = Math.round(((v - low) / span) * 255);
    level = level < 0 ? 0 : level > 255 ? 255 : level;
    data[p] = invert ? 255 - level : level;
  }
  return { image: { width: attributes.columns, height: attributes.rows, channels: 1, bitDepth: 8, data }, window };
}

function paletteImage(frame: FrameSamples, attributes: PixelAttributes, palette: readonly PaletteChannel[], pixelCount: number): DecodedImage {
  const stored = storedValues(frame, pixelCount, 0);
  const data = new Uint8Array(pixelCount * 3);
  palette.forEach((channel, c) => {
    const last = channel.lut.length - 1;
    let shift = channel.bits > 8 ? 8 : 0;
    // Some writers declare 16-bit entries but store 8-bit values; show those as they are.
    if (shift && channel.lut.every((v) => v < 256)) shift = 0;
    for (let p = 0; p < pixelCount; p++) {
      let index = stored[p] - channel.firstMapped;
      index = index < 0 ? 0 : index > last ? last : index;
      data[p * 3 + c] = channel.lut[index] >> shift;
    }
  });
  return { width: attributes.columns, height: attributes.rows, channels: 3, bitDepth: 8, data };
}

function colourImage(frame: FrameSamples, attributes: PixelAttributes, pixelCount: number): DecodedImage {
  const channels = [0, 1, 2].map((c) => storedValues(frame, pixelCount, c));
  const shift = Math.max(0, frame.sampleBits - 8);
  const data = new Uint8Array(pixelCount * 3);
  const isYbr = frame.photometric === 'YBR_FULL' || frame.photometric === 'YBR_FULL_422';
  for (let p = 0; p < pixelCount; p++) {
    let a = channels[0][p] >> shift;
    let b = channels[1][p] >> shift;
    let c = channels[2][p] >> shift;
    if (isYbr) {
      const [y, cb, cr] = [a, b, c];
      a = y + 1.402 * (cr - 128);
      b = y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128);
      c = y + 1.772 * (cb - 128);
    }
    data[p * 3] = a < 0 ? 0 : a > 255 ? 255 : Math.round(a);
    data[p * 3 + 1] = b < 0 ? 0 : b > 255 ? 255 : Math.round(b);
    data[p * 3 + 2] = c < 0 ? 0 : c > 255 ? 255 : Math.round(c);
  }
  return { width: attributes.columns, height: attributes.rows, channels: 3, bitDepth: 8, data };
}

export function toDisplayImage(
  frame: FrameSamples,
  attributes: PixelAttributes,
  palette: readonly PaletteChannel[] | undefined,
): { image: DecodedImage; window?: AppliedWindow } {
  const pixelCount = attributes.rows * attributes.columns;
  if (frame.data.length < pixelCount * frame.samplesPerPixel) {
    throw new DecodeError('dicom-corrupt', 'The decoded pixel data of this DICOM file is smaller than its header says; the file is damaged.');
  }
  if (frame.samplesPerPixel === 1 && frame.photometric === 'PALETTE COLOR') {
    if (!palette) throw new DecodeError('dicom-corrupt', 'This PALETTE COLOR DICOM file has no palette; the file is damaged.');
    return { image: paletteImage(frame, attributes, palette, pixelCount) };
  }
  if (frame.samplesPerPixel === 1) return greyImage(frame, attributes, pixelCount);
  if (frame.samplesPerPixel === 3) return { image: colourImage(frame, attributes, pixelCount) };
  throw new DecodeError('unsupported', `This DICOM file has ${frame.samplesPerPixel} samples per pixel, which is not supported.`);
}
