/** Encoder input preprocessing: PIL-exact RGB conversion, bicubic resize, crop and normalisation. */
export { cmykToRgb, toRgb8 } from './rgb.ts';
export { bicubicAxis, resizeBicubic, resizeBicubicRaster, resizeNearestRaster, type Raster, type ResampleAxis, type Region } from './resample.ts';
export { encoderInput, needsNativeResize, resizeInNativeMode } from './native-mode.ts';
export {
  normalise,
  preprocess,
  preprocessDecoded,
  preprocessGeometry,
  resizeAndCrop,
  resizeAndCropDecoded,
  tensorToDisplayRgba,
  type PreprocessGeometry,
} from './pipeline.ts';
export * from './spec.ts';
