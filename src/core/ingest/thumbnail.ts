/**
 * Thumbnails: an area-average (box) downscale so that the longest side is at most `maxSide`,
 * never an upscale. Output is RGBA (opaque), ready for ImageData / OffscreenCanvas.
 */
import type { RgbImage } from '../image.ts';

export interface Thumbnail {
  width: number;
  height: number;
  /** length = width * height * 4 */
  rgba: Uint8ClampedArray;
}

export function thumbnailSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Each output pixel averages the source area it covers, partial source pixels weighted by overlap. */
export function makeThumbnail(image: RgbImage, maxSide = 128): Thumbnail {
  const { width: outWidth, height: outHeight } = thumbnailSize(image.width, image.height, maxSide);
  const scaleX = image.width / outWidth;
  const scaleY = image.height / outHeight;
  const rgba = new Uint8ClampedArray(outWidth * outHeight * 4);
  const sums = new Float64Array(3);
  for (let oy = 0; oy < outHeight; oy++) {
    const y0 = oy * scaleY;
    const y1 = y0 + scaleY;
    for (let ox = 0; ox < outWidth; ox++) {
      const x0 = ox * scaleX;
      const x1 = x0 + scaleX;
      sums.fill(0);
      let total = 0;
      for (let sy = Math.floor(y0); sy < Math.min(image.height, Math.ceil(y1)); sy++) {
        const wy = Math.min(y1, sy + 1) - Math.max(y0, sy);
        for (let sx = Math.floor(x0); sx < Math.min(image.width, Math.ceil(x1)); sx++) {
          const weight = wy * (Math.min(x1, sx + 1) - Math.max(x0, sx));
          const at = (sy * image.width + sx) * 3;
          sums[0] += image.data[at] * weight;
          sums[1] += image.data[at + 1] * weight;
          sums[2] += image.data[at + 2] * weight;
          total += weight;
        }
      }
      const target = (oy * outWidth + ox) * 4;
      rgba[target] = Math.round(sums[0] / total);
      rgba[target + 1] = Math.round(sums[1] / total);
      rgba[target + 2] = Math.round(sums[2] / total);
      rgba[target + 3] = 255;
    }
  }
  return { width: outWidth, height: outHeight, rgba };
}
