/**
 * WebP decoding with libwebp (jSquash's WASM build), the same in the app's workers and the CLI,
 * and the same library Pillow uses: lossy, lossless and alpha files decode to Pillow's pixels.
 * The header is read first so the pixel limit applies before anything is decoded. As Pillow
 * does, a file without alpha gives RGB and one with alpha RGBA.
 */
import type { DecodedImage } from '../image.ts';
import { DecodeError } from './errors.ts';
import { checkPixelLimit } from './limits.ts';
import { loadWebp } from './wasm-codecs.ts';

/** Decodes bytes of the given MIME type with a platform decoder (e.g. createImageBitmap). */
export type FallbackDecoder = (bytes: Uint8Array, mimeType: string) => Promise<DecodedImage>;

export interface WebpHeader {
  width: number;
  height: number;
  hasAlpha: boolean;
  animated: boolean;
}

export function readWebpHeader(bytes: Uint8Array): WebpHeader {
  if (bytes.length < 30) throw new DecodeError('truncated', 'This WebP file is cut short; copy the original file again.');
  const chunk = String.fromCharCode(bytes[12], bytes[13], bytes[14], bytes[15]);
  if (chunk === 'VP8X') {
    return {
      width: 1 + (bytes[24] | (bytes[25] << 8) | (bytes[26] << 16)),
      height: 1 + (bytes[27] | (bytes[28] << 8) | (bytes[29] << 16)),
      hasAlpha: (bytes[20] & 0x10) !== 0,
      animated: (bytes[20] & 0x02) !== 0,
    };
  }
  if (chunk === 'VP8 ') {
    return { width: (bytes[26] | (bytes[27] << 8)) & 0x3fff, height: (bytes[28] | (bytes[29] << 8)) & 0x3fff, hasAlpha: false, animated: false };
  }
  if (chunk === 'VP8L') {
    const bits = (bytes[21] | (bytes[22] << 8) | (bytes[23] << 16) | (bytes[24] << 24)) >>> 0;
    return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >>> 14) & 0x3fff), hasAlpha: ((bits >>> 28) & 1) === 1, animated: false };
  }
  throw new DecodeError('corrupt', 'This WebP file has an unknown layout; the file is damaged.');
}

export async function decodeWebp(bytes: Uint8Array, maxPixels: number): Promise<DecodedImage> {
  const header = readWebpHeader(bytes);
  checkPixelLimit(header.width, header.height, maxPixels);
  if (header.animated) {
    throw new DecodeError('unsupported', 'This is an animated WebP, which is not supported; save the frame you need as PNG or a still WebP.');
  }
  const codec = await loadWebp();
  let decoded: ReturnType<typeof codec.decode>;
  try {
    decoded = codec.decode(bytes);
  } catch {
    decoded = null;
  }
  if (!decoded || decoded.width !== header.width || decoded.height !== header.height) {
    throw new DecodeError('corrupt', 'This WebP file could not be decoded; it is probably damaged or cut short. Copy the original file again.');
  }
  const rgba = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.length);
  if (header.hasAlpha) return { width: header.width, height: header.height, channels: 4, bitDepth: 8, data: rgba.slice() };
  const pixelCount = header.width * header.height;
  const rgb = new Uint8Array(pixelCount * 3);
  for (let p = 0, s = 0, o = 0; p < pixelCount; p++, s += 4, o += 3) {
    rgb[o] = rgba[s];
    rgb[o + 1] = rgba[s + 1];
    rgb[o + 2] = rgba[s + 2];
  }
  return { width: header.width, height: header.height, channels: 3, bitDepth: 8, data: rgb };
}
