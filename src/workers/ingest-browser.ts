/**
 * Browser-only helpers for ingest: where the bundle put the JPEG and WebP codecs' .wasm files,
 * a platform decoder, and encoding thumbnails to Blobs via OffscreenCanvas (available in
 * workers and pages).
 */
import libjpegTurboWasmUrl from '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasm?url';
import webpWasmUrl from '@jsquash/webp/codec/dec/webp_dec.wasm?url';
import type { DecodedImage } from '../core/image.ts';
import { DecodeError } from '../core/decode/errors.ts';
import { configureWasmCodecs } from '../core/decode/wasm-codecs.ts';
import type { Thumbnail } from '../core/ingest/index.ts';

// Every bundle that decodes images imports this module (the ingest worker does), so the image
// codecs are registered here; settings merge with the DICOM codecs the worker registers itself.
configureWasmCodecs({ wasmUrls: { 'libjpeg-turbo': libjpegTurboWasmUrl, webp: webpWasmUrl } });

/**
 * A `FallbackDecoder` over createImageBitmap: RGBA 8-bit pixels of any format the browser reads.
 * No longer needed for WebP, which core decodes with libwebp in the app and the CLI alike.
 */
export async function decodeWithImageBitmap(bytes: Uint8Array, mimeType: string): Promise<DecodedImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mimeType }));
  } catch {
    throw new DecodeError('corrupt', `The browser could not decode this ${mimeType.replace('image/', '').toUpperCase()} file; it is probably damaged.`);
  }
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new DecodeError('unsupported', 'This browser cannot draw images off screen; use a current Chrome, Edge or Firefox.');
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    return { width: bitmap.width, height: bitmap.height, channels: 4, bitDepth: 8, data: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.length) };
  } finally {
    bitmap.close();
  }
}

/** Encodes a thumbnail as WebP where the browser can, else PNG. */
export async function thumbnailBlob(thumbnail: Thumbnail): Promise<Blob> {
  const canvas = new OffscreenCanvas(thumbnail.width, thumbnail.height);
  const context = canvas.getContext('2d');
  if (!context) throw new DecodeError('unsupported', 'This browser cannot draw images off screen; use a current Chrome, Edge or Firefox.');
  context.putImageData(new ImageData(thumbnail.rgba as Uint8ClampedArray<ArrayBuffer>, thumbnail.width, thumbnail.height), 0, 0);
  const webp = await canvas.convertToBlob({ type: 'image/webp', quality: 0.85 });
  return webp.type === 'image/webp' ? webp : canvas.convertToBlob({ type: 'image/png' });
}
