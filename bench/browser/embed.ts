/**
 * Browser side of `npm run bench`: embeds synthetic batches with the full-size random-weight
 * graphs in a worker (the same OrtSessionHost the engine tests use) and reports images/s.
 * Parameters come from the query string; the result is published on `window.benchResult`.
 */
import * as Comlink from 'comlink';
import type { OrtSessionHost } from '../../src/workers/ort-session.worker.ts';
import { probeBackend } from '../../src/workers/backend-probe.ts';

interface BrowserEmbedResult {
  backend: string;
  adapter: string | null;
  crossOriginIsolated: boolean;
  threads: number;
  loadMs: number;
  fetchMs: number;
  sessionMs: number;
  firstEmbeddingMs: number;
  timings: { batch: number; msPerBatch: number; imagesPerSecond: number }[];
  /** Why nothing was timed (a software WebGPU adapter), when so. */
  note?: string;
  error?: string;
}

declare global {
  interface Window {
    benchResult?: BrowserEmbedResult;
  }
}

const params = new URLSearchParams(location.search);
const model = params.get('model') ?? '';
const backend = (params.get('backend') ?? 'wasm') as 'wasm' | 'webgpu';
const batches = (params.get('batches') ?? '1,4,8').split(',').map(Number);
const reps = Number(params.get('reps') ?? '3');
/** `&webgpu=force` times WebGPU on a software adapter too (manual runs: a ViT-B/16 there takes most of an hour). */
const forceSoftwareWebGpu = params.get('webgpu') === 'force';

function batchData(batch: number): Float32Array {
  const data = new Float32Array(batch * 3 * 224 * 224);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.00037) * 1.7;
  return data;
}

/** A result with nothing timed, for a skipped or failed run. */
function untimed(adapter: string | null, crossOriginIsolated: boolean): BrowserEmbedResult {
  return { backend, adapter, crossOriginIsolated, threads: 0, loadMs: 0, fetchMs: 0, sessionMs: 0, firstEmbeddingMs: 0, timings: [] };
}

async function main(): Promise<BrowserEmbedResult> {
  const probe = await probeBackend();
  const adapter = probe.webgpu ? `${probe.webgpu.vendor} ${probe.webgpu.architecture}${probe.webgpu.isFallbackAdapter ? ' (fallback)' : ''}` : null;
  if (backend === 'webgpu' && (!probe.webgpu || probe.webgpu.isFallbackAdapter) && !forceSoftwareWebGpu) {
    // As the mining bench does: the app never runs encoders on a software adapter (WASM is faster
    // there), so timing one would only make the full run outlast its wait on CPU-only machines.
    return {
      ...untimed(adapter, probe.crossOriginIsolated),
      note: probe.webgpu
        ? 'Only a software (fallback) WebGPU adapter is available, which the app does not use for encoders: the WebGPU graphs were not timed.'
        : 'No WebGPU adapter is available: the WebGPU graphs were not timed.',
    };
  }
  const host = Comlink.wrap<OrtSessionHost>(new Worker(new URL('../../src/workers/ort-session.worker.ts', import.meta.url), { type: 'module' }));
  // Fetching from the bench's dev server says nothing about users (their models come from Cache
  // Storage or the hub), so the fetch is timed apart from creating the session.
  const t0 = performance.now();
  const response = await fetch(model);
  if (!response.ok) throw new Error(`Could not fetch ${model}: HTTP ${response.status}.`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const fetchMs = performance.now() - t0;
  const t1 = performance.now();
  const info = await host.load('m', Comlink.transfer(bytes, [bytes.buffer]), backend, true);
  const sessionMs = performance.now() - t1;
  const loadMs = performance.now() - t0;
  const input = info.inputs[0];
  await host.run('m', input, batchData(1), [1, 3, 224, 224]);
  const firstEmbeddingMs = performance.now();
  const timings = [];
  for (const batch of batches) {
    const data = batchData(batch);
    await host.run('m', input, data.slice(), [batch, 3, 224, 224]);
    const start = performance.now();
    for (let r = 0; r < reps; r++) await host.run('m', input, data.slice(), [batch, 3, 224, 224]);
    const ms = (performance.now() - start) / reps;
    timings.push({ batch, msPerBatch: ms, imagesPerSecond: (batch * 1000) / ms });
  }
  return {
    backend,
    adapter,
    crossOriginIsolated: probe.crossOriginIsolated,
    threads: probe.crossOriginIsolated ? Math.min(4, probe.hardwareConcurrency) : 1,
    loadMs,
    fetchMs,
    sessionMs,
    firstEmbeddingMs,
    timings,
  };
}

main()
  .then((r) => (window.benchResult = r))
  .catch((e: unknown) => {
    window.benchResult = { ...untimed(null, globalThis.crossOriginIsolated), error: e instanceof Error ? e.message : String(e) };
  })
  .finally(() => {
    const log = document.getElementById('log');
    if (log) log.textContent = JSON.stringify(window.benchResult, null, 2);
  });
