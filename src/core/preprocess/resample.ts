/**
 * Bicubic resizing that reproduces Pillow's `Image.resize(size, Image.BICUBIC)` bit for bit on
 * 8-bit RGB (libImaging/Resample.c, `ImagingResample`): a separable horizontal-then-vertical
 * convolution whose support widens by the downscale factor (that is the antialiasing), bicubic
 * kernel with a = -0.5, coefficients normalised to sum 1 and then quantised to 22 fractional
 * bits, and the intermediate image rounded and clipped to 8 bits between the two passes.
 *
 * Since every output pixel depends only on its own coefficient row, a region of the output
 * (the centre crop) can be computed alone and equals the same region of the full resize.
 */
import type { RgbImage } from '../image.ts';

/** Fractional bits of Pillow's fixed-point coefficients (32 - 8 - 2). */
const PRECISION_BITS = 22;
const HALF = 1 << (PRECISION_BITS - 1);
const BICUBIC_SUPPORT = 2;

/** Precomputed coefficients of one axis: for output index i, `count` taps from `first`. */
export interface ResampleAxis {
  inSize: number;
  outSize: number;
  /** Taps per output index (stride of `coefficients`). */
  taps: number;
  /** [first input index, tap count] per output index. */
  bounds: Int32Array;
  /** Fixed-point coefficients (8-bit images), `taps` per output index (unused taps are 0). */
  coefficients: Int32Array;
  /** The same coefficients unquantised (32-bit integer images, Pillow mode "I"). */
  weights: Float64Array;
}

/** Half-open output window [left, left + width) x [top, top + height). */
export interface Region {
  left: number;
  top: number;
  width: number;
  height: number;
}

function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

const axisCache = new Map<string, ResampleAxis>();
const AXIS_CACHE_LIMIT = 64;

/** Coefficients for resampling `inSize` samples to `outSize` (cached: image sizes repeat). */
export function bicubicAxis(inSize: number, outSize: number): ResampleAxis {
  const key = `${inSize}:${outSize}`;
  const cached = axisCache.get(key);
  if (cached) return cached;
  const scale = inSize / outSize;
  const filterScale = scale < 1 ? 1 : scale;
  const support = BICUBIC_SUPPORT * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const coefficients = new Int32Array(outSize * taps);
  const weights = new Float64Array(outSize * taps);
  const inverseFilterScale = 1 / filterScale;
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    // C's (int) cast truncates toward zero; Pillow relies on that before clamping.
    const first = Math.max(0, Math.trunc(center - support + 0.5));
    const count = Math.min(inSize, Math.trunc(center + support + 0.5)) - first;
    let total = 0;
    for (let t = 0; t < count; t++) {
      const w = bicubic((t + first - center + 0.5) * inverseFilterScale);
      weights[i * taps + t] = w;
      total += w;
    }
    for (let t = 0; t < count; t++) {
      const w = total !== 0 ? weights[i * taps + t] / total : weights[i * taps + t];
      weights[i * taps + t] = w;
      coefficients[i * taps + t] = Math.trunc(w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
    }
    bounds[i * 2] = first;
    bounds[i * 2 + 1] = count;
  }
  const axis: ResampleAxis = { inSize, outSize, taps, bounds, coefficients, weights };
  if (axisCache.size >= AXIS_CACHE_LIMIT) axisCache.delete(axisCache.keys().next().value as string);
  axisCache.set(key, axis);
  return axis;
}

/** Interleaved samples with `channels` values per pixel. */
export interface Raster<T extends Uint8Array | Int32Array> {
  width: number;
  height: number;
  channels: number;
  data: T;
}

/**
 * Resizes `source` to `outWidth` x `outHeight` as Pillow's BICUBIC does and returns only
 * `region` of the result (default: all of it). A dimension that keeps its size is not
 * resampled, as in Pillow. Uint8 samples follow Pillow's 8-bit path (fixed point, 8-bit
 * intermediate); Int32 samples (one channel) its mode "I" path (double weights, rounded ints).
 */
export function resizeBicubicRaster<T extends Uint8Array | Int32Array>(
  source: Raster<T>,
  outWidth: number,
  outHeight: number,
  region?: Region,
): Raster<T> {
  const { left, top, width, height } = region ?? { left: 0, top: 0, width: outWidth, height: outHeight };
  if (left < 0 || top < 0 || width < 1 || height < 1 || left + width > outWidth || top + height > outHeight) {
    throw new Error(`The region ${width}x${height}+${left}+${top} lies outside the ${outWidth}x${outHeight} output.`);
  }
  const channels = source.channels;
  const eightBit = source.data instanceof Uint8Array;
  const vAxis = outHeight !== source.height ? bicubicAxis(source.height, outHeight) : null;

  // Source rows the requested output rows read.
  let firstRow = top;
  let endRow = top + height;
  if (vAxis) {
    firstRow = vAxis.bounds[top * 2];
    endRow = 0;
    for (let y = top; y < top + height; y++) endRow = Math.max(endRow, vAxis.bounds[y * 2] + vAxis.bounds[y * 2 + 1]);
  }

  // The horizontal pass keeps only rows [firstRow, endRow) and columns of the region; without
  // it, the vertical pass reads the source through its own stride and column offset.
  let rows: Uint8Array | Int32Array = source.data;
  let rowStride = source.width * channels;
  let rowOrigin = left * channels;
  if (outWidth !== source.width) {
    const hAxis = bicubicAxis(source.width, outWidth);
    const span = width * channels;
    rows = eightBit ? new Uint8Array((endRow - firstRow) * span) : new Int32Array((endRow - firstRow) * span);
    if (eightBit) {
      horizontal8(source.data as Uint8Array, source.width * channels, channels, hAxis, firstRow, endRow, left, width, rows as Uint8Array);
    } else {
      for (let y = firstRow; y < endRow; y++) {
        resampleLine(source.data, y * source.width * channels, channels, hAxis, left, width, rows, (y - firstRow) * span, channels);
      }
    }
    rowStride = span;
    rowOrigin = -firstRow * span;
  }

  const span = width * channels;
  const out = (eightBit ? new Uint8Array(height * span) : new Int32Array(height * span)) as T;
  for (let y = 0; y < height; y++) {
    if (vAxis && eightBit) {
      vertical8(rows as Uint8Array, rowStride, rowOrigin, vAxis, top + y, span, out as Uint8Array, y * span);
    } else if (vAxis) {
      // A column of the region is a "line" whose samples lie rowStride apart.
      for (let x = 0; x < span; x++) {
        resampleSample(rows, rowOrigin + x, rowStride, vAxis, top + y, out, y * span + x);
      }
    } else {
      const start = rowOrigin + (top + y) * rowStride;
      out.set(rows.subarray(start, start + span), y * span);
    }
  }
  return { width, height, channels, data: out };
}

/**
 * The 8-bit horizontal pass over rows [firstRow, endRow), output columns [left, left + width).
 * Kept as flat loops over typed arrays: this is the hot path of embedding thousands of images.
 */
function horizontal8(
  src: Uint8Array,
  srcStride: number,
  channels: number,
  axis: ResampleAxis,
  firstRow: number,
  endRow: number,
  left: number,
  width: number,
  dst: Uint8Array,
): void {
  const { bounds, coefficients, taps } = axis;
  let o = 0;
  for (let y = firstRow; y < endRow; y++) {
    const rowStart = y * srcStride;
    for (let x = left; x < left + width; x++) {
      const count = bounds[x * 2 + 1];
      const kStart = x * taps;
      const pStart = rowStart + bounds[x * 2] * channels;
      for (let c = 0; c < channels; c++) {
        let sum = HALF;
        for (let t = 0, p = pStart + c; t < count; t++, p += channels) sum += src[p] * coefficients[kStart + t];
        // Arithmetic shift then clamp is Pillow's clip8 lookup.
        const v = sum >> PRECISION_BITS;
        dst[o++] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
}

/** One output row `y` of the 8-bit vertical pass: `span` samples written from `dstStart`. */
function vertical8(
  rows: Uint8Array,
  rowStride: number,
  rowOrigin: number,
  axis: ResampleAxis,
  y: number,
  span: number,
  dst: Uint8Array,
  dstStart: number,
): void {
  const count = axis.bounds[y * 2 + 1];
  const kStart = y * axis.taps;
  const base = rowOrigin + axis.bounds[y * 2] * rowStride;
  const k = axis.coefficients;
  for (let x = 0; x < span; x++) {
    let sum = HALF;
    for (let t = 0, p = base + x; t < count; t++, p += rowStride) sum += rows[p] * k[kStart + t];
    const v = sum >> PRECISION_BITS;
    dst[dstStart + x] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}

/** One output row of the horizontal pass: `count` pixels from output column `left`. */
function resampleLine(
  src: Uint8Array | Int32Array,
  srcStart: number,
  step: number,
  axis: ResampleAxis,
  left: number,
  count: number,
  dst: Uint8Array | Int32Array,
  dstStart: number,
  channels: number,
): void {
  let o = dstStart;
  for (let x = left; x < left + count; x++) {
    for (let c = 0; c < channels; c++) resampleSample(src, srcStart + c, step, axis, x, dst, o++);
  }
}

/** Output index `i` of `axis` for the line starting at `start` whose samples lie `step` apart. */
function resampleSample(
  src: Uint8Array | Int32Array,
  start: number,
  step: number,
  axis: ResampleAxis,
  i: number,
  dst: Uint8Array | Int32Array,
  dstIndex: number,
): void {
  const count = axis.bounds[i * 2 + 1];
  const kStart = i * axis.taps;
  let p = start + axis.bounds[i * 2] * step;
  if (src instanceof Uint8Array) {
    const k = axis.coefficients;
    let sum = HALF;
    for (let t = 0; t < count; t++, p += step) sum += src[p] * k[kStart + t];
    // Arithmetic shift then clamp is Pillow's clip8 lookup.
    const v = sum >> PRECISION_BITS;
    dst[dstIndex] = v < 0 ? 0 : v > 255 ? 255 : v;
  } else {
    const w = axis.weights;
    let sum = 0;
    for (let t = 0; t < count; t++, p += step) sum += src[p] * w[kStart + t];
    // Pillow's ROUND_UP: half away from zero, then truncation to int.
    dst[dstIndex] = Math.trunc(sum >= 0 ? sum + 0.5 : sum - 0.5);
  }
}

/** {@link resizeBicubicRaster} for 8-bit RGB. */
export function resizeBicubic(source: RgbImage, outWidth: number, outHeight: number, region?: Region): RgbImage {
  const out = resizeBicubicRaster({ ...source, channels: 3 }, outWidth, outHeight, region);
  return { width: out.width, height: out.height, data: out.data };
}

/**
 * Pillow's nearest-neighbour resize (`Image.resize` forces it for modes "P" and "1"): the
 * affine scale of Geometry.c `ImagingScaleAffine`, whose source positions are accumulated in
 * doubles from half a step (`xo = scale / 2; xo += scale`) and truncated. Returns only `region`.
 */
export function resizeNearestRaster(source: Raster<Uint8Array>, outWidth: number, outHeight: number, region?: Region): Raster<Uint8Array> {
  const { left, top, width, height } = region ?? { left: 0, top: 0, width: outWidth, height: outHeight };
  const channels = source.channels;
  const positions = (inSize: number, outSize: number): Int32Array => {
    const scale = inSize / outSize;
    const table = new Int32Array(outSize);
    let position = scale * 0.5;
    for (let i = 0; i < outSize; i++) {
      const index = position < 0 ? -1 : Math.trunc(position);
      // Outside the source, Pillow leaves the pixel at its zero fill.
      table[i] = index < inSize ? index : -1;
      position += scale;
    }
    return table;
  };
  const columns = positions(source.width, outWidth);
  const rows = positions(source.height, outHeight);
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const sourceRow = rows[top + y];
    if (sourceRow < 0) continue;
    for (let x = 0; x < width; x++) {
      const sourceColumn = columns[left + x];
      if (sourceColumn < 0) continue;
      const from = (sourceRow * source.width + sourceColumn) * channels;
      const to = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = source.data[from + c];
    }
  }
  return { width, height, channels, data: out };
}
