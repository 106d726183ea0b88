/**
 * open_clip resizes and crops the PIL image in the mode it was opened in and converts to RGB
 * only afterwards (`Resize -> CenterCrop -> _convert_to_rgb`). For grey and RGB that equals
 * converting first; two cases differ and are reproduced here:
 * - images with alpha: Pillow resizes LA / RGBA premultiplied (convert to La / RGBa, resize,
 *   convert back, with its integer rounding), and the colour then carries that round trip;
 * - 16-bit grey (PIL mode "I"): resized in 32-bit integers with unquantised weights, clipped
 *   to 0..255 only by the final conversion.
 * - palette ("P") and 1-bit ("1") images: Pillow's `Image.resize` replaces the bicubic filter by
 *   nearest neighbour for these modes; alpha from a palette's tRNS is then simply dropped;
 * - CMYK JPEGs: resized in CMYK (four independent bands), converted with Pillow's cmyk2rgb after.
 * The other 16-bit layouts open in PIL as 8-bit modes holding each sample's high byte.
 */
import type { DecodedImage, RgbImage } from '../image.ts';
import { resizeBicubicRaster, resizeNearestRaster, type Raster, type Region } from './resample.ts';
import { cmykToRgb, mulDiv255 as premultiply, toRgb8 } from './rgb.ts';

/** True when open_clip's resize-then-convert differs from converting to RGB first. */
export function needsNativeResize(image: DecodedImage): boolean {
  return image.pilMode !== undefined || image.channels === 2 || image.channels === 4 || (image.bitDepth === 16 && image.channels === 1);
}

/**
 * The encoders' input for a decoded image: its 8-bit RGB (what transformers' processors and the
 * thumbnails use) carrying the decoded image where open_clip needs it (`RgbImage.native`).
 */
export function encoderInput(image: DecodedImage): RgbImage {
  const rgb = toRgb8(image);
  return needsNativeResize(image) ? { ...rgb, native: image } : rgb;
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
  if (image.pilMode === 'P' || image.pilMode === '1') {
    const resized = unchanged ? resizeBicubicRaster(raster as Raster<Uint8Array>, outWidth, outHeight, region) : resizeNearestRaster(raster as Raster<Uint8Array>, outWidth, outHeight, region);
    return toRgb8({ width: resized.width, height: resized.height, channels: image.channels, bitDepth: 8, data: resized.data });
  }
  if (image.pilMode === 'CMYK') {
    const resized = resizeBicubicRaster(raster as Raster<Uint8Array>, outWidth, outHeight, region);
    return cmykToRgb(resized.width, resized.height, resized.data);
  }
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
