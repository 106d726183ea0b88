import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as transformers from '@huggingface/transformers';
import { downloadTextTokenizer } from '../../src/cli/node-models.ts';
import { getEncoder, type TextTowerEntry } from '../../src/core/encoders/registry.ts';
import { loadTextTokenizer, tokenizeTexts } from '../../src/core/text/tokenizer.ts';
import { FIXTURE_HUB_REVISION, startHubServer, type HubServer } from '../support/hub-server.ts';

const golden = join(import.meta.dirname, '../golden/tokenizer/bert-uncased-mini');
const scratch = mkdtempSync(join(tmpdir(), 'models-tokenizer-'));
const biomedclipText = getEncoder('biomedclip').text as TextTowerEntry;
const tower = (repo: string): TextTowerEntry => ({ ...biomedclipText, tokenizer: { ...biomedclipText.tokenizer, hub: { repo, revision: FIXTURE_HUB_REVISION } } });
const expected = JSON.parse(readFileSync(join(golden, 'expected.json'), 'utf8')) as { cases: { text: string; ids: number[] }[] };

describe('npm run models -- biomedclip: the text tokenizer', () => {
  let hub: HubServer;
  beforeAll(async () => {
    const full = join(scratch, 'repo-full');
    const vocabOnly = join(scratch, 'repo-vocab');
    mkdirSync(full);
    mkdirSync(vocabOnly);
    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) copyFileSync(join(golden, f), join(full, f));
    copyFileSync(join(golden, 'vocab.txt'), join(vocabOnly, 'vocab.txt'));
    hub = await startHubServer({ repos: { 'test-org/full': full, 'test-org/vocab-only': vocabOnly }, revision: FIXTURE_HUB_REVISION });
  });
  afterAll(async () => {
    await hub.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  for (const repo of ['test-org/full', 'test-org/vocab-only']) {
    it(`${repo}: writes tokenizer.json and tokenizer_config.json that tokenise as BERT does`, async () => {
      const modelsDir = join(scratch, `models-${repo.split('/')[1]}`);
      const folder = join(modelsDir, 'biomedclip');
      mkdirSync(folder, { recursive: true });
      await downloadTextTokenizer(tower(repo), folder, { host: hub.url, modelsDir });
      expect(existsSync(join(folder, 'tokenizer.json')) && existsSync(join(folder, 'tokenizer_config.json'))).toBe(true);
      const tokenizer = await loadTextTokenizer(transformers, [{ kind: 'self-hosted', localModelPath: modelsDir, folder: 'biomedclip' }]);
      for (const { text, ids } of expected.cases) expect([...tokenizeTexts(tokenizer, [text], 256).inputIds].map(Number)).toEqual(ids);
      const paths = hub.requests.map((r) => `${r.path} ${r.status}`);
      if (repo.endsWith('vocab-only')) expect(paths).toContain(`/${repo}/resolve/${FIXTURE_HUB_REVISION}/vocab.txt 200`);
    });
  }

  it('fails with a sentence when the repository has neither file', async () => {
    await expect(downloadTextTokenizer(tower('test-org/missing'), join(scratch, 'x'), { host: hub.url, modelsDir: scratch })).rejects.toThrow(/HTTP 404; check the network/);
  });
});
