/**
 * `npm run bench [-- --quick] [-- --gpu]`: embedding and mining measured side by side with native
 * references on this machine, in one run. Writes bench/results/latest.json and latest.md
 * (gpu.json and gpu.md with --gpu: Chromium on the hardware WebGPU adapter through Vulkan, the
 * same keys, webgpu_over_native filled in; quick runs then time WebGPU too).
 * Targets are reported, never asserted.
 */
import { existsSync, mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchEmbedNode, type EmbedTiming } from './embed-node.ts';
import { HARDWARE_WEBGPU_ARGS, runPage, startBrowserRig, type BrowserRig } from './browser-runner.ts';
import { renderMarkdown } from './report.ts';
import { profileKernels } from './kernel-profile.ts';
import { runKnnBench } from './mining-knn.ts';
import { runRemineBench } from './remine-page.ts';
import { EMBED_BATCH } from '../src/app/embed-queue.ts';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const quick = process.argv.includes('--quick');
const skipBrowser = process.argv.includes('--no-browser');
/** On a machine with a GPU: Chromium's WebGPU on the hardware adapter (Vulkan); results go to gpu.{json,md}. */
const onGpu = process.argv.includes('--gpu');
const resultName = onGpu ? 'gpu' : 'latest';

const graphs = {
  vit_b16: { path: 'fixtures/full-size/vit-b16/onnx/vision_model.onnx', label: 'ViT-B/16 @224 -> 512 (BiomedCLIP/CLIP shape)' },
  vit_s14: { path: 'fixtures/full-size/vit-s14/onnx/model.onnx', label: 'ViT-S/14 @224 -> CLS 384 (DINOv2-small shape)' },
} as const;

type GraphId = keyof typeof graphs;

interface BrowserEmbed {
  backend: string;
  adapter: string | null;
  crossOriginIsolated: boolean;
  threads: number;
  loadMs: number;
  fetchMs: number;
  sessionMs: number;
  firstEmbeddingMs: number;
  timings: EmbedTiming[];
  /** Why nothing was timed (a software WebGPU adapter), when so. */
  note?: string;
  error?: string;
}

function versionOf(pkg: string): string {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

function ensureGraphs(): void {
  const quantized = (path: string) => path.replace(/\.onnx$/, '_quantized.onnx');
  if (Object.values(graphs).every((g) => existsSync(join(root, g.path)) && existsSync(join(root, quantized(g.path))))) return;
  console.error('bench: writing the full-size random-weight graphs (npm run fixtures -- --full-size)…');
  execFileSync('npx', ['tsx', 'scripts/make-fixtures.ts', '--full-size'], { cwd: root, stdio: 'inherit' });
}

async function embedBenchmarks(rig: BrowserRig | null) {
  const batches = quick ? [1, 4] : [1, 4, 8];
  const reps = quick ? 1 : 3;
  const out: Record<string, unknown> = {};
  for (const id of Object.keys(graphs) as GraphId[]) {
    const graph = graphs[id];
    console.error(`bench: ${graph.label}: onnxruntime-node…`);
    const native = await benchEmbedNode(join(root, graph.path), batches, reps);
    const browser: Record<string, BrowserEmbed> = {};
    if (rig) {
      for (const backend of quick && !onGpu ? ['wasm'] : ['wasm', 'webgpu']) {
        console.error(`bench: ${graph.label}: Chromium ${backend}…`);
        const query = new URLSearchParams({ model: `/${graph.path}`, backend, batches: batches.join(','), reps: String(reps) });
        browser[backend] = await runPage<BrowserEmbed>(rig, `/bench/browser/embed.html?${query}`, 'benchResult', 15 * 60_000);
      }
    }
    const best = (t: EmbedTiming[]) => Math.max(0, ...t.map((x) => x.imagesPerSecond));
    const wasm = browser.wasm;
    out[id] = {
      label: graph.label,
      native,
      browser,
      wasm_over_native: wasm && !wasm.error ? best(wasm.timings) / best(native.timings) : null,
      webgpu_over_native: browser.webgpu && !browser.webgpu.error && !browser.webgpu.note ? best(browser.webgpu.timings) / best(native.timings) : null,
      cold_start_ms: wasm?.firstEmbeddingMs ?? null,
      // Users' models come from Cache Storage or the hub, not from the bench's dev server.
      cold_start_without_fetch_ms: wasm && !wasm.error ? wasm.firstEmbeddingMs - wasm.fetchMs : null,
    };
  }
  if (rig) out.app_pipeline = await appPipelineBenchmarks(rig);
  if (rig) {
    console.error('bench: fp32 against q8 on WASM (speed and similarity drift)…');
    const query = new URLSearchParams({ images: String(quick ? 16 : 46), batch: '8' });
    out.precision = await runPage<Record<string, unknown>>(rig, `/bench/browser/precision.html?${query}`, 'precisionResult', 20 * 60_000);
  }
  const atAppBatch = (out.app_pipeline as { by_batch?: Record<string, { app_over_session?: number }> } | undefined)?.by_batch?.[EMBED_BATCH];
  out.app_over_session = atAppBatch?.app_over_session ?? null;
  console.error('bench: kernel profile (one thread, onnxruntime-web WASM in Node vs onnxruntime-node)…');
  out.kernel_profile = await profileKernels(join(root, graphs.vit_s14.path), quick);
  return out;
}

/**
 * The app's embedding path (pixels -> job queue -> both encoder workers -> both embeddings
 * stored) against the raw sessions on the same graphs, at the app's batch size; full runs also
 * time batches of 1 and 4, the measurement behind EMBED_BATCH.
 */
async function appPipelineBenchmarks(rig: BrowserRig): Promise<Record<string, unknown>> {
  const byBatch: Record<string, unknown> = {};
  for (const batch of quick ? [EMBED_BATCH] : [1, 4, EMBED_BATCH]) {
    console.error(`bench: the app's embedding path against the raw sessions (batch ${batch})…`);
    const query = new URLSearchParams({ n: String(quick ? EMBED_BATCH : 2 * EMBED_BATCH), batch: String(batch), backend: 'wasm' });
    byBatch[batch] = await runPage<Record<string, unknown>>(rig, `/bench/browser/embed-app.html?${query}`, 'appPipelineResult', 20 * 60_000);
  }
  return {
    measures: 'decoded 512 px pixels to both embeddings stored (embedPending, both encoder workers, preprocessing and IndexedDB included) against the raw onnxruntime-web sessions fed ready tensors, ViT-B/16 then ViT-S/14, WASM',
    app_batch: EMBED_BATCH,
    by_batch: byBatch,
  };
}

async function miningBenchmarks(rig: BrowserRig | null): Promise<Record<string, unknown>> {
  const path = join(root, 'bench', 'mining.ts');
  if (!existsSync(path)) return { note: 'bench/mining.ts is missing: mining was not measured.' };
  const mining = (await import(pathToFileURL(path).href)) as { runMiningBench: (o: { quick: boolean; rig: BrowserRig | null }) => Promise<Record<string, unknown>> };
  return mining.runMiningBench({ quick, rig });
}

const started = new Date();
ensureGraphs();
let rig: BrowserRig | null = null;
if (!skipBrowser) {
  try {
    rig = onGpu ? await startBrowserRig(root, [], HARDWARE_WEBGPU_ARGS) : await startBrowserRig(root);
  } catch (error) {
    console.error(`bench: no browser run (${error instanceof Error ? error.message : error}); native figures only.`);
  }
}
try {
  const embed = await embedBenchmarks(rig);
  const miningResult = await miningBenchmarks(rig);
  // k-NN mining (100,000 rows; 10,000 with --quick) joins the other mining figures as mine.knn_n<N>.
  miningResult.mine = { ...(miningResult.mine as Record<string, unknown> | undefined), ...runKnnBench({ quick }) };
  // The slider in the mounted App (N = 10,000; 5,000 with --quick): page and worker latency beside the Node re-mine figures.
  if (rig) {
    const remine = (miningResult.remine ?? {}) as Record<string, Record<string, unknown>>;
    for (const [key, figures] of Object.entries(await runRemineBench({ quick, rig }))) remine[key] = { ...remine[key], ...figures };
    miningResult.remine = remine;
  }
  const result = {
    date: started.toISOString(),
    quick,
    gpu: onGpu,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30) },
    versions: {
      node: process.version,
      chromium: rig?.chromiumVersion ?? null,
      onnxruntime_web: versionOf('onnxruntime-web'),
      onnxruntime_node: versionOf('onnxruntime-node'),
    },
    embed,
    ...miningResult,
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', `${resultName}.json`), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(root, 'bench', 'results', `${resultName}.md`), renderMarkdown(result));
  console.error(`bench: done in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s -> bench/results/${resultName}.{json,md}`);
} finally {
  await rig?.close();
}
