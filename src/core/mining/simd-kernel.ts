/**
 * A WebAssembly SIMD (f32x4) kernel for the screening pass: partial dot products of a tile of
 * rows against another tile, 1 x 4 register-blocked. The module is assembled here from a few
 * opcodes (no toolchain, no binary asset) and used wherever WebAssembly SIMD validates; the
 * plain JavaScript loop in screen.ts is the fallback. Its float32 accumulation only decides
 * which pairs are computed exactly, with a slack that covers its rounding.
 */

const OP = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b,
  localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Const: 0x41, i32GeU: 0x4f, i32Add: 0x6a, i32Mul: 0x6c, i32Shl: 0x74,
  f32Store: 0x38, f32Add: 0x92, simd: 0xfd,
} as const;
const SIMD = { load: 0x00, const: 0x0c, f32x4ExtractLane: 0x1f, f32x4Add: 0xe4, f32x4Mul: 0xe6 } as const;
const I32 = 0x7f;
const V128 = 0x7b;

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  return [...uleb(text.length), ...[...text].map((c) => c.charCodeAt(0))];
}

// Locals: parameters first, then the function's own.
const [A_OFF, N_A, B_OFF, N_B, DIMS, OUT_OFF] = [0, 1, 2, 3, 4, 5];
const [I, J, K, ROW_BYTES, A_ROW, A_ROW2, B0, B1, B2, B3, OUT, OUT2] = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
const [X, Y, ACC] = [18, 19, 20]; // ACC .. ACC + 7: row x column accumulators

const get = (l: number) => [OP.localGet, l];
const set = (l: number) => [OP.localSet, l];
const i32 = (v: number) => [OP.i32Const, ...sleb(v)];
const simd = (op: number, ...rest: number[]) => [OP.simd, ...uleb(op), ...rest];
const loadV128 = (addr: number[]) => [...addr, ...simd(SIMD.load, 2, 0)];
const add = (x: number, y: number) => [...get(x), ...get(y), OP.i32Add];
const accumulate = (acc: number, row: number, col: number) => [
  ...get(acc), ...get(row), ...get(col), ...simd(SIMD.f32x4Mul), ...simd(SIMD.f32x4Add), ...set(acc),
];
const lane = (acc: number, n: number) => [...get(acc), ...simd(SIMD.f32x4ExtractLane, n)];
const storeSum = (base: number, acc: number, offset: number) => [
  ...get(base),
  ...lane(acc, 0), ...lane(acc, 1), OP.f32Add, ...lane(acc, 2), ...lane(acc, 3), OP.f32Add, OP.f32Add,
  OP.f32Store, 2, ...uleb(offset),
];
const zeroV128 = [...simd(SIMD.const, ...new Array<number>(16).fill(0))];
const B = [B0, B1, B2, B3];

/**
 * screen(aOff, nA, bOff, nB, dims, outOff): out[i * nB + j] = sum_k A[i][k] B[j][k], two rows of
 * A by four of B per step. nA is rounded up to even and nB must be a multiple of 4 (the caller
 * pads memory), dims a multiple of 4.
 */
function kernelBody(): number[] {
  const inner: number[] = [
    ...loadV128(add(A_ROW, K)), ...set(X),
    ...loadV128(add(A_ROW2, K)), ...set(Y),
  ];
  for (let c = 0; c < 4; c++) {
    const col = ACC + 8; // scratch v128 local for the B column
    inner.push(...loadV128(add(B[c], K)), ...set(col));
    inner.push(...accumulate(ACC + c, X, col), ...accumulate(ACC + 4 + c, Y, col));
  }
  const zeroAll: number[] = [];
  for (let c = 0; c < 8; c++) zeroAll.push(...zeroV128, ...set(ACC + c));
  const stores: number[] = [];
  for (let c = 0; c < 4; c++) stores.push(...storeSum(OUT, ACC + c, 4 * c), ...storeSum(OUT2, ACC + 4 + c, 4 * c));
  const code = [
    ...get(DIMS), ...i32(2), OP.i32Shl, ...set(ROW_BYTES),
    ...get(A_OFF), ...set(A_ROW),
    ...i32(0), ...set(I),
    OP.block, 0x40, OP.loop, 0x40,
    ...get(I), ...get(N_A), OP.i32GeU, OP.brIf, 1,
    ...add(A_ROW, ROW_BYTES), ...set(A_ROW2),
    ...get(OUT_OFF), ...get(I), ...get(N_B), OP.i32Mul, ...i32(2), OP.i32Shl, OP.i32Add, OP.localTee, OUT,
    ...get(N_B), ...i32(2), OP.i32Shl, OP.i32Add, ...set(OUT2),
    ...i32(0), ...set(J),
    ...get(B_OFF), ...set(B0),
    OP.block, 0x40, OP.loop, 0x40,
    ...get(J), ...get(N_B), OP.i32GeU, OP.brIf, 1,
    ...add(B0, ROW_BYTES), OP.localTee, B1, ...get(ROW_BYTES), OP.i32Add, OP.localTee, B2,
    ...get(ROW_BYTES), OP.i32Add, ...set(B3),
    ...zeroAll,
    ...i32(0), ...set(K),
    OP.block, 0x40, OP.loop, 0x40,
    ...get(K), ...get(ROW_BYTES), OP.i32GeU, OP.brIf, 1,
    ...inner,
    ...get(K), ...i32(16), OP.i32Add, ...set(K),
    OP.br, 0,
    OP.end, OP.end,
    ...stores,
    ...get(OUT), ...i32(16), OP.i32Add, ...set(OUT),
    ...get(OUT2), ...i32(16), OP.i32Add, ...set(OUT2),
    ...get(J), ...i32(4), OP.i32Add, ...set(J),
    ...get(B3), ...get(ROW_BYTES), OP.i32Add, ...set(B0),
    OP.br, 0,
    OP.end, OP.end,
    ...get(A_ROW2), ...get(ROW_BYTES), OP.i32Add, ...set(A_ROW),
    ...get(I), ...i32(2), OP.i32Add, ...set(I),
    OP.br, 0,
    OP.end, OP.end,
    OP.end,
  ];
  const locals = vector([[12, I32], [11, V128]]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const type = section(1, vector([[0x60, ...vector([[I32], [I32], [I32], [I32], [I32], [I32]]), 0]]));
  const functions = section(3, vector([[0]]));
  const memory = section(5, vector([[0x00, 1]]));
  const exports = section(7, vector([[...name('screen'), 0x00, 0], [...name('memory'), 0x02, 0]]));
  const code = section(10, vector([kernelBody()]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...functions, ...memory, ...exports, ...code]);
}

/** One instance of the kernel with its own memory. */
export interface SimdKernel {
  memory: WebAssembly.Memory;
  screen(aOff: number, nA: number, bOff: number, nB: number, dims: number, outOff: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** A fresh kernel instance, or null where WebAssembly SIMD is unavailable. */
export function createSimdKernel(): SimdKernel | null {
  if (compiled === undefined) {
    try {
      const bytes = moduleBytes();
      compiled = typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  if (!compiled) return null;
  const instance = new WebAssembly.Instance(compiled, {});
  return instance.exports as unknown as SimdKernel;
}
