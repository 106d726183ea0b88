import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { EncoderStatus } from '../../src/core/encoders/encoder-runner.ts';
import { getEncoder } from '../../src/core/encoders/registry.ts';
import { goldenImages } from '../support/encoders-golden-images.ts';
import goldenClip from '../golden/embeddings/fixture-clip.json';
import { cosine, hubFixtureEntry, hubRequests, hubRevision, hubUrl, injectHubFault, resetHub, startEncoderWorker, type WorkerHandle } from './encoders-support.ts';

// One worker reused across tests: starting ORT's WASM threads costs many seconds per worker.
// transformers.js keeps no model in memory between loads, so each load goes through the Cache API
// and the network afresh.
let shared: WorkerHandle | undefined;
function worker(): WorkerHandle {
  shared ??= startEncoderWorker();
  shared.statuses.length = 0;
  return shared;
}

type Loading = Extract<EncoderStatus, { status: 'loading' }>;

describe('encoder loading from the hub (local mimic)', () => {
  beforeEach(resetHub);
  afterAll(() => shared?.terminate());

  it('downloads the files at the pinned revision, reports progress and embeds like the Node golden', async () => {
    const w = worker();
    const result = await w.api.load({ entry: hubFixtureEntry('fixture-clip') }, { backend: 'wasm', remoteHost: hubUrl }, w.onStatus);
    expect(result).toMatchObject({ backend: 'wasm', source: 'hub', revisionKey: `hub:test-org/fixture-clip@${hubRevision}` });
    const paths = (await hubRequests()).filter((r) => r.method === 'GET').map((r) => r.path);
    expect(paths).toContain(`/test-org/fixture-clip/resolve/${hubRevision}/config.json`);
    expect(paths).toContain(`/test-org/fixture-clip/resolve/${hubRevision}/onnx/vision_model.onnx`);
    const onnxProgress = w.statuses.filter((s): s is Loading => s.status === 'loading' && s.file === 'onnx/vision_model.onnx');
    const withBytes = onnxProgress.filter((s) => s.total > 0);
    expect(withBytes.length).toBeGreaterThan(0);
    expect(withBytes.at(-1)).toMatchObject({ progress: 100 });
    expect(withBytes.at(-1)?.loaded).toBe(withBytes.at(-1)?.total);
    expect(w.statuses.at(-1)).toMatchObject({ status: 'ready', backend: 'wasm' });

    const images = goldenImages();
    const outcome = await w.api.embed(images.map((g) => ({ id: g.name, image: g.image })));
    expect(outcome.status).toBe('complete');
    outcome.embeddings.forEach((e, i) => expect(cosine(e.embedding, goldenClip.embeddings[i])).toBeGreaterThanOrEqual(0.9999));
  });

  it('serves a second load from the Cache API with no network request', async () => {
    const first = worker();
    await first.api.load({ entry: hubFixtureEntry('fixture-dino') }, { backend: 'wasm', remoteHost: hubUrl });
    expect((await hubRequests()).length).toBeGreaterThan(0);
    await fetch(`${hubUrl}/__hub/reset`, { method: 'POST' });
    const second = startEncoderWorker();
    const result = await second.api.load({ entry: hubFixtureEntry('fixture-dino') }, { backend: 'wasm', remoteHost: hubUrl });
    expect(result.source).toBe('hub');
    expect(await hubRequests()).toEqual([]);
    const outcome = await second.api.embed([{ id: 'a', image: goldenImages()[0].image }]);
    expect(outcome.embeddings[0].embedding.length).toBe(384);
    second.terminate();
  });

  it('reports progress across a slow download', async () => {
    await injectHubFault('onnx/model.onnx', 'slow');
    const w = worker();
    await w.api.load({ entry: hubFixtureEntry('fixture-dino') }, { backend: 'wasm', remoteHost: hubUrl }, w.onStatus);
    const percents = w.statuses.filter((s): s is Loading => s.status === 'loading' && s.file === 'onnx/model.onnx' && s.total > 0).map((s) => s.progress);
    expect(percents.length).toBeGreaterThanOrEqual(4);
    expect(percents.some((p) => p > 0 && p < 100)).toBe(true);
    expect(percents.at(-1)).toBe(100);
  });

  for (const [mode, pattern] of [
    ['404', /could not be downloaded from .*check the connection/],
    ['500', /could not be downloaded from .*check the connection/],
    ['truncated', /could not be downloaded from .*check the connection/],
  ] as const) {
    it(`turns a ${mode} response into one clear sentence`, async () => {
      await injectHubFault('onnx/vision_model.onnx', mode);
      const w = worker();
      const load = w.api.load({ entry: hubFixtureEntry('fixture-clip') }, { backend: 'wasm', remoteHost: hubUrl }, w.onStatus);
      await expect(load).rejects.toThrow(pattern);
      const error = w.statuses.find((s) => s.status === 'error');
      expect(error).toBeDefined();
      expect((error as { message: string }).message).toMatch(/^Fixture CLIP \(not meaningful\) could not be downloaded/);
    });
  }

  it('asks for the pinned revision, not main', async () => {
    const w = worker();
    await expect(w.api.load({ entry: hubFixtureEntry('fixture-clip', 'no-such-revision') }, { backend: 'wasm', remoteHost: hubUrl })).rejects.toThrow(
      /could not be downloaded/,
    );
    const paths = (await hubRequests()).map((r) => r.path);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.every((p) => p.includes('/resolve/no-such-revision/'))).toBe(true);
  });

  it('prefers a self-hosted /models/<id>/ folder over the hub', async () => {
    const entry = { ...getEncoder('fixture-clip'), source: { kind: 'hub' as const, repo: 'test-org/fixture-clip', revision: hubRevision } };
    const w = worker();
    const result = await w.api.load({ entry }, { backend: 'wasm', remoteHost: hubUrl });
    expect(result.source).toBe('self-hosted');
    expect(await hubRequests()).toEqual([]);
  });

  it('contacts no origin but the page and the hub, and loads WASM from the page origin', async () => {
    const w = worker();
    await w.api.load({ entry: hubFixtureEntry('fixture-clip') }, { backend: 'wasm', remoteHost: hubUrl });
    await w.api.embed([{ id: 'a', image: goldenImages()[1].image }]);
    const { wasmPaths, origins } = await w.api.diagnostics();
    expect(wasmPaths.startsWith(`${location.origin}/ort/`)).toBe(true);
    expect(origins.length).toBeGreaterThan(0);
    for (const origin of origins) expect([location.origin, new URL(hubUrl).origin]).toContain(origin);
  });

  it('says in one sentence how to make BiomedCLIP when its folder is missing', async (context) => {
    const present = await fetch('/models/biomedclip/config.json').then((r) => r.ok && r.headers.get('content-type')?.includes('json'));
    if (present) context.skip();
    const w = worker();
    await expect(w.api.load({ encoderId: 'biomedclip' }, { backend: 'wasm' }, w.onStatus)).rejects.toThrow(/npm run models -- biomedclip/);
    expect(w.statuses).toEqual([{ status: 'error', message: getEncoder('biomedclip').missingHint }]);
  });
});
