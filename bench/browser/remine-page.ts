/**
 * Browser side of bench/remine-page.ts: what the user feels moving a threshold slider at scale.
 *
 * A store is seeded directly (N items with a tiny PNG thumbnail, and the clustered embeddings of
 * bench/mining-data.ts under the fixture encoder ids, so ~940k candidates at N = 10,000), the
 * whole App is mounted on it with its own ExplorerApp, and boot mines them once. Then the sliders
 * move once per frame, as a drag does, alternating between the CLIP and DINO sliders. Each move
 * is dispatched at the start of a frame (Chromium dispatches drag input rAF-aligned) and timed
 * from its input event to the end of the main thread's rendering of the first frame that shows
 * the miner's answer covering it (a move the latest-only scheduler skipped waits for the answer
 * of the request sent after it). Where the time goes is timed too: request posted, worker time,
 * reply, decode, Svelte flush, layout, frame.
 *
 * Query: ?n=10000&moves=200&encoders=fixture-clip,fixture-dino (App.svelte reads `encoders`).
 * Publishes `window.benchResult`; `window.benchProgress` says what it is doing.
 */
import { flushSync, mount, unmount } from 'svelte';
import { deleteDB } from 'idb';
import App from '../../src/ui/App.svelte';
import '../../src/ui/theme.css';
import { ExplorerApp } from '../../src/app/app.svelte.ts';
import { revisionKeyOf } from '../../src/app/encoders.svelte.ts';
import { openStore, type NewItem } from '../../src/store/index.ts';
import { clusteredPair, percentile } from '../mining-data.ts';
import { observeMinerWorker } from './remine-page-probe.ts';
import { watchAnswers, type Delivery } from './remine-page-answers.svelte.ts';
import { profileFrames } from './remine-page-frames.ts';

const published = window as unknown as { benchResult?: unknown; benchProgress?: string };
const params = new URLSearchParams(location.search);
const n = Number(params.get('n') ?? '10000');
const moveCount = Number(params.get('moves') ?? '200');
const WARM_UP_MOVES = 10;
const say = (line: string) => {
  published.benchProgress = line;
  document.title = line;
};

/** A distinct 64-hex-digit "SHA-256" per row (the store only needs unique keys). */
function fakeSha(i: number): string {
  let h = (i + 1) * 2654435761;
  let out = '';
  for (let k = 0; k < 8; k++) {
    h = (Math.imul(h ^ (h >>> 15), 2246822507) + k + i) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}

async function tinyPng(): Promise<Uint8Array<ArrayBuffer>> {
  const canvas = new OffscreenCanvas(8, 8);
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#777';
  context.fillRect(0, 0, 8, 8);
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
}

/** Items and both encoders' embeddings written straight into the store, as ingest and embedding would leave them. */
async function seed(storeName: string): Promise<{ seedMs: number; hashes: string[] }> {
  const start = performance.now();
  const store = await openStore({ name: storeName });
  const png = await tinyPng();
  const { clip, dino } = clusteredPair(n, 3);
  const hashes = Array.from({ length: n }, (_, i) => fakeSha(i));
  const batch = 1000;
  for (let from = 0; from < n; from += batch) {
    say(`seeding ${from.toLocaleString()} / ${n.toLocaleString()}`);
    const rows = hashes.slice(from, from + batch);
    const items: NewItem[] = rows.map((sha256, k) => ({
      sha256,
      name: `image-${from + k}.png`,
      relativePath: `bench/image-${from + k}.png`,
      size: png.byteLength,
      width: 8,
      height: 8,
      kind: 'image',
      format: 'png',
      thumbnail: new Blob([png], { type: 'image/png' }),
    }));
    await store.items.putMany(items);
    for (const [id, m] of [['fixture-clip', clip], ['fixture-dino', dino]] as const) {
      const entries = rows.map((sha256, k) => ({ sha256, vector: m.data.subarray((from + k) * m.dim, (from + k + 1) * m.dim) }));
      await store.embeddings.putMany(id, revisionKeyOf(id)!, entries);
    }
  }
  store.close();
  return { seedMs: performance.now() - start, hashes };
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`Timed out after ${timeoutMs / 1000} s waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const nextFrame = () => new Promise<number>((r) => requestAnimationFrame(() => r(performance.now())));

/** Runs once the current task's rendering is done (a message task queued from rAF runs after the frame). */
function afterFrame(callback: () => void): void {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    callback();
  };
  channel.port2.postMessage(null);
}

/** Move k: even moves step the CLIP slider over 0.85..0.95, odd ones the DINO slider over 0.60..0.80 (triangle waves). */
function moveValue(k: number): { slider: 'clip' | 'dino'; value: number } {
  const step = Math.floor(k / 2);
  const phase = step % 100;
  const t = phase < 50 ? phase / 50 : (100 - phase) / 50;
  return k % 2 === 0 ? { slider: 'clip', value: Math.round((0.85 + 0.1 * t) * 1000) / 1000 } : { slider: 'dino', value: Math.round((0.6 + 0.2 * t) * 1000) / 1000 };
}

interface Move {
  inputAt: number;
  /** The frame (rAF count) the input was dispatched in. */
  frame: number;
  /** Answer version that covers this move (the request sent for it, or the one sent after it). */
  target: number;
  /** Frames (rAF callbacks) from the input to the frame that showed its answer; 1 = the next frame. */
  frames?: number;
  paintedAt?: number;
  /** The rAF after that frame: the double-requestAnimationFrame reading. */
  nextFrameAt?: number;
}

/** Drags the sliders: one input event per frame, until every move's answer is painted. */
async function drag(app: ExplorerApp, root: HTMLElement, count: number, startAt: number): Promise<Move[]> {
  const sliders = {
    clip: root.querySelector<HTMLInputElement>('[data-testid=clip-slider]')!,
    dino: root.querySelector<HTMLInputElement>('[data-testid=dino-slider]')!,
  };
  // Versions count view answers in the miner; the scheduler counts sent requests: fixed offset while nothing else asks.
  await app.mining.settled();
  const offset = app.mining.answer!.version - app.mining.viewRequestsSent;
  const moves: Move[] = [];
  let frame = 0;
  let pending = 0;
  await new Promise<void>((resolve, reject) => {
    const deadline = performance.now() + 120_000;
    const onFrame = () => {
      frame++;
      const now = performance.now();
      for (const m of moves) if (m.paintedAt !== undefined && m.nextFrameAt === undefined) m.nextFrameAt = now;
      // What this frame renders: the answer assigned (and flushed into the DOM) before this task.
      const shown = app.mining.answer?.version ?? -1;
      const covered = moves.filter((m) => m.frames === undefined && m.target <= shown);
      for (const m of covered) m.frames = frame - m.frame;
      if (covered.length) {
        pending -= covered.length;
        afterFrame(() => {
          const paintedAt = performance.now();
          for (const m of covered) m.paintedAt = paintedAt;
        });
      }
      if (moves.length < count) {
        const { slider, value } = moveValue(startAt + moves.length);
        const sentBefore = app.mining.viewRequestsSent;
        const inputAt = performance.now();
        sliders[slider].value = String(value);
        sliders[slider].dispatchEvent(new Event('input', { bubbles: true }));
        // The filter-request effect would run in this task's microtasks; flushing runs it now, so the scheduler's count is readable.
        flushSync();
        const sent = app.mining.viewRequestsSent;
        // Sent at once, or waiting behind the request in flight (it goes next).
        const target = offset + (sent > sentBefore ? sent : sent + 1);
        moves.push({ inputAt, frame, target });
        pending++;
      }
      const done = moves.length === count && pending === 0 && moves.every((m) => m.nextFrameAt !== undefined);
      if (done) resolve();
      else if (performance.now() > deadline) reject(new Error(`Slider moves did not all paint within 120 s (${pending} left).`));
      else requestAnimationFrame(onFrame);
    };
    requestAnimationFrame(onFrame);
  });
  return moves;
}

const round = (x: number) => Number(x.toFixed(3));
function stats(values: number[]): { p50_ms: number; p95_ms: number; max_ms: number } {
  const sorted = values.filter(Number.isFinite).sort((x, y) => x - y);
  return { p50_ms: round(percentile(sorted, 50)), p95_ms: round(percentile(sorted, 95)), max_ms: round(sorted[sorted.length - 1] ?? NaN) };
}

async function run(): Promise<Record<string, unknown>> {
  const storeName = `bench-remine-page-${n}-${crypto.randomUUID()}`;
  const crossings = observeMinerWorker();
  say('seeding the store');
  const { seedMs } = await seed(storeName);
  const root = document.getElementById('app')!;
  const app = new ExplorerApp({ storeName });
  const bootStart = performance.now();
  const mounted = mount(App, { target: root, props: { app } });
  try {
    say('booting: mining once');
    await until(() => app.ready && app.mining.answer !== null && app.mining.rows.length === n && !app.busy, 15 * 60_000, 'boot to mine');
    const bootMs = performance.now() - bootStart;
    await until(() => app.mining.clipPositions.length > 0 && app.mining.grid !== null, 120_000, 'the projections');
    for (let i = 0; i < 30; i++) await nextFrame();
    say('warming up');
    await drag(app, root, WARM_UP_MOVES, 0);
    const deliveries: Delivery[] = [];
    const stop = watchAnswers(app.mining, deliveries);
    await app.mining.settled();
    await nextFrame();
    deliveries.length = 0; // the effect's first run reports the answer already shown
    crossings.clear();
    const sentBefore = app.mining.viewRequestsSent;
    say(`moving the sliders ${moveCount} times`);
    const frames = profileFrames();
    const moves = await drag(app, root, moveCount, WARM_UP_MOVES);
    const frameProfile = frames.stop();
    stop();
    const calls = [...crossings.values()].sort((x, y) => x.postedAt - y.postedAt);
    const view = app.mining.answer!.view;
    // Calls and deliveries pair up in order: one view call per answer, answered in order.
    const byCall = deliveries.map((d, i) => ({ d, c: calls[i] }));
    const times = (pick: (m: Move) => number | undefined) => stats(moves.map((m) => (pick(m) ?? NaN) - m.inputAt));
    return {
      n,
      candidates: view.candidates,
      seed_s: round(seedMs / 1000),
      boot_to_mined_s: round(bootMs / 1000),
      moves: moves.length,
      view_requests_sent: app.mining.viewRequestsSent - sentBefore,
      page: times((m) => m.paintedAt),
      page_double_raf: times((m) => m.nextFrameAt),
      frames_to_paint: (() => {
        const f = moves.map((m) => m.frames ?? NaN).sort((x, y) => x - y);
        return { p50: percentile(f, 50), p95: percentile(f, 95), max: f[f.length - 1] };
      })(),
      mean_frame_ms: round(frameInterval(moves)),
      frame_profile: frameProfile,
      worker: stats(deliveries.map((d) => d.workerMs)),
      // Per answered request: where the time between posting it and the DOM holding the answer goes.
      breakdown: {
        input_to_posted: stats(moves.map((m) => (calls.find((c) => c.postedAt >= m.inputAt)?.postedAt ?? NaN) - m.inputAt)),
        posted_to_reply_minus_worker: stats(byCall.map(({ d, c }) => (c?.repliedAt ?? NaN) - (c?.postedAt ?? NaN) - d.workerMs)),
        decode: stats(byCall.map(({ c }) => (c?.decodedAt ?? NaN) - (c?.repliedAt ?? NaN))),
        decoded_to_flushed: stats(byCall.map(({ d, c }) => d.flushedAt - (c?.decodedAt ?? NaN))),
        flush_and_layout: stats(byCall.map(({ d }) => (d.laidOutAt ?? NaN) - d.flushedAt)),
        input_to_laid_out: stats(
          moves.map((m) => (deliveries.find((d) => d.version >= m.target)?.laidOutAt ?? NaN) - m.inputAt),
        ),
      },
      paged_total_pairs_last: view.total,
    };
  } finally {
    unmount(mounted);
    app.dispose();
    try {
      app.store.close();
    } catch {
      // Never opened: nothing to close.
    }
    await deleteDB(storeName).catch(() => undefined);
  }
}

/** Mean time between the frames the drag saw (60 Hz gives ~16.7 ms). */
function frameInterval(moves: Move[]): number {
  const first = moves[0];
  const last = moves[moves.length - 1];
  const frames = last.frame - first.frame;
  return frames > 0 ? (last.inputAt - first.inputAt) / frames : NaN;
}

run()
  .then((result) => {
    say('done');
    published.benchResult = result;
  })
  .catch((error: unknown) => {
    published.benchResult = { error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error) };
  });
