/**
 * Browser side of `embed.app_over_session`: the app's whole embedding path (decoded pixels ->
 * the durable job queue -> both encoder workers, preprocessing included -> both embeddings
 * stored in IndexedDB, `embedPending` exactly as the app calls it) against the raw onnxruntime
 * session on the same full-size graphs and backend, fed ready tensors, one graph after the other.
 * The ratio says what everything around the model costs. Query: ?n=16&batch=8&backend=wasm.
 * Publishes `window.appPipelineResult`.
 */
import * as Comlink from 'comlink';
import type { OrtSessionHost } from '../../src/workers/ort-session.worker.ts';
import { EncoderClient } from '../../src/workers/encoder.client.svelte.ts';
import { embedPending, EMBED_BATCH } from '../../src/app/embed-queue.ts';
import { getEncoder, type EncoderEntry } from '../../src/core/encoders/registry.ts';
import { openStore } from '../../src/store/index.ts';
import type { RgbImage } from '../../src/core/image.ts';

interface AppPipelineResult {
  backend: string;
  images: number;
  batch: number;
  /** Raw sessions, ready tensors, the two graphs one after the other: seconds for `images`. */
  session_s: number;
  /** The app's path for the same images with both encoders: seconds. */
  app_s: number;
  session_images_per_second: number;
  app_images_per_second: number;
  app_over_session: number;
  error?: string;
}

declare global {
  interface Window {
    appPipelineResult?: AppPipelineResult | { error: string };
  }
}

const params = new URLSearchParams(location.search);
const n = Number(params.get('n') ?? '16');
const batch = Number(params.get('batch') ?? String(EMBED_BATCH));
const backend = (params.get('backend') ?? 'wasm') as 'wasm' | 'webgpu';
const log = document.getElementById('log')!;
const MODELS = '/fixtures/full-size/';

/** The full-size random-weight graphs as self-hosted encoders with the real contracts. */
function benchEntry(base: 'fixture-clip' | 'fixture-dino', folder: string): EncoderEntry {
  const entry: EncoderEntry = { ...getEncoder(base), id: `bench-${folder}`, source: { kind: 'self-hosted', folder, revision: 'bench' } };
  delete entry.text;
  return entry;
}
const entries = [benchEntry('fixture-clip', 'vit-b16'), benchEntry('fixture-dino', 'vit-s14')];

/** A distinct 512 x 512 "scan" per index, as ingest would hand it over. */
function image(index: number): RgbImage {
  const side = 512;
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = (Math.sin((x + index * 7) * 0.03) * Math.cos((y - index * 5) * 0.02) * 0.5 + 0.5) * 255;
      data.fill(v, (y * side + x) * 3, (y * side + x) * 3 + 3);
    }
  }
  return { width: side, height: side, data };
}

/** Seconds the raw sessions take for `n` images at `batch`, each graph alone, after a warm-up run. */
async function sessionSeconds(): Promise<number> {
  const worker = new Worker(new URL('../../src/workers/ort-session.worker.ts', import.meta.url), { type: 'module' });
  const host = Comlink.wrap<OrtSessionHost>(worker);
  let total = 0;
  try {
    for (const entry of entries) {
      const file = `${MODELS}${(entry.source as { folder: string }).folder}/${entry.files.fp32}`;
      const bytes = new Uint8Array(await (await fetch(file)).arrayBuffer());
      const info = await host.load(entry.id, Comlink.transfer(bytes, [bytes.buffer]), backend, true);
      const tensor = new Float32Array(batch * 3 * 224 * 224).map((_, i) => Math.sin(i * 0.00037) * 1.7);
      await host.run(entry.id, info.inputs[0], tensor.slice(), [batch, 3, 224, 224]);
      const start = performance.now();
      for (let done = 0; done < n; done += batch) {
        const size = Math.min(batch, n - done);
        await host.run(entry.id, info.inputs[0], tensor.slice(0, size * 3 * 224 * 224), [size, 3, 224, 224]);
      }
      total += (performance.now() - start) / 1000;
    }
  } finally {
    worker.terminate();
  }
  return total;
}

/** Seconds the app's queue takes to embed and store `n` page-held images with both encoders. */
async function appSeconds(): Promise<number> {
  const store = await openStore({ name: `bench-embed-app-${Date.now()}` });
  const clients = entries.map((_, k) => new EncoderClient(k === 0 ? 'clip' : 'dino'));
  try {
    const loaded = await Promise.all(clients.map((client, k) => client.load(entries[k], { backend, batchSize: batch, localModelPath: MODELS })));
    // Warm-up outside the timing, as the session side has: first runs allocate and compile.
    await Promise.all(clients.map((client) => client.embed([{ id: 'warm', image: image(999) }])));
    const pixels = new Map<string, RgbImage>();
    for (let i = 0; i < n; i++) pixels.set(`bench-${String(i).padStart(4, '0')}`, image(i));
    for (const [k, result] of loaded.entries()) await store.jobs.enqueue([...pixels.keys()], entries[k].id, result.revisionKey);
    const start = performance.now();
    await embedPending(store, clients, pixels, batch, () => false);
    const seconds = (performance.now() - start) / 1000;
    for (const [k, result] of loaded.entries()) {
      const stored = await store.embeddings.hashes(entries[k].id, result.revisionKey);
      if (stored.length !== n) throw new Error(`${entries[k].id}: ${stored.length} of ${n} embeddings stored.`);
    }
    return seconds;
  } finally {
    for (const client of clients) client.dispose();
    store.close();
  }
}

async function main(): Promise<AppPipelineResult> {
  log.textContent = 'raw sessions…';
  const session_s = await sessionSeconds();
  log.textContent = 'app pipeline…';
  const app_s = await appSeconds();
  return {
    backend,
    images: n,
    batch,
    session_s,
    app_s,
    session_images_per_second: n / session_s,
    app_images_per_second: n / app_s,
    app_over_session: session_s / app_s,
  };
}

main()
  .then((r) => (window.appPipelineResult = r))
  .catch((e: unknown) => (window.appPipelineResult = { error: e instanceof Error ? e.message : String(e) }))
  .finally(() => (log.textContent = JSON.stringify(window.appPipelineResult, null, 2)));
