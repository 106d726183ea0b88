/**
 * JPEG decoding with jpeg-js (pure JS: baseline, extended 8-bit, progressive; grey, YCbCr, and
 * Adobe CMYK/YCCK converted to RGB). The frame header is read first so the pixel limit and the
 * unsupported processes (lossless, arithmetic, 12-bit) are refused before decoding.
 */
import { decode as decodeJpegJs } from 'jpeg-js';
import type { DecodedImage } from '../image.ts';
import { DecodeError, withDecodeErrors } from './errors.ts';
import { checkPixelLimit } from './limits.ts';

export interface JpegFrameHeader {
  width: number;
  height: number;
  precision: number;
  components: number;
  /** SOF marker minus 0xFFC0: 0 baseline, 1 extended, 2 progressive, 3 lossless, 9+ arithmetic. */
  process: number;
}

function truncated(): DecodeError {
  return new DecodeError('truncated', 'This JPEG file is cut short (incomplete download or copy); copy the original file again.');
}

/** Walks the marker segments up to the first frame header (SOFn). */
export function readJpegHeader(bytes: Uint8Array): JpegFrameHeader {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) {
      throw new DecodeError('corrupt', 'This JPEG file has damaged headers; the file cannot be read.');
    }
    const marker = bytes[offset + 1];
    if (marker === 0xff) {
      offset++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    if (length < 2) throw new DecodeError('corrupt', 'This JPEG file has damaged headers; the file cannot be read.');
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (offset + 10 > bytes.length) throw truncated();
      return {
        precision: bytes[offset + 4],
        height: (bytes[offset + 5] << 8) | bytes[offset + 6],
        width: (bytes[offset + 7] << 8) | bytes[offset + 8],
        components: bytes[offset + 9],
        process: marker - 0xc0,
      };
    }
    if (marker === 0xda || marker === 0xd9) break;
    offset += 2 + length;
  }
  if (offset + 4 > bytes.length) throw truncated();
  throw new DecodeError('corrupt', 'This JPEG file has no frame header; the file is damaged.');
}

export async function decodeJpeg(bytes: Uint8Array, maxPixels: number): Promise<DecodedImage> {
  const header = readJpegHeader(bytes);
  if (header.height === 0) {
    throw new DecodeError('unsupported', 'This JPEG file defines its height after the image data (DNL marker), which is not supported; re-save it as a standard JPEG.');
  }
  checkPixelLimit(header.width, header.height, maxPixels);
  if (header.process === 3 || header.process === 7 || header.process === 11 || header.process === 15) {
    throw new DecodeError('unsupported', 'This is a lossless JPEG, which browsers cannot show; convert it to PNG first.');
  }
  if (header.process >= 9) {
    throw new DecodeError('unsupported', 'This JPEG uses arithmetic coding, which is not supported; re-save it as a standard JPEG.');
  }
  if (header.precision !== 8) {
    throw new DecodeError('unsupported', `This JPEG stores ${header.precision}-bit samples, which are not supported outside DICOM; convert it to a 16-bit PNG first.`);
  }
  const decoded = await withDecodeErrors(
    'corrupt',
    (detail) =>
      /Unsupported color mode/i.test(detail)
        ? `This JPEG has ${header.components} colour components in a layout that cannot be read; re-save it as RGB.`
        : /marker|EOF|out of bounds|offset|undefined/i.test(detail)
          ? 'This JPEG file is damaged or cut short; copy the original file again.'
          : `This JPEG file could not be decoded (${detail}); re-save it as a standard JPEG.`,
    () =>
      decodeJpegJs(bytes, {
        useTArray: true,
        formatAsRGBA: false,
        tolerantDecoding: true,
        maxResolutionInMP: Math.ceil(maxPixels / 1e6),
        maxMemoryUsageInMB: 1024,
      }),
  );
  if (header.components === 1) {
    const pixelCount = decoded.width * decoded.height;
    const grey = new Uint8Array(pixelCount);
    for (let p = 0; p < pixelCount; p++) grey[p] = decoded.data[p * 3];
    return { width: decoded.width, height: decoded.height, channels: 1, bitDepth: 8, data: grey };
  }
  return { width: decoded.width, height: decoded.height, channels: 3, bitDepth: 8, data: decoded.data };
}
