/**
 * WebP has no pure-JS decoder here: the app decodes it through the browser (an injected
 * `FallbackDecoder`), the CLI refuses it with a clear message. The header is still read so
 * the pixel limit applies before the browser is asked to decode anything.
 */
import type { DecodedImage } from '../image.ts';
import { DecodeError } from './errors.ts';
import { checkPixelLimit } from './limits.ts';

/** Decodes bytes of the given MIME type with a platform decoder (e.g. createImageBitmap). */
export type FallbackDecoder = (bytes: Uint8Array, mimeType: string) => Promise<DecodedImage>;

export function readWebpHeader(bytes: Uint8Array): { width: number; height: number } {
  if (bytes.length < 30) throw new DecodeError('truncated', 'This WebP file is cut short; copy the original file again.');
  const chunk = String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]);
  if (chunk === 'VP8X') {
    return {
      width: 1 + (bytes[24] | (bytes[25] << 8) | (bytes[26] << 16)),
      height: 1 + (bytes[27] | (bytes[28] << 8) | (bytes[29] << 16)),
    };
  }
  if (chunk === 'VP8 ') {
    return { width: (bytes[26] | (bytes[27] << 8)) & 0x3fff, height: (bytes[28] | (bytes[29] << 8)) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    const bits = bytes[21] | (bytes[22] << 8) | (bytes[23] << 16) | (bytes[24] << 24);
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff) };
  }
  throw new DecodeError('corrupt', 'This WebP file has an unknown layout; the file is damaged.');
}

export async function decodeWebp(bytes: Uint8Array, maxPixels: number, fallback: FallbackDecoder | undefined): Promise<DecodedImage> {
  const { width, height } = readWebpHeader(bytes);
  checkPixelLimit(width, height, maxPixels);
  if (!fallback) {
    throw new DecodeError(
      'webp-unavailable',
      'WebP is supported in the app, not in the command line; convert the file to PNG to use it here.',
    );
  }
  return fallback(bytes, 'image/webp');
}
