/**
 * Graph fragments shared by the encoder graphs (ViT image towers, the BERT text tower, the
 * fixtures), so each numeric rule is written once: exact GELU, L2 normalisation of rows, and
 * PyTorch-layout weights streamed into an ONNX graph.
 */
import type { GraphBuilder } from './graph-builder.ts';

/** `[rows, cols]` row-major -> `[cols, rows]`. */
export function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    const rowStart = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = values[rowStart + c];
  }
  return out;
}

/**
 * A parameter in PyTorch layout. `linear-weight` tensors are `[out, in]` and are transposed to
 * `[in, out]` for MatMul while streaming, so converters can hand tensors over as stored.
 */
export interface StreamedParameter {
  name: string;
  shape: number[];
  role: string;
}

/** Adds `parameter` as a lazily produced initializer, transposing Linear weights on the way. */
export function streamedWeight<P extends StreamedParameter>(
  g: GraphBuilder,
  parameter: P,
  weights: (parameter: P) => Float32Array | Promise<Float32Array>,
): string {
  if (parameter.role === 'linear-weight') {
    const [out, inp] = parameter.shape;
    // Stays synchronous for synchronous sources, so small seeded graphs can still use toBytes().
    return g.lazyWeight(parameter.name, [inp, out], () => {
      const values = weights(parameter);
      return values instanceof Promise ? values.then((v) => transpose2d(v, out, inp)) : transpose2d(values, out, inp);
    });
  }
  return g.lazyWeight(parameter.name, parameter.shape, () => weights(parameter));
}

/**
 * Exact GELU, 0.5 * h * (1 + erf(h / sqrt 2)), as PyTorch's nn.GELU() and BERT's "gelu". The node
 * order is the one torch.onnx exports (Div, Erf, Add, Mul, Mul): onnxruntime fuses exactly that
 * pattern into one Gelu kernel. Returns a function so the three constants are added once per graph.
 */
export function exactGelu(g: GraphBuilder): (h: string) => string {
  const sqrt2 = g.weight('gelu_sqrt2', [1], new Float32Array([Math.SQRT2]));
  const one = g.weight('gelu_one', [1], new Float32Array([1]));
  const half = g.weight('gelu_half', [1], new Float32Array([0.5]));
  return (h) => g.op('Mul', [g.op('Mul', [h, g.op('Add', [g.op('Erf', [g.op('Div', [h, sqrt2])]), one])]), half]);
}

/**
 * open_clip's F.normalize(x, dim=-1) = x / max(||x||, 1e-12) on `[B, D]` rows, written to
 * `outputName`.
 */
export function l2NormaliseRows(g: GraphBuilder, x: string, outputName: string): string {
  const sumSq = g.op('ReduceSum', [g.op('Mul', [x, x]), g.int64(`${outputName}_l2_axes`, [1])], { keepdims: 1 });
  const norm = g.op('Max', [g.op('Sqrt', [sumSq]), g.weight(`${outputName}_l2_eps`, [1], new Float32Array([1e-12]))]);
  return g.op('Div', [x, norm], {}, outputName);
}

/**
 * A Linear weight quantised as onnxruntime's `quantize_dynamic` does with uint8 weights: one
 * asymmetric scale and zero point per tensor over the range including 0 (rmin = min(0, w), rmax =
 * max(0, w), scale = (rmax - rmin) / 255, q = clamp(round(w / scale) + zp, 0, 255)). The scale and
 * zero point are initializers written after the weight, from the values it was quantised with.
 */
export function quantizedLinearWeight<P extends StreamedParameter>(
  g: GraphBuilder,
  parameter: P,
  weights: (parameter: P) => Float32Array | Promise<Float32Array>,
): { weight: string; scale: string; zeroPoint: string } {
  const [out, inp] = parameter.shape;
  let scale = 1;
  let zeroPoint = 0;
  const quantise = (values: Float32Array): Uint8Array => {
    const transposed = transpose2d(values, out, inp);
    let rmin = 0;
    let rmax = 0;
    for (const v of transposed) {
      if (v < rmin) rmin = v;
      if (v > rmax) rmax = v;
    }
    scale = rmax > rmin ? (rmax - rmin) / 255 : 1;
    zeroPoint = Math.min(255, Math.max(0, Math.round(-rmin / scale)));
    const q = new Uint8Array(transposed.length);
    for (let i = 0; i < transposed.length; i++) q[i] = Math.min(255, Math.max(0, Math.round(transposed[i] / scale) + zeroPoint));
    return q;
  };
  const weight = g.lazyUint8(`${parameter.name}_quantized`, [inp, out], () => {
    const values = weights(parameter);
    return values instanceof Promise ? values.then(quantise) : quantise(values);
  });
  return {
    weight,
    scale: g.lazyWeight(`${parameter.name}_scale`, [], () => new Float32Array([scale])),
    zeroPoint: g.lazyUint8(`${parameter.name}_zero_point`, [], () => Uint8Array.of(zeroPoint)),
  };
}

/**
 * x @ W with W quantised (see quantizedLinearWeight) and x quantised per call, the pattern
 * `quantize_dynamic` writes: DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul by both scales
 * (onnxruntime fuses it into one kernel).
 */
export function quantizedMatMul(g: GraphBuilder, x: string, w: { weight: string; scale: string; zeroPoint: string }): string {
  const [xq, xScale, xZeroPoint] = g.opOutputs('DynamicQuantizeLinear', [x], 3);
  const product = g.op('MatMulInteger', [xq, w.weight, xZeroPoint, w.zeroPoint]);
  const FLOAT_TYPE = 1;
  return g.op('Mul', [g.op('Cast', [product], { to: FLOAT_TYPE }), g.op('Mul', [xScale, w.scale])]);
}
