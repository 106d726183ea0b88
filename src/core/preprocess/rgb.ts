/**
 * Conversion of any decoded raster to 8-bit RGB, reproducing what the Python reference pipelines
 * get from `PIL.Image.open(path).convert('RGB')` (checked empirically against Pillow 9.4):
 * - 8-bit grey is replicated into R, G and B; grey + alpha and RGBA simply drop alpha (PIL does
 *   not composite onto a background);
 * - 16-bit grey opens in PIL as mode "I" and `convert('RGB')` clips each value to 0..255 (it does
 *   not rescale), so 16-bit grey above 255 turns white;
 * - 16-bit grey + alpha, RGB and RGBA open in PIL as 8-bit modes keeping the high byte of each
 *   sample (`v >> 8`, no rounding).
 * - CMYK (a four-component JPEG, `pilMode: 'CMYK'`) converts as Pillow's cmyk2rgb does:
 *   R = (255 - K) - round(C * (255 - K) / 255), and so on;
 * - palette and 1-bit images arrive with their colours already looked up.
 * Callers that want a windowed 16-bit image (DICOM) window it to 8 bits before calling this.
 */
import type { DecodedImage, RgbImage } from '../image.ts';

/** Pillow's MULDIV255: round(a * b / 255) in integers. */
export function mulDiv255(value: number, factor: number): number {
  const t = value * factor + 128;
  return ((t >> 8) + t) >> 8;
}

/** Pillow's CMYK -> RGB over interleaved C, M, Y, K samples. */
export function cmykToRgb(width: number, height: number, cmyk: Uint8Array): RgbImage {
  const out = new Uint8Array(width * height * 3);
  for (let s = 0, o = 0; o < out.length; s += 4, o += 3) {
    const inverseK = 255 - cmyk[s + 3];
    for (let c = 0; c < 3; c++) {
      const v = inverseK - mulDiv255(cmyk[s + c], inverseK);
      out[o + c] = v < 0 ? 0 : v;
    }
  }
  return { width, height, data: out };
}

export function toRgb8(image: DecodedImage): RgbImage {
  const { width, height, channels, bitDepth, data } = image;
  const pixelCount = width * height;
  if (data.length < pixelCount * channels) {
    throw new Error(
      `The decoded image holds ${data.length} samples; ${width}x${height} with ${channels} channel(s) needs ${pixelCount * channels}.`,
    );
  }
  if (image.pilMode === 'CMYK') return cmykToRgb(width, height, data as Uint8Array);
  const out = new Uint8Array(pixelCount * 3);
  if (bitDepth === 8) {
    if (channels === 3) {
      out.set(data.subarray(0, pixelCount * 3));
      return { width, height, data: out };
    }
    for (let p = 0, s = 0, o = 0; p < pixelCount; p++, s += channels, o += 3) {
      if (channels <= 2) {
        const grey = data[s];
        out[o] = grey;
        out[o + 1] = grey;
        out[o + 2] = grey;
      } else {
        out[o] = data[s];
        out[o + 1] = data[s + 1];
        out[o + 2] = data[s + 2];
      }
    }
    return { width, height, data: out };
  }
  if (channels === 1) {
    for (let p = 0, o = 0; p < pixelCount; p++, o += 3) {
      const v = data[p];
      const clipped = v > 255 ? 255 : v;
      out[o] = clipped;
      out[o + 1] = clipped;
      out[o + 2] = clipped;
    }
    return { width, height, data: out };
  }
  for (let p = 0, s = 0, o = 0; p < pixelCount; p++, s += channels, o += 3) {
    if (channels === 2) {
      const grey = data[s] >> 8;
      out[o] = grey;
      out[o + 1] = grey;
      out[o + 2] = grey;
    } else {
      out[o] = data[s] >> 8;
      out[o + 1] = data[s + 1] >> 8;
      out[o + 2] = data[s + 2] >> 8;
    }
  }
  return { width, height, data: out };
}
