import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadEncoders, downloadHubEncoder } from '../../src/cli/node-models.ts';
import { getEncoder, type EncoderEntry } from '../../src/core/encoders/registry.ts';
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
});
