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
  /**
   * Set where Pillow opens the file in a mode the samples alone do not tell, which matters to
   * open_clip (it resizes before converting to RGB):
   * - 'P' (palette: PNG colour type 3, GIF, palette BMP) and '1' (1-bit PNG and BMP): Pillow
   *   resizes these with nearest neighbour whatever filter is asked; `data` holds the palette
   *   colours (RGB, or RGBA for a PNG palette with tRNS) or the 0/255 grey;
   * - 'CMYK' (four-component JPEG): `channels` is 4 and `data` holds C, M, Y, K as Pillow holds
   *   them, not RGBA.
   */
  pilMode?: 'P' | '1' | 'CMYK';
}

/** 8-bit interleaved RGB, the input every encoder's preprocessing starts from. */
export interface RgbImage {
  width: number;
  height: number;
  /** length = width * height * 3 */
  data: Uint8Array;
  /**
   * The decoded image, kept beside the RGB pixels when open_clip's resize-before-convert gives
   * a different result from resizing these (alpha, 16-bit grey, palette, 1-bit, CMYK); see
   * `encoderInput` in preprocess/native-mode.ts.
   */
  native?: DecodedImage;
}

export function rgbImage(width: number, height: number, data?: Uint8Array): RgbImage {
  const expected = width * height * 3;
  if (data && data.length !== expected) {
    throw new Error(`RGB buffer has ${data.length} bytes; ${width}x${height} needs ${expected}.`);
  }
  return { width, height, data: data ?? new Uint8Array(expected) };
}

/** The pixels as opaque RGBA, the layout ImageData and canvases take. */
export function opaqueRgba(image: RgbImage): Uint8ClampedArray<ArrayBuffer> {
  const pixels = image.width * image.height;
  const rgba = new Uint8ClampedArray(pixels * 4);
  for (let i = 0, j = 0; i < pixels; i++, j += 3) {
    rgba[i * 4] = image.data[j];
    rgba[i * 4 + 1] = image.data[j + 1];
    rgba[i * 4 + 2] = image.data[j + 2];
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}
