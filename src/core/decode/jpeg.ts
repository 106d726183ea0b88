/**
 * JPEG decoding through libjpeg-turbo (WASM), the library Pillow decodes with, using Pillow's
 * settings: TurboJPEG's defaults are libjpeg's accurate integer IDCT (JDCT_ISLOW) and fancy
 * upsampling, as in Pillow (which does not touch either). Grey and three-component files (YCbCr,
 * JFIF or Adobe RGB) come out of the codec directly; four-component files (CMYK, YCCK), which the
 * codec cannot convert, go through `decodeJpegCmyk`. EXIF orientation is ignored, as Pillow's
 * `Image.open` does. The frame header is read first so the pixel limit and the unsupported
 * processes (lossless, arithmetic, 12-bit) are refused before decoding.
 */
import type { DecodedImage } from '../image.ts';
import { DecodeError } from './errors.ts';
import { decodeJpegCmyk } from './jpeg-cmyk.ts';
import { checkPixelLimit } from './limits.ts';
import { loadLibjpegTurbo } from './wasm-codecs.ts';

export interface JpegFrameHeader {
  width: number;
  height: number;
  precision: number;
  components: number;
  /** SOF marker minus 0xFFC0: 0 baseline, 1 extended, 2 progressive, 3 lossless, 9+ arithmetic. */
  process: number;
  /** The Adobe APP14 colour transform (0 none, 1 YCbCr, 2 YCCK), absent without the marker. */
  adobeTransform?: number;
  /** Stray bytes between header segments (tolerated by libjpeg and Pillow, dropped before decoding). */
  strayBytes: number;
}

function truncated(): DecodeError {
  return new DecodeError('truncated', 'This JPEG file is cut short (incomplete download or copy); copy the original file again.');
}

function damagedHeaders(): DecodeError {
  return new DecodeError('corrupt', 'This JPEG file has damaged headers; the file cannot be read.');
}

/**
 * Walks the marker segments up to the first frame header (SOFn), noting the Adobe marker. Bytes
 * that are not a marker are skipped, as Pillow's parser and libjpeg do.
 */
export function readJpegHeader(bytes: Uint8Array): JpegFrameHeader {
  let offset = 2;
  let adobeTransform: number | undefined;
  let strayBytes = 0;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) {
      offset++;
      strayBytes++;
      continue;
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
    if (marker === 0x00) throw damagedHeaders();
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    if (length < 2) throw damagedHeaders();
    if (marker === 0xee && length >= 14 && offset + 16 <= bytes.length && String.fromCharCode(...bytes.subarray(offset + 4, offset + 9)) === 'Adobe') {
      adobeTransform = bytes[offset + 15];
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (offset + 10 > bytes.length) throw truncated();
      return {
        precision: bytes[offset + 4],
        height: (bytes[offset + 5] << 8) | bytes[offset + 6],
        width: (bytes[offset + 7] << 8) | bytes[offset + 8],
        components: bytes[offset + 9],
        process: marker - 0xc0,
        adobeTransform,
        strayBytes,
      };
    }
    if (marker === 0xda || marker === 0xd9) break;
    offset += 2 + length;
  }
  if (offset + 4 > bytes.length) throw truncated();
  throw new DecodeError('corrupt', 'This JPEG file has no frame header; the file is damaged.');
}

/**
 * The file without the stray bytes between the segments before the first scan: TurboJPEG reports
 * libjpeg's "extraneous bytes" warning as a failure, where Pillow decodes such files.
 */
export function withoutStrayBytes(bytes: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [bytes.subarray(0, 2)];
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff || bytes[offset + 1] === 0xff) {
      offset++;
      continue;
    }
    const marker = bytes[offset + 1];
    if (marker === 0xda) break;
    const end = marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7) ? offset + 2 : offset + 2 + ((bytes[offset + 2] << 8) | bytes[offset + 3]);
    parts.push(bytes.subarray(offset, end));
    offset = end;
  }
  parts.push(bytes.subarray(offset));
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** True when an end-of-image marker follows the last scan (trailing bytes after it are allowed). */
export function hasEndOfImage(bytes: Uint8Array): boolean {
  for (let i = bytes.length - 2; i >= 2; i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  return false;
}

/** Refuses what libjpeg-turbo's 8-bit build (and Pillow with it) cannot decode, with a reason. */
function checkSupported(header: JpegFrameHeader, maxPixels: number): void {
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
  if (header.components !== 1 && header.components !== 3 && header.components !== 4) {
    throw new DecodeError('unsupported', `This JPEG has ${header.components} colour components, which cannot be read; re-save it as RGB.`);
  }
}

/**
 * Decodes a grey or three-component JPEG with libjpeg-turbo: 1 channel for grey, RGB otherwise.
 * libjpeg only warns about damaged entropy data and decodes on (TurboJPEG then still reports a
 * failure); those pixels are kept, as Pillow keeps them, unless the file is cut short, which
 * Pillow refuses too.
 */
export async function decodeWithLibjpegTurbo(bytes: Uint8Array, header: JpegFrameHeader): Promise<DecodedImage> {
  const codec = await loadLibjpegTurbo();
  const encoded = header.strayBytes > 0 ? withoutStrayBytes(bytes) : bytes;
  const channels = header.components === 1 ? 1 : 3;
  const expected = header.width * header.height * channels;
  const decoder = new codec.JPEGDecoder();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    let failed = false;
    try {
      decoder.decode();
    } catch {
      failed = true;
    }
    const pixels = decoder.getDecodedBuffer();
    if (pixels.length !== expected) {
      throw new DecodeError('corrupt', 'This JPEG file is damaged and could not be decoded; copy the original file again or re-save it.');
    }
    if (failed && !hasEndOfImage(encoded)) throw truncated();
    return { width: header.width, height: header.height, channels, bitDepth: 8, data: pixels.slice() };
  } finally {
    decoder.delete();
  }
}

export async function decodeJpeg(bytes: Uint8Array, maxPixels: number): Promise<DecodedImage> {
  const header = readJpegHeader(bytes);
  checkSupported(header, maxPixels);
  if (header.components === 4) return decodeJpegCmyk(bytes, header);
  return decodeWithLibjpegTurbo(bytes, header);
}
