/**
 * `decodeImage`: any supported file's bytes to pixels, the format found from magic bytes (the
 * file name only helps recognise DICOM written without its preamble). Every failure is a
 * DecodeError whose message tells the user what is wrong and what to do.
 */
import type { DecodedImage } from '../image.ts';
import { decodeDicom, type DicomSummary } from '../dicom/index.ts';
import { decodeBmp } from './bmp.ts';
import { DecodeError, describeThrown } from './errors.ts';
import { decodeGif } from './gif.ts';
import { decodeJpeg } from './jpeg.ts';
import { DEFAULT_MAX_PIXELS } from './limits.ts';
import { decodePng } from './png.ts';
import { type ForeignFormat, type ImageFormat, sniffFormat } from './sniff.ts';
import { decodeTiff } from './tiff.ts';
import { decodeWebp, type FallbackDecoder } from './webp.ts';

export { DecodeError, type DecodeErrorCode } from './errors.ts';
export { DEFAULT_MAX_PIXELS } from './limits.ts';
export { sniffFormat, type ImageFormat } from './sniff.ts';
export { configureWasmCodecs, type WasmCodecConfig, type WasmCodecName } from './wasm-codecs.ts';
export type { FallbackDecoder } from './webp.ts';

export interface DecodeOptions {
  /** Largest width x height accepted, checked from the header before decoding (default 100 MP). */
  maxPixels?: number;
  /** DICOM: 0-based frame to show (default: the middle frame). */
  frameIndex?: number;
  /** DICOM: VOI window to apply instead of the file's own (greyscale only). */
  dicomWindow?: { center: number; width: number };
  /**
   * Unused since WebP has its own WASM decoder; still accepted so callers that pass a platform
   * decoder keep compiling.
   */
  fallbackDecoder?: FallbackDecoder;
}

export interface DecodeResult {
  image: DecodedImage;
  format: ImageFormat;
  kind: 'image' | 'dicom';
  dicom?: DicomSummary;
}

const FOREIGN_MESSAGES: Record<ForeignFormat, string> = {
  svg: 'This is an SVG drawing, not a medical image; vector images are not accepted (export it as PNG if you need it).',
  html: 'This is a web page (HTML), not an image, whatever its name says; remove it from the selection.',
  xml: 'This is an XML document, not an image; remove it from the selection.',
  pdf: 'This is a PDF document, not an image; export the page as PNG if you need it.',
  zip: 'This is a ZIP archive; unpack it and drop the folder instead.',
  text: 'This is a text file, not an image; remove it from the selection.',
  heic: 'This is a HEIC/AVIF photo, which is not supported; convert it to JPEG or PNG first.',
  jpeg2000: 'This is a stand-alone JPEG 2000 file, which is only supported inside DICOM; convert it to PNG first.',
  unknown: 'This file is not an image in a supported format (PNG, JPEG, WebP, BMP, GIF, TIFF or DICOM); check that it is the file you meant to add.',
};

const FORMAT_NAMES: Record<ImageFormat, string> = {
  png: 'PNG',
  jpeg: 'JPEG',
  gif: 'GIF',
  bmp: 'BMP',
  tiff: 'TIFF',
  webp: 'WebP',
  dicom: 'DICOM',
};

/** Decodes a file, telling whether it was DICOM and, if so, its non-identifying summary. */
export async function decodeFile(bytes: Uint8Array, fileName?: string, options: DecodeOptions = {}): Promise<DecodeResult> {
  if (bytes.length === 0) throw new DecodeError('empty', 'This file is empty (0 bytes); copy the original file again.');
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const { format, foreign, truncated } = sniffFormat(bytes, fileName);
  if (!format && truncated) {
    throw new DecodeError(
      'truncated',
      `This file begins like a ${FORMAT_NAMES[truncated]} image but is cut short after ${bytes.length} bytes; copy the original file again.`,
    );
  }
  if (!format) {
    const code = foreign === 'unknown' ? 'unknown-format' : 'not-an-image';
    throw new DecodeError(code, FOREIGN_MESSAGES[foreign ?? 'unknown']);
  }
  try {
    switch (format) {
      case 'png':
        return { image: await decodePng(bytes, maxPixels), format, kind: 'image' };
      case 'jpeg':
        return { image: await decodeJpeg(bytes, maxPixels), format, kind: 'image' };
      case 'gif':
        return { image: decodeGif(bytes, maxPixels), format, kind: 'image' };
      case 'bmp':
        return { image: decodeBmp(bytes, maxPixels), format, kind: 'image' };
      case 'tiff':
        return { image: await decodeTiff(bytes, maxPixels), format, kind: 'image' };
      case 'webp':
        return { image: await decodeWebp(bytes, maxPixels), format, kind: 'image' };
      case 'dicom': {
        const { image, summary } = await decodeDicom(bytes, { frameIndex: options.frameIndex, maxPixels, window: options.dicomWindow });
        return { image, format, kind: 'dicom', dicom: summary };
      }
    }
  } catch (thrown) {
    if (thrown instanceof DecodeError) throw thrown;
    if (thrown instanceof RangeError && /allocat|Array buffer|typed array length|call stack/i.test(thrown.message)) {
      throw new DecodeError('too-large', `This ${format.toUpperCase()} file needs more memory than this device can give it, or is malformed; try a smaller image.`);
    }
    throw new DecodeError('corrupt', `This ${format.toUpperCase()} file could not be decoded (${describeThrown(thrown)}); it is probably damaged.`);
  }
}

/** Decodes any supported image or DICOM file to pixels (DICOM: 8-bit, windowed). */
export async function decodeImage(bytes: Uint8Array, fileName?: string, options?: DecodeOptions): Promise<DecodedImage> {
  return (await decodeFile(bytes, fileName, options)).image;
}
