/**
 * Issue #16, item 3: a worker that dies mid-batch. Each worker (the two encoders, the miner, the
 * projection worker, the image reader) is killed the moment a call of its batch has been posted
 * (a Worker spy; the worker cannot have answered yet), or made to hang (the call never delivered)
 * for the encoder's missed heartbeat. The page must notice, say one sentence in the banner,
 * restart the worker and finish the durable queue: every item embedded exactly once per encoder,
 * every job done and claimed once, the pairs mined over all of them. No originals are kept, so a
 * batch lost with a worker can only come back from the pixels the page holds while it runs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deleteDB } from 'idb';
import type { ExplorerApp } from '../../src/app/app.svelte.ts';
import { EMBED_HEARTBEAT_MS } from '../../src/workers/encoder.client.svelte.ts';
import { closeApp, fixtureApp } from './review-imported-support.ts';
import { drawnPng, uniqueDbName } from './store-support.ts';
import { bruteForcePairs, expectAllEmbeddedOnce, spyOnWorkers, storedPairs, until } from './reliability-support.ts';

const FLOOR = 0.3;
let spy: ReturnType<typeof spyOnWorkers>;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(() => {
  spy = spyOnWorkers();
});
afterAll(() => spy.restore());
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  spy.reset();
});

async function freshApp(label: string): Promise<ExplorerApp> {
  const dbName = uniqueDbName(label);
  cleanups.push(() => deleteDB(dbName));
  const { app } = await fixtureApp(dbName);
  cleanups.push(() => closeApp(app));
  app.session.setFloor(FLOOR);
  return app;
}

const files = (count: number, from = 0) => Promise.all(Array.from({ length: count }, (_, i) => drawnPng(from + i)));

/** After the fault: nothing pending, every item embedded once per encoder, the pairs mined over all. */
async function expectFinished(app: ExplorerApp, count: number): Promise<void> {
  await until(() => !app.busy, 60_000, 'the app to finish');
  await expectAllEmbeddedOnce(app.store, count);
  expect(app.library.needRedrop).toEqual([]);
  expect(app.library.skipped).toEqual([]);
  expect(app.mining.rows).toHaveLength(count);
  const stored = await storedPairs(app.store);
  expect(stored.pairs).toEqual(await bruteForcePairs(app, [...stored.rows].sort(), FLOOR));
  await until(() => app.mining.answer !== null, 30_000, 'the pairs view');
  expect(app.mining.answer?.view.candidates).toBe(stored.pairs.length);
}

/** The banner holds exactly one sentence, this one. */
function expectOneSentence(app: ExplorerApp, pattern: RegExp): void {
  expect(app.banner).toMatch(pattern);
  expect(app.banner.match(/[.;] [A-Z]/g) ?? []).toEqual([]);
  expect(app.banner.endsWith('.')).toBe(true);
}

const isCall = (worker: string, method: string) => (call: { url: string; method: string }) => call.url.includes(worker) && call.method === method;

describe('a worker killed mid-batch', () => {
  it('encoder: the batch it held is released, the worker restarts and embeds it once', async () => {
    const app = await freshApp('crash-encoder');
    let embedCalls = 0;
    let killed = false;
    spy.traps.push({
      // The second batch sent to the CLIP-side worker (the first encoder worker started: clip loads first).
      matches: (call) => call.url.includes('encoder.worker') && call.instance === 0 && call.method === 'embed' && ++embedCalls === 2,
      mode: 'crash',
      act: () => {
        killed = true;
        app.encoders.clip.simulateCrash();
      },
    });
    await app.addFiles(await files(20));
    expect(killed).toBe(true);
    expect(app.encoders.clip.restarts).toBe(1);
    expect(app.encoders.dino.restarts).toBe(0);
    expectOneSentence(app, /^The CLIP-side encoder worker stopped unexpectedly \(terminated\); it was restarted and the work resumes\.$/);
    expect(app.encoders.clip.phase).toBe('ready');
    await expectFinished(app, 20);
  }, 120_000);

  it('encoder: a worker that stops answering misses its heartbeat and is restarted', async () => {
    const app = await freshApp('crash-heartbeat');
    const dino = app.encoders.dino;
    let hung = false;
    spy.traps.push({
      // The first batch sent to the DINOv2-side worker (the second encoder worker started): only a
      // call that never arrives may miss the short heartbeat, whatever the machine's speed.
      matches: (call) => call.url.includes('encoder.worker') && call.instance === 1 && call.method === 'embed',
      // The call never reaches the worker: it stays silent, as a stuck graph would.
      mode: 'swallow',
      act: () => {
        hung = true;
      },
    });
    // Only the hung call may time out quickly; the restarted worker gets the generous default back.
    dino.heartbeatMs = 400;
    const restore = setInterval(() => {
      if (dino.restarts > 0) {
        dino.heartbeatMs = EMBED_HEARTBEAT_MS;
        clearInterval(restore);
      }
    }, 5);
    cleanups.push(() => clearInterval(restore));
    await app.addFiles(await files(16, 40));
    expect(hung).toBe(true);
    expect([app.encoders.clip.restarts, dino.restarts]).toEqual([0, 1]);
    expectOneSentence(app, /^The DINOv2-side encoder worker stopped unexpectedly \(no answer for 400 ms\); it was restarted and the work resumes\.$/);
    await expectFinished(app, 16);
  }, 120_000);

  it('miner: a build lost with the miner runs again in the restarted one', async () => {
    const app = await freshApp('crash-miner');
    let killed = false;
    spy.traps.push({
      matches: isCall('miner.worker', 'build'),
      mode: 'crash',
      act: () => {
        killed = true;
        app.mining.simulateMinerCrash();
      },
    });
    await app.addFiles(await files(8, 60));
    expect(killed).toBe(true);
    expect(app.mining.crashes.miner).toBe(1);
    expectOneSentence(app, /^The miner stopped unexpectedly \(terminated\); it was restarted and the work resumes\.$/);
    await expectFinished(app, 8);

    // Killed while idle: the restarted miner is given the stored set again (no rebuild needed).
    const before = app.mining.answer!.view.candidates;
    const builds = spy.calls.filter(isCall('miner.worker', 'build')).length;
    app.mining.simulateMinerCrash();
    expect(app.mining.crashes.miner).toBe(2);
    await until(() => spy.calls.some(isCall('miner.worker', 'importCandidates')) && app.mining.heldFloor !== null, 30_000, 'the restore');
    await app.mining.settled();
    await until(() => app.mining.answer !== null, 30_000, 'the pairs view');
    expect(app.mining.answer!.view.candidates).toBe(before);
    expect(spy.calls.filter(isCall('miner.worker', 'build')).length).toBe(builds);
  }, 120_000);

  it('projection: the projection lost with its worker is computed in the restarted one', async () => {
    const app = await freshApp('crash-projection');
    let killed = false;
    spy.traps.push({
      matches: isCall('projection.worker', 'pca'),
      mode: 'crash',
      act: () => {
        killed = true;
        app.mining.simulateProjectionCrash();
      },
    });
    await app.addFiles(await files(8, 80));
    await until(() => app.mining.clipPositions.length === 16 && app.mining.dinoPositions.length === 16, 30_000, 'the projections');
    expect(killed).toBe(true);
    expect(app.mining.crashes.projection).toBe(1);
    expect(spy.calls.filter(isCall('projection.worker', 'pca'))).toHaveLength(4);
    expect([...app.mining.clipPositions].every(Number.isFinite)).toBe(true);
    expectOneSentence(app, /^The projection worker stopped unexpectedly \(terminated\); it was restarted and the work resumes\.$/);
    await expectFinished(app, 8);
  }, 120_000);

  it('image reader: reading goes on from the file it was on, none skipped or read twice', async () => {
    const app = await freshApp('crash-ingest');
    const dropped = await files(12, 100);
    const ingested: string[] = [];
    await app.addFiles(dropped, {
      onIngested: (file) => {
        ingested.push(file.name);
        // Mid-batch: the reader is waiting for this result to be stored before it goes on.
        if (ingested.length === 5) app.simulateIngestCrash();
      },
    });
    expect(ingested.sort()).toEqual(dropped.map((file) => file.name).sort());
    expectOneSentence(app, /^The image reader stopped unexpectedly \(terminated\); it was restarted and reading goes on from scan-105\.png\.$/);
    expect(spy.calls.filter(isCall('ingest.worker', 'ingest'))).toHaveLength(2);
    await expectFinished(app, 12);
  }, 120_000);
});
