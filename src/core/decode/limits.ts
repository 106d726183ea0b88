import { DecodeError } from './errors.ts';

/** Default ceiling on width x height; a 100 MP RGBA image already needs 400 MB. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

/** Refuses, before anything is allocated, an image whose header promises too many pixels. */
export function checkPixelLimit(width: number, height: number, maxPixels: number): void {
  if (!(width > 0) || !(height > 0)) {
    throw new DecodeError('corrupt', `The file declares an image of ${width} x ${height} pixels, which is impossible; the file is damaged.`);
  }
  if (width * height > maxPixels) {
    const megapixels = ((width * height) / 1e6).toFixed(0);
    throw new DecodeError(
      'too-large',
      `The image is ${width} x ${height} pixels (${megapixels} megapixels), above the limit of ${(maxPixels / 1e6).toFixed(0)} megapixels; reduce its size before adding it.`,
    );
  }
}
