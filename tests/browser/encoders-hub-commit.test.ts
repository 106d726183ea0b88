import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { UNKNOWN_COMMIT } from '../../src/core/encoders/revision.ts';
import { hubFixtureEntry, hubRequests, hubRevision, hubUrl, resetHub, startEncoderWorker, type WorkerHandle } from './encoders-support.ts';

// One worker reused across tests: starting ORT's WASM threads costs seconds per worker.
let shared: WorkerHandle | undefined;
function worker(): WorkerHandle {
  shared ??= startEncoderWorker();
  shared.statuses.length = 0;
  return shared;
}

/** Makes the hub mimic answer every file with `value` as its commit ('none': no header at all). */
async function answerCommit(value: string): Promise<void> {
  await fetch(`${hubUrl}/__hub/commit?value=${value}`, { method: 'POST' });
}

const OTHER = 'b'.repeat(40);

describe('the hub commit behind a loaded encoder (local hub mimic)', () => {
  beforeEach(resetHub);
  afterAll(() => shared?.terminate());

  it('records the commit a branch resolved to, keeping the branch key', async () => {
    const w = worker();
    const result = await w.api.load({ entry: hubFixtureEntry('fixture-dino', 'main') }, { backend: 'wasm', remoteHost: hubUrl });
    expect(result.revisionKey).toBe('hub:test-org/fixture-dino@main');
    expect(result.commit).toBe(hubRevision);
    expect(result.commitNote).toBe(`Fixture DINOv2 (not meaningful): commit ${hubRevision.slice(0, 12)} (from ${hubUrl}).`);
    const paths = (await hubRequests()).map((r) => r.path);
    expect(paths).toContain('/test-org/fixture-dino/resolve/main/config.json');
  });

  it('reads the commit back from the Cache API copy when nothing is fetched', async () => {
    await worker().api.load({ entry: hubFixtureEntry('fixture-dino', 'main') }, { backend: 'wasm', remoteHost: hubUrl });
    await fetch(`${hubUrl}/__hub/reset`, { method: 'POST' });
    const second = startEncoderWorker();
    try {
      const result = await second.api.load({ entry: hubFixtureEntry('fixture-dino', 'main') }, { backend: 'wasm', remoteHost: hubUrl });
      expect(await hubRequests()).toEqual([]);
      expect(result.commit).toBe(hubRevision);
    } finally {
      second.terminate();
    }
  });

  it('loads a pinned commit under a key that names it', async () => {
    const result = await worker().api.load({ entry: hubFixtureEntry('fixture-clip') }, { backend: 'wasm', remoteHost: hubUrl });
    expect(result.revisionKey).toBe(`hub:test-org/fixture-clip@${hubRevision}`);
    expect(result.commit).toBe(hubRevision);
  });

  it('refuses a host that answers a pinned commit with another, before the weights download', async () => {
    await answerCommit(OTHER);
    const w = worker();
    const load = w.api.load({ entry: hubFixtureEntry('fixture-clip') }, { backend: 'wasm', remoteHost: hubUrl }, w.onStatus);
    await expect(load).rejects.toThrow(`Fixture CLIP (not meaningful) is pinned to commit ${hubRevision}, but ${hubUrl} served commit ${OTHER}`);
    expect(w.statuses.find((s) => s.status === 'error')).toMatchObject({ message: expect.stringMatching(/^Fixture CLIP \(not meaningful\) is pinned to commit/) });
    const paths = (await hubRequests()).map((r) => r.path);
    expect(paths.some((p) => p.endsWith('.onnx'))).toBe(false);
    // Nothing of the refused answer was cached: the true commit loads next time.
    await fetch(`${hubUrl}/__hub/reset`, { method: 'POST' });
    expect((await w.api.load({ entry: hubFixtureEntry('fixture-clip') }, { backend: 'wasm', remoteHost: hubUrl })).commit).toBe(hubRevision);
  });

  it('records a branch as unknown when the host names no commit, and a pin as its own commit', async () => {
    await answerCommit('none');
    const w = worker();
    const branch = await w.api.load({ entry: hubFixtureEntry('fixture-dino', 'main') }, { backend: 'wasm', remoteHost: hubUrl });
    expect(branch.commit).toBe(UNKNOWN_COMMIT);
    expect(branch.commitNote).toMatch(/did not say which commit "main" is, so the commit is recorded as unknown/);
    const pinned = await w.api.load({ entry: hubFixtureEntry('fixture-clip') }, { backend: 'wasm', remoteHost: hubUrl });
    expect(pinned.commit).toBe(hubRevision);
  });

  it('records a self-hosted folder without source.json as unknown', async () => {
    const result = await worker().api.load({ encoderId: 'fixture-dino' }, { backend: 'wasm' });
    expect(result.source).toBe('self-hosted');
    expect(result.commit).toBe(UNKNOWN_COMMIT);
    expect(result.commitNote).toMatch(/does not record which hub commit it holds/);
  });
});
