/**
 * Browser side of `npx tsx bench/ingest-scale.ts`: many generated images through the app's real
 * data path — the ingest worker (decode -> RGB -> thumbnail, full-size pixels released), the
 * IndexedDB store (items, jobs) and, with `embed=1`, the fixture encoders in their workers through
 * the durable job queue — as `Workbench.addFiles` runs it, measuring memory while it goes.
 *
 * Files: a pool of PNG and JPEG images of 256–1024 px is encoded once; every file is a pool image
 * with a unique comment (PNG tEXt chunk, JPEG COM segment), so each has its own SHA-256 and is
 * decoded in full, while generation stays cheap. Files are made per chunk and then dropped, as a
 * browser keeps dropped disk files on disk rather than in memory.
 *
 * Parameters: count, chunk, embed (0/1). Result on `window.benchResult`; progress on `published.benchProgress`.
 */
import { openStore, type Store } from '../../src/store/index.ts';
import { runIngest } from '../../src/workers/ingest.client.ts';
import type { RgbImage } from '../../src/core/image.ts';
import { EncoderClient } from '../../src/workers/encoder.client.svelte.ts';
import { embedPending } from '../../src/app/embed-queue.ts';

interface MemorySample {
  items: number;
  ms: number;
  /** performance.memory.usedJSHeapSize of the page (MB). */
  pageHeapMb: number;
}

interface ScaleResult {
  count: number;
  embedded: boolean;
  crossOriginIsolated: boolean;
  sides: number[];
  formats: string[];
  poolImages: number;
  items: number;
  skipped: number;
  embeddings: Record<string, number>;
  elapsedMs: number;
  ingestMs: number;
  itemsPerSecond: number;
  peakPageHeapMb: number;
  /** performance.measureUserAgentSpecificMemory() at the end, encoders still loaded: page and its workers (MB). */
  endPageAndWorkersMb: number | null;
  storageUsageMb: number | null;
  meanThumbnailBytes: number;
  samples: MemorySample[];
  error?: string;
}

/** Where bench/ingest-scale.ts reads the result (other bench pages publish theirs there too). */
const published = window as unknown as { benchResult?: ScaleResult; benchProgress?: number };

declare global {
  interface Performance {
    memory?: { usedJSHeapSize: number };
    measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }>;
  }
}

const params = new URLSearchParams(location.search);
const count = Number(params.get('count') ?? '10000');
const chunk = Number(params.get('chunk') ?? '500');
const embed = params.get('embed') === '1';
const SIDES = [256, 384, 512, 768, 1024];
const BATCH = 8;
const MB = 2 ** 20;

const log = (line: string) => {
  document.getElementById('log')!.textContent = line;
};

/** A smooth grey or colour scene with a few shapes and mild noise (compresses like a scan). */
async function poolImage(side: number, variant: number, type: 'image/png' | 'image/jpeg'): Promise<Uint8Array> {
  const canvas = new OffscreenCanvas(side, Math.round(side * (0.75 + (variant % 3) * 0.125)));
  const context = canvas.getContext('2d')!;
  const gradient = context.createLinearGradient(0, 0, canvas.width, canvas.height);
  gradient.addColorStop(0, `hsl(${variant * 47}, ${variant % 2 ? 0 : 40}%, 15%)`);
  gradient.addColorStop(1, `hsl(${variant * 47 + 90}, ${variant % 2 ? 0 : 40}%, 80%)`);
  context.fillStyle = gradient;
  context.fillRect(0, 0, canvas.width, canvas.height);
  for (let k = 0; k < 6; k++) {
    context.fillStyle = `rgba(${(k * 60 + variant * 13) % 256}, ${(k * 90) % 256}, ${(variant * 31) % 256}, 0.5)`;
    context.beginPath();
    context.arc(((k + 1) * canvas.width) / 7, canvas.height / 2 + ((k % 2) - 0.5) * canvas.height * 0.3, side / (6 + k), 0, Math.PI * 2);
    context.fill();
  }
  const blob = await canvas.convertToBlob({ type, quality: 0.9 });
  return new Uint8Array(await blob.arrayBuffer());
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The pool image with a unique comment: PNG tEXt before IEND, JPEG COM after SOI. */
function uniqueCopy(base: Uint8Array, png: boolean, label: string): Uint8Array {
  const text = new TextEncoder().encode(png ? `Comment\0${label}` : label);
  if (png) {
    const chunkBytes = new Uint8Array(12 + text.length);
    const view = new DataView(chunkBytes.buffer);
    view.setUint32(0, text.length);
    chunkBytes.set(new TextEncoder().encode('tEXt'), 4);
    chunkBytes.set(text, 8);
    view.setUint32(8 + text.length, crc32(chunkBytes.subarray(4, 8 + text.length)));
    const iend = base.length - 12;
    const out = new Uint8Array(base.length + chunkBytes.length);
    out.set(base.subarray(0, iend));
    out.set(chunkBytes, iend);
    out.set(base.subarray(iend), iend + chunkBytes.length);
    return out;
  }
  const segment = new Uint8Array(4 + text.length);
  segment.set([0xff, 0xfe, (text.length + 2) >> 8, (text.length + 2) & 0xff]);
  segment.set(text, 4);
  const out = new Uint8Array(base.length + segment.length);
  out.set(base.subarray(0, 2));
  out.set(segment, 2);
  out.set(base.subarray(2), 2 + segment.length);
  return out;
}

async function measureAll(): Promise<number | null> {
  if (!crossOriginIsolated || !performance.measureUserAgentSpecificMemory) return null;
  try {
    return (await performance.measureUserAgentSpecificMemory()).bytes / MB;
  } catch {
    return null;
  }
}

async function ingestChunk(
  store: Store,
  files: File[],
  encoders: EncoderClient[],
  targets: { encoderId: string; revision: string }[],
  thumbnailBytes: number[],
): Promise<number> {
  const pixels = new Map<string, RgbImage>();
  let skipped = 0;
  const drain = async () => {
    if (encoders.length) await embedPending(store, encoders, pixels, BATCH, () => false);
    pixels.clear();
  };
  await runIngest(
    files,
    {
      onResult: async (result) => {
        if (!result.ok) {
          skipped++;
          await store.skipped.add([{ file: result.error.file, code: result.error.code, reason: result.error.reason }]);
          return;
        }
        const { rgb, item } = result;
        const { thumbnailWidth: _w, thumbnailHeight: _h, ...record } = item;
        thumbnailBytes.push(item.thumbnail.size);
        await store.items.put(record);
        for (const t of targets) await store.jobs.enqueue([item.sha256], t.encoderId, t.revision);
        if (targets.length && rgb) pixels.set(item.sha256, rgb);
        if (pixels.size >= BATCH) await drain();
      },
    },
    { keepRgb: encoders.length > 0 },
  ).finished;
  await drain();
  return skipped;
}

async function run(): Promise<ScaleResult> {
  const started = performance.now();
  const pool: { bytes: Uint8Array; png: boolean }[] = [];
  for (const [i, side] of SIDES.entries()) {
    for (let v = 0; v < 4; v++) {
      const png = v % 2 === 0;
      pool.push({ bytes: await poolImage(side, i * 4 + v, png ? 'image/png' : 'image/jpeg'), png });
    }
  }
  const name = `bench-ingest-scale-${Date.now()}`;
  const store = await openStore({ name });
  const encoders: EncoderClient[] = [];
  const targets: { encoderId: string; revision: string }[] = [];
  if (embed) {
    for (const [role, id] of [['clip', 'fixture-clip'], ['dino', 'fixture-dino']] as const) {
      const client = new EncoderClient(role);
      const loaded = await client.load(id, { backend: 'wasm', batchSize: BATCH });
      encoders.push(client);
      targets.push({ encoderId: loaded.entry.id, revision: loaded.revisionKey });
    }
  }
  const samples: MemorySample[] = [];
  const sample = (items: number) => {
    samples.push({ items, ms: Math.round(performance.now() - started), pageHeapMb: (performance.memory?.usedJSHeapSize ?? 0) / MB });
  };
  sample(0);
  const ingestStarted = performance.now();
  const thumbnailBytes: number[] = [];
  let skipped = 0;
  for (let offset = 0; offset < count; offset += chunk) {
    const files: File[] = [];
    for (let i = offset; i < Math.min(count, offset + chunk); i++) {
      const base = pool[i % pool.length];
      const bytes = uniqueCopy(base.bytes, base.png, `bench item ${i}`);
      files.push(new File([bytes as Uint8Array<ArrayBuffer>], `scan-${String(i).padStart(5, '0')}.${base.png ? 'png' : 'jpg'}`));
    }
    skipped += await ingestChunk(store, files, encoders, targets, thumbnailBytes);
    published.benchProgress = Math.min(count, offset + chunk);
    log(`${published.benchProgress} / ${count}`);
    sample(published.benchProgress);
  }
  const ingestMs = performance.now() - ingestStarted;
  const embeddings: Record<string, number> = {};
  for (const t of targets) embeddings[t.encoderId] = await store.embeddings.count(t.encoderId, t.revision);
  const items = await store.items.count();
  const estimate = await navigator.storage.estimate().catch(() => null);
  const endPageAndWorkersMb = await measureAll();
  for (const encoder of encoders) encoder.dispose();
  store.close();
  indexedDB.deleteDatabase(name);
  return {
    count,
    embedded: embed,
    crossOriginIsolated,
    sides: SIDES,
    formats: ['png', 'jpeg'],
    poolImages: pool.length,
    items,
    skipped,
    embeddings,
    elapsedMs: Math.round(performance.now() - started),
    ingestMs: Math.round(ingestMs),
    itemsPerSecond: items / (ingestMs / 1000),
    peakPageHeapMb: Math.max(...samples.map((s) => s.pageHeapMb)),
    endPageAndWorkersMb,
    storageUsageMb: estimate?.usage !== undefined ? estimate.usage / MB : null,
    meanThumbnailBytes: thumbnailBytes.reduce((a, b) => a + b, 0) / Math.max(1, thumbnailBytes.length),
    samples,
  };
}

run().then(
  (result) => (published.benchResult = result),
  (error: unknown) => {
    log(String(error));
    published.benchResult = { error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) } as ScaleResult;
  },
);
