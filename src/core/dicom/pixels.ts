/**
 * Pixel data of one frame, decoded from whatever the transfer syntax holds into raw samples:
 * integer sample containers (unsigned bit patterns, little-endian, interleaved unless `planar`)
 * that the display step masks to Bits Stored, sign-extends, rescales and windows.
 */
import type { DataSet, Element } from 'dicom-parser';
import { Decoder as JpegLosslessDecoder } from 'jpeg-lossless-decoder-js';
import { DecodeError, describeThrown, withDecodeErrors } from '../decode/errors.ts';
import { decodeWithLibjpegTurbo, readJpegHeader } from '../decode/jpeg.ts';
import type { PixelAttributes } from './parse.ts';
import { dicomParser, TAG } from './parse.ts';
import { decodeRleFrame } from './rle.ts';
import type { PixelEncoding } from './transfer-syntax.ts';
import { loadCharls, loadOpenJpeg, runWasmDecoder } from '../decode/wasm-codecs.ts';

export interface FrameSamples {
  /** Unsigned containers of `sampleBits`-wide bit patterns (sign is applied later). */
  data: Uint8Array | Uint16Array | Uint32Array;
  samplesPerPixel: number;
  /** True when samples are stored plane by plane (RRR…GGG…BBB). */
  planar: boolean;
  /** The photometric interpretation of `data` (codecs turn YBR into RGB). */
  photometric: string;
  /** Width of the meaningful bits; `signed` says whether the top one is a sign bit. */
  sampleBits: number;
  signed: boolean;
}

function pixelElement(dataSet: DataSet): Element {
  if (dataSet.elements[TAG.floatPixelData] || dataSet.elements[TAG.doubleFloatPixelData]) {
    throw new DecodeError('unsupported', 'This DICOM file stores floating-point pixels (parametric map), which are not supported.');
  }
  const element = dataSet.elements[TAG.pixelData];
  if (!element) {
    throw new DecodeError(
      'dicom-no-pixels',
      'This DICOM file contains no image (no Pixel Data element); it may be a report, a structured document or a presentation state.',
    );
  }
  return element;
}

function asContainer(bytes: Uint8Array, bitsAllocated: number): Uint8Array | Uint16Array | Uint32Array {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  if (bitsAllocated <= 8) return aligned;
  if (bitsAllocated <= 16) return new Uint16Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.byteLength / 2));
  return new Uint32Array(aligned.buffer, aligned.byteOffset, Math.floor(aligned.byteLength / 4));
}

function nativeFrame(dataSet: DataSet, element: Element, attributes: PixelAttributes, frameIndex: number, bigEndian: boolean): FrameSamples {
  const { rows, columns, samplesPerPixel, bitsAllocated } = attributes;
  if (![1, 8, 16, 32].includes(bitsAllocated)) {
    throw new DecodeError('dicom-corrupt', `This DICOM file declares ${bitsAllocated} bits allocated per sample, which is invalid; the file is damaged.`);
  }
  const is422 = attributes.photometric === 'YBR_FULL_422' && samplesPerPixel === 3;
  const pixelCount = rows * columns;
  const frameBits = is422 ? pixelCount * 2 * bitsAllocated : pixelCount * samplesPerPixel * bitsAllocated;
  const frameBytes = Math.ceil(frameBits / 8);
  const start = element.dataOffset + Math.floor((frameIndex * frameBits) / 8);
  const available = Math.min(element.length, dataSet.byteArray.length - element.dataOffset);
  if (element.dataOffset + available < start + frameBytes || element.length < Math.floor((frameIndex * frameBits) / 8) + frameBytes) {
    throw new DecodeError(
      'dicom-corrupt',
      `This DICOM file's pixel data is shorter than its ${rows} x ${columns} x ${attributes.frames} frame size; the file is cut short or damaged.`,
    );
  }
  const raw = (dataSet.byteArray as Uint8Array).slice(start, start + frameBytes);
  if (bitsAllocated === 1) {
    const bits = new Uint8Array(pixelCount);
    const bitOffset = (frameIndex * frameBits) % 8;
    for (let p = 0; p < pixelCount; p++) bits[p] = (raw[(p + bitOffset) >> 3] >> ((p + bitOffset) & 7)) & 1;
    return { data: bits, samplesPerPixel: 1, planar: false, photometric: attributes.photometric, sampleBits: 1, signed: false };
  }
  if (bigEndian && bitsAllocated > 8) {
    const width = bitsAllocated / 8;
    for (let i = 0; i + width <= raw.length; i += width) raw.subarray(i, i + width).reverse();
  }
  if (is422) {
    return { data: expand422(raw, pixelCount), samplesPerPixel: 3, planar: false, photometric: 'YBR_FULL', sampleBits: 8, signed: false };
  }
  return {
    data: asContainer(raw, bitsAllocated),
    samplesPerPixel,
    planar: samplesPerPixel > 1 && attributes.planarConfiguration === 1,
    photometric: attributes.photometric,
    sampleBits: attributes.bitsStored,
    signed: attributes.pixelRepresentation === 1,
  };
}

/** YBR_FULL_422 stores Y1 Y2 Cb Cr per pixel pair; spread it to Y Cb Cr per pixel. */
function expand422(raw: Uint8Array, pixelCount: number): Uint8Array {
  const out = new Uint8Array(pixelCount * 3);
  for (let pair = 0; pair * 2 < pixelCount; pair++) {
    const at = pair * 4;
    for (let k = 0; k < 2 && pair * 2 + k < pixelCount; k++) {
      const target = (pair * 2 + k) * 3;
      out[target] = raw[at + k];
      out[target + 1] = raw[at + 2];
      out[target + 2] = raw[at + 3];
    }
  }
  return out;
}

/** The compressed bytes of one frame, whatever the fragment / offset table layout. */
export function encapsulatedFrame(dataSet: DataSet, element: Element, frameIndex: number, frames: number, jpegFamily: boolean): Uint8Array {
  const fragments = element.fragments ?? [];
  if (fragments.length === 0) throw new DecodeError('dicom-no-pixels', 'This DICOM file has compressed pixel data with no fragments; the file is damaged.');
  const table = element.basicOffsetTable ?? [];
  if (frames === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length) as Uint8Array;
  if (table.length === frames) return dicomParser.readEncapsulatedImageFrame(dataSet, element, frameIndex) as Uint8Array;
  if (fragments.length === frames) return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, frameIndex, 1) as Uint8Array;
  if (jpegFamily) {
    const offsets = dicomParser.createJPEGBasicOffsetTable(dataSet, element);
    return dicomParser.readEncapsulatedImageFrame(dataSet, element, frameIndex, offsets) as Uint8Array;
  }
  throw new DecodeError('dicom-corrupt', 'The frames of this compressed multi-frame DICOM file cannot be located (no offset table); the file cannot be shown.');
}

function checkCodecSize(rows: number, columns: number, width: number, height: number): void {
  if (width !== columns || height !== rows) {
    throw new DecodeError(
      'dicom-corrupt',
      `The compressed image is ${width} x ${height} pixels but the DICOM header says ${columns} x ${rows}; the file is damaged.`,
    );
  }
}

async function decodeCompressed(encoding: PixelEncoding, encoded: Uint8Array, attributes: PixelAttributes, syntaxLabel: string): Promise<FrameSamples> {
  const { rows, columns } = attributes;
  const explain = (detail: string) => `The ${syntaxLabel} pixel data of this DICOM file could not be decoded (${detail}); the file may be damaged.`;
  const signed = attributes.pixelRepresentation === 1;
  switch (encoding) {
    case 'rle': {
      const bytes = decodeRleFrame(encoded, attributes);
      return { data: asContainer(bytes, attributes.bitsAllocated), samplesPerPixel: attributes.samplesPerPixel, planar: false, photometric: attributes.photometric, sampleBits: attributes.bitsStored, signed };
    }
    case 'jpeg-baseline':
    case 'jpeg-extended': {
      const header = readJpegHeader(encoded);
      if (header.precision > 8) {
        throw new DecodeError(
          'dicom-unsupported-transfer-syntax',
          `This DICOM file uses ${syntaxLabel} with ${header.precision}-bit samples, which this app cannot decode yet; convert it to an uncompressed or JPEG 2000 transfer syntax (e.g. with dcmdjpeg).`,
        );
      }
      if (header.components !== 1 && header.components !== 3) throw new DecodeError('dicom-corrupt', explain(`${header.components} colour components`));
      // The same libjpeg-turbo decoding as JPEG files (Pillow's library and settings).
      const decoded = await decodeWithLibjpegTurbo(encoded, header).catch((thrown: unknown) => {
        throw new DecodeError('dicom-corrupt', explain(thrown instanceof DecodeError ? thrown.code : describeThrown(thrown)));
      });
      checkCodecSize(rows, columns, decoded.width, decoded.height);
      if (header.components === 1) {
        return { data: decoded.data as Uint8Array, samplesPerPixel: 1, planar: false, photometric: attributes.photometric, sampleBits: 8, signed: false };
      }
      return { data: decoded.data as Uint8Array, samplesPerPixel: 3, planar: false, photometric: 'RGB', sampleBits: 8, signed: false };
    }
    case 'jpeg-lossless': {
      const header = readJpegHeader(encoded);
      checkCodecSize(rows, columns, header.width, header.height);
      const bytesPerSample = header.precision > 8 ? 2 : 1;
      const decoded = await withDecodeErrors('dicom-corrupt', explain, () => {
        const copy = encoded.slice();
        return new JpegLosslessDecoder().decode(copy.buffer, 0, copy.length, bytesPerSample);
      });
      if (decoded.length < rows * columns * header.components) throw new DecodeError('dicom-corrupt', explain('too few samples'));
      const photometric = header.components === 3 && attributes.photometric.startsWith('YBR') ? 'RGB' : attributes.photometric;
      return { data: decoded, samplesPerPixel: header.components, planar: false, photometric, sampleBits: header.precision, signed };
    }
    case 'jpeg-ls':
    case 'jpeg-2000': {
      const codec = encoding === 'jpeg-ls' ? await loadCharls() : await loadOpenJpeg();
      const decoder = 'JpegLSDecoder' in codec ? new codec.JpegLSDecoder() : new codec.J2KDecoder();
      const { info, pixels } = await withDecodeErrors('dicom-corrupt', explain, () => runWasmDecoder(decoder, encoded));
      checkCodecSize(rows, columns, info.width, info.height);
      const bits = info.bitsPerSample > 0 ? info.bitsPerSample : attributes.bitsStored;
      const container = asContainer(pixels, bits > 8 ? 16 : 8);
      if (container.length < rows * columns * info.componentCount) throw new DecodeError('dicom-corrupt', explain('too few samples'));
      // OpenJPEG undoes the colour transform (YBR_RCT / YBR_ICT), so colour output is RGB.
      const photometric = info.componentCount === 3 && attributes.photometric.startsWith('YBR') ? 'RGB' : attributes.photometric;
      return {
        data: container,
        samplesPerPixel: info.componentCount,
        planar: false,
        photometric,
        sampleBits: Math.min(bits, 16),
        signed: info.isSigned ?? signed,
      };
    }
    default:
      throw new DecodeError('dicom-unsupported-transfer-syntax', explain('no decoder'));
  }
}

export async function decodeFrame(
  dataSet: DataSet,
  attributes: PixelAttributes,
  frameIndex: number,
  encoding: PixelEncoding,
  syntaxLabel: string,
): Promise<FrameSamples> {
  const element = pixelElement(dataSet);
  if (encoding === 'native-little' || encoding === 'native-big' || encoding === 'deflated') {
    if (element.encapsulatedPixelData) {
      throw new DecodeError('dicom-corrupt', `This DICOM file says ${syntaxLabel} but holds compressed pixel data; the file is damaged.`);
    }
    return nativeFrame(dataSet, element, attributes, frameIndex, encoding === 'native-big');
  }
  if (!element.encapsulatedPixelData) {
    throw new DecodeError('dicom-corrupt', `This DICOM file says ${syntaxLabel} but its pixel data is not compressed; the file is damaged.`);
  }
  const jpegFamily = encoding.startsWith('jpeg');
  let encoded: Uint8Array;
  try {
    encoded = encapsulatedFrame(dataSet, element, frameIndex, attributes.frames, jpegFamily);
  } catch (thrown) {
    if (thrown instanceof DecodeError) throw thrown;
    throw new DecodeError('dicom-corrupt', `The compressed frames of this DICOM file cannot be read (${describeThrown(thrown)}); the file is damaged.`);
  }
  return decodeCompressed(encoding, encoded, attributes, syntaxLabel);
}
