/**
 * Why the browser embeds slower than native, measured rather than guessed: the MatMul shapes of
 * one ViT-S/14 block timed on one thread in onnxruntime-web's WASM build (the very binary Chromium
 * runs, loaded here in Node) and in onnxruntime-node, and a per-operator profile of a whole graph
 * in both runtimes. One thread on each side, so the figures compare kernels, not thread pools.
 */
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import * as ortNode from 'onnxruntime-node';
import { GraphBuilder } from '../src/core/onnx/graph-builder.ts';

/** [M, K, N] of qkv, attention projection, fc1 and fc2 in a ViT-S/14 block at 224 px (257 tokens). */
const VIT_S14_BLOCK_MATMULS: [number, number, number][] = [
  [257, 384, 1152],
  [257, 384, 384],
  [257, 384, 1536],
  [257, 1536, 384],
];

export interface KernelProfile {
  note: string;
  matmul: { shapes: string; wasm_gflops: number; native_gflops: number; wasm_over_native: number };
  ops: { wasm: OpShare[]; native: OpShare[] } | null;
}

interface OpShare {
  op: string;
  ms: number;
  share: number;
}

function matmulGraph(): Uint8Array {
  const g = new GraphBuilder('vit_s14_block_matmuls');
  VIT_S14_BLOCK_MATMULS.forEach(([m, k, n], i) => {
    const x = g.input(`x${i}`, [1, m, k]);
    const w = g.weight(`w${i}`, [k, n], new Float32Array(k * n).map((_, j) => Math.sin(j * 0.37) * 0.05));
    g.op('MatMul', [x, w], {}, `y${i}`);
    g.output(`y${i}`, [1, m, n]);
  });
  return g.toBytes();
}

type Feeds<T> = Record<string, T>;

function matmulFeeds<T>(make: (data: Float32Array, dims: number[]) => T): Feeds<T> {
  const feeds: Feeds<T> = {};
  VIT_S14_BLOCK_MATMULS.forEach(([m, k], i) => {
    feeds[`x${i}`] = make(new Float32Array(m * k).map((_, j) => Math.cos(j * 0.011)), [1, m, k]);
  });
  return feeds;
}

/** Best of `rounds` means of `reps` runs, in ms: the least-disturbed estimate on a busy machine. */
async function bestMs(run: () => Promise<unknown>, rounds: number, reps: number): Promise<number> {
  await run();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < reps; i++) await run();
    best = Math.min(best, (performance.now() - start) / reps);
  }
  return best;
}

async function matmulThroughput(quick: boolean): Promise<KernelProfile['matmul']> {
  const flops = VIT_S14_BLOCK_MATMULS.reduce((sum, [m, k, n]) => sum + 2 * m * k * n, 0);
  const bytes = matmulGraph();
  ortWeb.env.wasm.numThreads = 1;
  const web = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const native = await ortNode.InferenceSession.create(bytes, { intraOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const webFeeds = matmulFeeds((d, dims) => new ortWeb.Tensor('float32', d, dims));
  const nativeFeeds = matmulFeeds((d, dims) => new ortNode.Tensor('float32', d, dims));
  const rounds = quick ? 3 : 5;
  const webMs = await bestMs(() => web.run(webFeeds), rounds, 5);
  const nativeMs = await bestMs(() => native.run(nativeFeeds), rounds, 5);
  await web.release();
  await native.release();
  const gflops = (ms: number) => flops / ms / 1e6;
  return {
    shapes: VIT_S14_BLOCK_MATMULS.map((s) => s.join('x')).join(', '),
    wasm_gflops: gflops(webMs),
    native_gflops: gflops(nativeMs),
    wasm_over_native: nativeMs / webMs,
  };
}

interface ProfileEvent {
  cat?: string;
  name?: string;
  dur?: number;
  args?: { op_name?: string };
}

function shares(events: ProfileEvent[], runs: number): OpShare[] {
  const byOp = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.op_name) continue;
    byOp.set(e.args.op_name, (byOp.get(e.args.op_name) ?? 0) + (e.dur ?? 0));
  }
  const total = [...byOp.values()].reduce((a, b) => a + b, 0);
  return [...byOp.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([op, us]) => ({ op, ms: us / runs / 1000, share: us / total }));
}

/** The WASM side runs in a child process: see bench/wasm-profile-child.ts for why. */
function wasmOpProfile(modelPath: string, runs: number): ProfileEvent[] {
  const child = fileURLToPath(new URL('./wasm-profile-child.ts', import.meta.url));
  const text = execFileSync(process.execPath, ['--import', 'tsx', child, modelPath, String(runs)], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  const start = text.indexOf('[');
  const end = text.lastIndexOf(']');
  return start >= 0 && end > start ? (JSON.parse(text.slice(start, end + 1)) as ProfileEvent[]) : [];
}

async function nativeOpProfile(modelPath: string, feeds: Feeds<ortNode.Tensor>, runs: number): Promise<ProfileEvent[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ort-profile-'));
  try {
    const session = await ortNode.InferenceSession.create(modelPath, {
      intraOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      enableProfiling: true,
      profileFilePrefix: join(dir, 'native'),
    });
    for (let i = 0; i < runs; i++) await session.run(feeds);
    session.endProfiling();
    await session.release();
    const file = readdirSync(dir).find((f) => f.endsWith('.json'));
    return file ? (JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[]) : [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Kernel throughput and operator shares; `modelPath` is a full-size graph with input [B,3,224,224]. */
export async function profileKernels(modelPath: string, quick: boolean): Promise<KernelProfile> {
  const matmul = await matmulThroughput(quick);
  let ops: KernelProfile['ops'] = null;
  try {
    const runs = quick ? 2 : 4;
    const pixels = new Float32Array(3 * 224 * 224).map((_, i) => Math.sin(i * 0.00037) * 1.7);
    const probe = await ortNode.InferenceSession.create(modelPath);
    const input = probe.inputNames[0];
    await probe.release();
    const wasm = wasmOpProfile(modelPath, runs);
    const native = await nativeOpProfile(modelPath, { [input]: new ortNode.Tensor('float32', pixels, [1, 3, 224, 224]) }, runs);
    ops = { wasm: shares(wasm, runs), native: shares(native, runs) };
  } catch (error) {
    console.error(`bench: operator profile skipped (${error instanceof Error ? error.message : error})`);
  }
  return {
    note:
      'One thread each side. onnxruntime-web runs MLAS with 128-bit WebAssembly SIMD (4 float lanes, separate multiply and add: no FMA in baseline wasm SIMD); ' +
      'onnxruntime-node runs MLAS with AVX2/FMA (8 lanes, fused multiply-add) on this CPU, so its GEMM peak is about 4x higher per core. ' +
      'MatMul is most of a ViT forward pass, so the whole-graph WASM/native ratio follows the GEMM ratio.',
    matmul,
    ops,
  };
}
