/**
 * Pixel containers shared by ingest, preprocessing and the views. Pure data, no DOM.
 */

/** A decoded raster as the decoder produced it (before any conversion to RGB). */
export interface DecodedImage {
  width: number;
  height: number;
  /** 1 = grey, 2 = grey + alpha, 3 = RGB, 4 = RGBA; samples are interleaved. */
  channels: 1 | 2 | 3 | 4;
  /** 8-bit samples in a Uint8Array, 16-bit samples in a Uint16Array. */
  bitDepth: 8 | 16;
  data: Uint8Array | Uint16Array;
}

/** 8-bit interleaved RGB, the input every encoder's preprocessing starts from. */
export interface RgbImage {
  width: number;
  height: number;
  /** length = width * height * 3 */
  data: Uint8Array;
}

export function rgbImage(width: number, height: number, data?: Uint8Array): RgbImage {
  const expected = width * height * 3;
  if (data && data.length !== expected) {
    throw new Error(`RGB buffer has ${data.length} bytes; ${width}x${height} needs ${expected}.`);
  }
  return { width, height, data: data ?? new Uint8Array(expected) };
}
