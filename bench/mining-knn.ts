/**
 * k-NN mining benchmark: N synthetic clustered rows (512 + 384 dims, bench/mining-data.ts),
 * K = 20, floor 0.8. The core's exact k-NN candidates (knnCandidates: blocked, WebAssembly SIMD
 * screen, one thread) in a fresh Node child against numpy + OpenBLAS doing the same exact k-NN
 * (blocked matrix products, top K per row with ties to the lower index, union over both
 * directions, DINO for the candidates). Time and peak RSS of each process (data included).
 *
 * `npm run bench` calls `runKnnBench` (N = 100,000; --quick: 10,000); alone:
 * `npx tsx bench/mining-knn.ts [--n N] [--out FILE]`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { knnCandidates } from '../src/core/mining/knn.ts';
import { simdAvailable } from '../src/core/mining/index.ts';
import { clusteredPair, CLIP_DIM, DINO_DIM } from './mining-data.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const K = 20;
const FLOOR = 0.8;

interface KnnFigures {
  seconds: number;
  candidates: number;
  peakRssMb: number;
  kernel?: string;
  threads?: number | null;
  numpy?: string;
}

/** In the child: generate the rows, mine, report. maxRSS covers the data and the mining. */
function childKnn(n: number): KnnFigures {
  const { clip, dino } = clusteredPair(n, 3);
  const start = performance.now();
  const { set } = knnCandidates(clip, dino, { k: K, floor: FLOOR });
  const seconds = (performance.now() - start) / 1000;
  set.filter({ clipMin: 0.9, dinoMax: 0.75 });
  return { seconds, candidates: set.size, peakRssMb: process.resourceUsage().maxRSS / 1024, kernel: simdAvailable() ? 'wasm-simd' : 'js' };
}

const NUMPY_SCRIPT = `
import json, resource, sys, time
import numpy as np
k, floor = ${K}, ${FLOOR}
clip = np.load(sys.argv[1]); dino = np.load(sys.argv[2])
n = clip.shape[0]
start = time.perf_counter()
clip = clip / np.linalg.norm(clip, axis=1, keepdims=True)
dino = dino / np.linalg.norm(dino, axis=1, keepdims=True)
block = 512                                          # 512 x N float32 similarities per step
rows_a, rows_b = [], []
for i0 in range(0, n, block):
    s = clip[i0:i0 + block] @ clip.T
    idx = np.arange(s.shape[0])
    s[idx, idx + i0] = -np.inf                       # self excluded
    s[s < floor] = -np.inf
    top = np.argpartition(-s, k, axis=1)[:, :k + 1]  # K + 1 so ties at the K-th can be resolved
    vals = np.take_along_axis(s, top, axis=1)
    order = np.lexsort((top, -vals), axis=1)[:, :k]  # similarity descending, then lower index
    nb = np.take_along_axis(top, order, axis=1); nv = np.take_along_axis(vals, order, axis=1)
    r, c = np.nonzero(np.isfinite(nv))
    a = r + i0; b = nb[r, c]
    rows_a.append(np.minimum(a, b)); rows_b.append(np.maximum(a, b))
a = np.concatenate(rows_a); b = np.concatenate(rows_b)
pairs = np.unique(a.astype(np.int64) * n + b)        # union over both directions
a = pairs // n; b = pairs % n
c = np.einsum('ij,ij->i', clip[a], clip[b]); d = np.einsum('ij,ij->i', dino[a], dino[b])
order = np.lexsort((b, a, -c))
a, b, c, d = a[order], b[order], c[order], d[order]
seconds = time.perf_counter() - start
try:
    from threadpoolctl import threadpool_info
    threads = max(x.get('num_threads', 0) for x in threadpool_info())
except Exception:
    import os
    threads = len(os.sched_getaffinity(0))           # OpenBLAS's default: one thread per available core
print(json.dumps({'seconds': seconds, 'candidates': int(len(a)), 'peakRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'threads': threads, 'numpy': np.__version__}))
`;

function encodeNpyF32(rows: number, cols: number, data: Float32Array): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

function numpyKnn(n: number): KnnFigures | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'knn-bench-'));
  try {
    const { clip, dino } = clusteredPair(n, 3);
    writeFileSync(join(dir, 'clip.npy'), encodeNpyF32(n, CLIP_DIM, clip.data));
    writeFileSync(join(dir, 'dino.npy'), encodeNpyF32(n, DINO_DIM, dino.data));
    // The python3 on PATH (a numpy with OpenBLAS), never the system one.
    const out = execFileSync('python3', ['-c', NUMPY_SCRIPT, join(dir, 'clip.npy'), join(dir, 'dino.npy')], { encoding: 'utf8', maxBuffer: 1 << 20 });
    return JSON.parse(out.trim().split('\n').pop() as string) as KnnFigures;
  } catch (error) {
    return { error: `numpy reference failed or is missing: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function nodeKnn(n: number): KnnFigures {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'mining-knn.ts'), '--child', String(n)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`k-NN benchmark child N = ${n} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop() as string) as KnnFigures;
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

/** The `mine.knn_n<N>` entry of bench/results/latest.json. */
export function runKnnBench(options: { quick: boolean; n?: number; log?: (line: string) => void }): Record<string, unknown> {
  const log = options.log ?? ((line: string) => console.error(line));
  const n = options.n ?? (options.quick ? 10_000 : 100_000);
  log(`bench: k-NN mining N = ${n}, K = ${K} in Node…`);
  const node = nodeKnn(n);
  log(`bench: k-NN mining N = ${n}, K = ${K} with numpy…`);
  const numpy = numpyKnn(n);
  const ref = 'error' in numpy ? null : numpy;
  return {
    [`knn_n${n}`]: {
      data: 'clustered',
      k: K,
      floor: FLOOR,
      dims: { clip: CLIP_DIM, dino: DINO_DIM },
      node_s: round(node.seconds),
      node_peak_rss_mb: round(node.peakRssMb, 1),
      kernel: node.kernel,
      candidates: node.candidates,
      numpy_s: ref ? round(ref.seconds) : null,
      numpy_peak_rss_mb: ref ? round(ref.peakRssMb, 1) : null,
      numpy_candidates: ref?.candidates ?? null,
      numpy_threads: ref?.threads ?? null,
      numpy_version: ref?.numpy ?? null,
      node_over_numpy: ref ? round(node.seconds / ref.seconds) : null,
      ...('error' in numpy ? { numpy_error: numpy.error } : {}),
      note: 'Node: the core on one thread (data generation included in peak RSS). numpy: OpenBLAS with its default threads (all cores), float32 products; candidate counts may differ by pairs within float32 rounding of the K-th neighbour.',
    },
  };
}

const invokedDirectly = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (invokedDirectly) {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    console.log(JSON.stringify(childKnn(Number(argv[1]))));
  } else {
    const n = argv.includes('--n') ? Number(argv[argv.indexOf('--n') + 1]) : undefined;
    const result = runKnnBench({ quick: argv.includes('--quick'), n });
    const out = argv.includes('--out') ? argv[argv.indexOf('--out') + 1] : undefined;
    if (out) writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    console.log(JSON.stringify(result, null, 2));
  }
}
