import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadEncoders, downloadHubEncoder } from '../../src/cli/node-models.ts';
import { getEncoder, type EncoderEntry } from '../../src/core/encoders/registry.ts';
import { SOURCE_RECORD_FILE, parseSourceRecord } from '../../src/core/encoders/revision.ts';
import { FIXTURE_HUB_REVISION, fixtureHubRepos, startHubServer, type HubServer } from '../support/hub-server.ts';

const root = join(import.meta.dirname, '../..');
const hubDino: EncoderEntry = { ...getEncoder('fixture-dino'), id: 'hub-dino', source: { kind: 'hub', repo: 'test-org/fixture-dino', revision: FIXTURE_HUB_REVISION } };

describe.skipIf(!existsSync(join(root, 'models/fixture-dino')))('npm run models (download into models/)', () => {
  let hub: HubServer;
  const out = mkdtempSync(join(tmpdir(), 'models-'));
  beforeAll(async () => {
    hub = await startHubServer({ repos: fixtureHubRepos(root), revision: FIXTURE_HUB_REVISION });
  });
  afterAll(async () => {
    await hub.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('copies config, preprocessor config and ONNX file at the pinned revision', async () => {
    const folder = await downloadHubEncoder(hubDino, { host: hub.url, modelsDir: out});
    expect(folder).toBe(join(out, 'hub-dino'));
    for (const file of ['config.json', 'preprocessor_config.json', 'onnx/model.onnx']) {
      expect(Buffer.compare(readFileSync(join(folder, file)), readFileSync(join(root, 'models/fixture-dino', file)))).toBe(0);
    }
    expect(hub.requests.map((r) => r.path)).toContain(`/test-org/fixture-dino/resolve/${FIXTURE_HUB_REVISION}/onnx/model.onnx`);
  });

  it('fails with a sentence and leaves no partial file', async () => {
    const wrong = { ...hubDino, id: 'wrong', source: { ...hubDino.source, revision: 'nope' } } as EncoderEntry;
    await expect(downloadHubEncoder(wrong, { host: hub.url, modelsDir: out })).rejects.toThrow(/HTTP 404; check the network/);
    expect(existsSync(join(out, 'wrong', 'config.json'))).toBe(false);
    await expect(downloadHubEncoder(hubDino, { host: hub.url, modelsDir: out, dtype: 'q8' })).rejects.toThrow(/no q8 weights/);
  });

  it('refuses encoders that are made locally', async () => {
    await expect(downloadEncoders(['fixture-clip'], { host: hub.url, modelsDir: out })).rejects.toThrow(/npm run fixtures/);
  });

  const recorded = (folder: string) => parseSourceRecord(JSON.parse(readFileSync(join(folder, SOURCE_RECORD_FILE), 'utf8')));
  const branchDino = (id: string): EncoderEntry => ({ ...hubDino, id, source: { ...hubDino.source, revision: 'main' } as EncoderEntry['source'] });

  it('resolves a branch to its commit once and fetches every file at that commit', async () => {
    hub.requests.length = 0;
    const commits: string[] = [];
    const folder = await downloadHubEncoder(branchDino('branch-dino'), { host: hub.url, modelsDir: out, onCommit: (_id, c) => commits.push(c) });
    expect(recorded(folder)).toEqual({ repo: 'test-org/fixture-dino', revision: 'main', commit: FIXTURE_HUB_REVISION });
    expect(commits).toEqual([FIXTURE_HUB_REVISION]);
    const requests = hub.requests.map((r) => `${r.method} ${r.path}`);
    expect(requests[0]).toBe('HEAD /test-org/fixture-dino/resolve/main/config.json');
    const gets = requests.filter((r) => r.startsWith('GET'));
    expect(gets).toHaveLength(3);
    for (const get of gets) expect(get).toContain(`/resolve/${FIXTURE_HUB_REVISION}/`);
  });

  it('refuses a host that answers a pinned commit with another, before writing a file', async () => {
    const other = 'b'.repeat(40);
    hub.answerCommit(other);
    try {
      await expect(downloadHubEncoder({ ...hubDino, id: 'mismatch' }, { host: hub.url, modelsDir: out })).rejects.toThrow(
        `pinned to commit ${FIXTURE_HUB_REVISION}, but ${hub.url} served commit ${other}`,
      );
      expect(existsSync(join(out, 'mismatch'))).toBe(false);
    } finally {
      hub.answerCommit(undefined);
    }
  });

  it('records an unknown commit when the host names none, and never guesses one', async () => {
    hub.answerCommit(null);
    try {
      const folder = await downloadHubEncoder(branchDino('no-header'), { host: hub.url, modelsDir: out });
      expect(recorded(folder)?.commit).toBe('unknown');
      // A pinned download from such a host is still that commit: its URL names it.
      const pinned = await downloadHubEncoder({ ...hubDino, id: 'no-header-pinned' }, { host: hub.url, modelsDir: out });
      expect(recorded(pinned)?.commit).toBe(FIXTURE_HUB_REVISION);
    } finally {
      hub.answerCommit(undefined);
    }
  });

  it('takes --revision for one registry encoder, and refuses it for several', async () => {
    const mirror = await startHubServer({ repos: { 'onnx-community/dinov2-small': join(root, 'models/fixture-dino') }, revision: FIXTURE_HUB_REVISION });
    try {
      const [folder] = await downloadEncoders(['dinov2-small'], { host: mirror.url, modelsDir: out, revision: FIXTURE_HUB_REVISION.toUpperCase() });
      expect(recorded(folder)).toEqual({ repo: 'onnx-community/dinov2-small', revision: FIXTURE_HUB_REVISION, commit: FIXTURE_HUB_REVISION });
      expect(mirror.requests.every((r) => r.path.includes(`/resolve/${FIXTURE_HUB_REVISION}/`))).toBe(true);
      await expect(downloadEncoders(['dinov2-small'], { host: mirror.url, modelsDir: out, revision: '0123abc' })).rejects.toThrow(/shortened commit/);
      await expect(downloadEncoders(['dinov2-small', 'dinov2-base'], { host: mirror.url, modelsDir: out, revision: FIXTURE_HUB_REVISION })).rejects.toThrow(
        /--revision names a commit of one repository, but 2 encoders were given/,
      );
    } finally {
      await mirror.close();
    }
  });
});
