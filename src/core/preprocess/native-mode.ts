/**
 * open_clip resizes and crops the PIL image in the mode it was opened in and converts to RGB
 * only afterwards (`Resize -> CenterCrop -> _convert_to_rgb`). For grey and RGB that equals
 * converting first; two cases differ and are reproduced here:
 * - images with alpha: Pillow resizes LA / RGBA premultiplied (convert to La / RGBa, resize,
 *   convert back, with its integer rounding), and the colour then carries that round trip;
 * - 16-bit grey (PIL mode "I"): resized in 32-bit integers with unquantised weights, clipped
 *   to 0..255 only by the final conversion.
 * The other 16-bit layouts open in PIL as 8-bit modes holding each sample's high byte.
 */
import type { DecodedImage, RgbImage } from '../image.ts';
import { resizeBicubicRaster, type Raster, type Region } from './resample.ts';
import { toRgb8 } from './rgb.ts';

/** Pillow's MULDIV255: round(a * b / 255) in integers. */
function premultiply(value: number, alpha: number): number {
  const t = value * alpha + 128;
  return ((t >> 8) + t) >> 8;
}

function unpremultiply(value: number, alpha: number): number {
  if (alpha === 0 || alpha === 255) return value;
  const v = Math.trunc((255 * value) / alpha);
  return v > 255 ? 255 : v;
}

/** The image as PIL holds it after `Image.open`: 8-bit samples, or int32 grey for mode "I". */
function pilRaster(image: DecodedImage): Raster<Uint8Array> | Raster<Int32Array> {
  const { width, height, channels, data } = image;
  if (image.bitDepth === 8) return { width, height, channels, data: data as Uint8Array };
  if (channels === 1) return { width, height, channels, data: Int32Array.from(data) };
  const high = new Uint8Array(width * height * channels);
  for (let i = 0; i < high.length; i++) high[i] = data[i] >> 8;
  return { width, height, channels, data: high };
}

/**
 * `region` of `image` resized to `outWidth` x `outHeight` in its PIL mode, then converted to
 * RGB as `convert('RGB')` does.
 */
export function resizeInNativeMode(image: DecodedImage, outWidth: number, outHeight: number, region: Region): RgbImage {
  const raster = pilRaster(image);
  const unchanged = outWidth === image.width && outHeight === image.height;
  const hasAlpha = raster.channels === 2 || raster.channels === 4;
  if (raster.data instanceof Int32Array) {
    return greyToRgb(resizeBicubicRaster(raster as Raster<Int32Array>, outWidth, outHeight, region));
  }
  if (!hasAlpha || unchanged) {
    const resized = resizeBicubicRaster(raster as Raster<Uint8Array>, outWidth, outHeight, region);
    return toRgb8({ width: resized.width, height: resized.height, channels: raster.channels as 1 | 2 | 3 | 4, bitDepth: 8, data: resized.data });
  }
  const colours = raster.channels - 1;
  const premultiplied = new Uint8Array(raster.data.length);
  for (let p = 0; p < raster.data.length; p += raster.channels) {
    const alpha = raster.data[p + colours];
    for (let c = 0; c < colours; c++) premultiplied[p + c] = premultiply(raster.data[p + c], alpha);
    premultiplied[p + colours] = alpha;
  }
  const resized = resizeBicubicRaster({ ...raster, data: premultiplied }, outWidth, outHeight, region);
  const out = new Uint8Array(resized.width * resized.height * 3);
  for (let p = 0, o = 0; o < out.length; p += raster.channels, o += 3) {
    const alpha = resized.data[p + colours];
    for (let c = 0; c < 3; c++) out[o + c] = unpremultiply(resized.data[p + (colours === 1 ? 0 : c)], alpha);
  }
  return { width: resized.width, height: resized.height, data: out };
}

/** PIL "I" -> "RGB": each value clipped to 0..255 and replicated. */
function greyToRgb(raster: Raster<Int32Array>): RgbImage {
  const out = new Uint8Array(raster.width * raster.height * 3);
  for (let i = 0, o = 0; i < raster.data.length; i++, o += 3) {
    const v = raster.data[i];
    const clipped = v < 0 ? 0 : v > 255 ? 255 : v;
    out[o] = clipped;
    out[o + 1] = clipped;
    out[o + 2] = clipped;
  }
  return { width: raster.width, height: raster.height, data: out };
}
