/**
 * The encoders' input pipelines, reproducing the Python references on a PIL image:
 * - open_clip (BiomedCLIP, OpenAI CLIP through open_clip): torchvision `Resize(shortestEdge,
 *   BICUBIC)`, `CenterCrop(cropSize)`, `ToTensor()`, `Normalize(mean, std)`;
 * - hf_bit / hf_clip (transformers BitImageProcessor, CLIPImageProcessor): resize the shortest
 *   edge with PIL bicubic, `center_crop`, rescale 1/255, normalise.
 * Both compute the long side as `int(shortestEdge * long / short)` (truncation); they differ in
 * the crop offset: torchvision rounds half to even (`int(round((size - crop) / 2))`), transformers
 * floors (`(size - crop) // 2`).
 */
import type { DecodedImage, RgbImage } from '../image.ts';
import type { PreprocessSpec } from './spec.ts';
import { resizeInNativeMode } from './native-mode.ts';
import { resizeBicubic, type Region } from './resample.ts';
import { toRgb8 } from './rgb.ts';

/** Where the crop window sits in the resized image. */
export interface PreprocessGeometry {
  resizedWidth: number;
  resizedHeight: number;
  left: number;
  top: number;
  cropSize: number;
}

/** Python's round(): ties go to the even neighbour. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

export function preprocessGeometry(width: number, height: number, spec: PreprocessSpec): PreprocessGeometry {
  if (width < 1 || height < 1) throw new Error(`An image of ${width}x${height} pixels cannot be preprocessed.`);
  if (spec.cropSize > spec.shortestEdge) {
    throw new Error(`The preprocessing spec crops ${spec.cropSize} from a short side of ${spec.shortestEdge}; the crop must fit.`);
  }
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const newLong = Math.trunc((spec.shortestEdge * long) / short);
  const resizedWidth = width <= height ? spec.shortestEdge : newLong;
  const resizedHeight = width <= height ? newLong : spec.shortestEdge;
  const offset =
    spec.pipeline === 'open_clip' ? (extra: number) => roundHalfEven(extra / 2) : (extra: number) => Math.floor(extra / 2);
  return {
    resizedWidth,
    resizedHeight,
    left: offset(resizedWidth - spec.cropSize),
    top: offset(resizedHeight - spec.cropSize),
    cropSize: spec.cropSize,
  };
}

const normaliseTables = new WeakMap<PreprocessSpec, Float32Array[]>();

/**
 * Per channel, the normalised float32 value of each byte, computed in float32 steps as
 * torchvision does (`x / 255`, `- mean`, `/ std`).
 */
function normaliseTable(spec: PreprocessSpec): Float32Array[] {
  let tables = normaliseTables.get(spec);
  if (!tables) {
    tables = [0, 1, 2].map((c) => {
      const table = new Float32Array(256);
      const mean = Math.fround(spec.mean[c]);
      const std = Math.fround(spec.std[c]);
      for (let v = 0; v < 256; v++) table[v] = Math.fround(Math.fround(Math.fround(v / 255) - mean) / std);
      return table;
    });
    normaliseTables.set(spec, tables);
  }
  return tables;
}

function cropRegion(g: PreprocessGeometry): Region {
  return { left: g.left, top: g.top, width: g.cropSize, height: g.cropSize };
}

/**
 * Resized and centre-cropped 8-bit RGB, the pixels the encoder's tensor is made of. An image that
 * carries its decoded original (`native`) goes through open_clip's resize-before-convert.
 */
export function resizeAndCrop(image: RgbImage, spec: PreprocessSpec): RgbImage {
  if (image.native && spec.pipeline === 'open_clip') return resizeAndCropDecoded(image.native, spec);
  const g = preprocessGeometry(image.width, image.height, spec);
  return resizeBicubic(image, g.resizedWidth, g.resizedHeight, cropRegion(g));
}

/**
 * {@link resizeAndCrop} from the decoded image, in the order the reference applies: open_clip
 * resizes in the image's own mode and converts to RGB last (which matters for alpha and 16-bit
 * grey); transformers converts to RGB first.
 */
export function resizeAndCropDecoded(image: DecodedImage, spec: PreprocessSpec): RgbImage {
  if (spec.pipeline !== 'open_clip') {
    const g = preprocessGeometry(image.width, image.height, spec);
    return resizeBicubic(toRgb8(image), g.resizedWidth, g.resizedHeight, cropRegion(g));
  }
  const g = preprocessGeometry(image.width, image.height, spec);
  return resizeInNativeMode(image, g.resizedWidth, g.resizedHeight, cropRegion(g));
}

/**
 * The exact input tensor of an encoder for an 8-bit RGB image: float32 CHW `[3, crop, crop]`,
 * normalised. Writes at `target`'s `offset` (in floats) to fill a batch without copying.
 */
export function preprocess(image: RgbImage, spec: PreprocessSpec, target?: Float32Array, offset = 0): Float32Array {
  return normalise(resizeAndCrop(image, spec), spec, target, offset);
}

/**
 * The exact input tensor of an encoder for a decoded image of any layout and bit depth (what
 * the CLI and the workers use): float32 CHW `[3, crop, crop]`, normalised.
 */
export function preprocessDecoded(image: DecodedImage, spec: PreprocessSpec, target?: Float32Array, offset = 0): Float32Array {
  return normalise(resizeAndCropDecoded(image, spec), spec, target, offset);
}

/** 8-bit RGB crop -> normalised CHW float32. */
export function normalise(crop: RgbImage, spec: PreprocessSpec, target?: Float32Array, offset = 0): Float32Array {
  const plane = spec.cropSize * spec.cropSize;
  if (crop.width * crop.height !== plane) throw new Error(`Expected a ${spec.cropSize}x${spec.cropSize} crop, found ${crop.width}x${crop.height}.`);
  const out = target ?? new Float32Array(3 * plane);
  if (out.length < offset + 3 * plane) throw new Error(`The target tensor is too small for a ${spec.cropSize}x${spec.cropSize} image.`);
  const [red, green, blue] = normaliseTable(spec);
  const pixels = crop.data;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[offset + i] = red[pixels[p]];
    out[offset + plane + i] = green[pixels[p + 1]];
    out[offset + 2 * plane + i] = blue[pixels[p + 2]];
  }
  return out;
}

/** De-normalises a `[3, crop, crop]` tensor back to opaque RGBA pixels ("what the encoder sees"). */
export function tensorToDisplayRgba(tensor: Float32Array, spec: PreprocessSpec): Uint8ClampedArray {
  const plane = spec.cropSize * spec.cropSize;
  if (tensor.length < 3 * plane) throw new Error(`Expected a [3, ${spec.cropSize}, ${spec.cropSize}] tensor, found ${tensor.length} values.`);
  const rgba = new Uint8ClampedArray(plane * 4);
  for (let c = 0; c < 3; c++) {
    const mean = spec.mean[c];
    const std = spec.std[c];
    for (let i = 0; i < plane; i++) rgba[i * 4 + c] = Math.round((tensor[c * plane + i] * std + mean) * 255);
  }
  for (let i = 0; i < plane; i++) rgba[i * 4 + 3] = 255;
  return rgba;
}
