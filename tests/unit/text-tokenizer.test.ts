import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as transformers from '@huggingface/transformers';
import { loadTextTokenizer, tokenizeTexts, truncateIds, type TokenizerSource } from '../../src/core/text/tokenizer.ts';
import { bertTokenizerFilesFromVocab } from '../../src/core/text/wordpiece-files.ts';

const goldenDir = fileURLToPath(new URL('../golden/tokenizer/', import.meta.url));
const fixture = (name: string) => readFileSync(`${goldenDir}bert-uncased-mini/${name}`, 'utf8');
/** Ids from scripts/golden/bert_tokenizer_fixture.py: an independent implementation of BERT's BasicTokenizer + WordPiece. */
const expected = JSON.parse(fixture('expected.json')) as { context_length: number; cases: { text: string; ids: number[] }[] };
const local: TokenizerSource = { kind: 'self-hosted', localModelPath: goldenDir, folder: 'bert-uncased-mini' };

describe('BERT WordPiece tokenizer through @huggingface/transformers (committed mini vocabulary)', () => {
  it('gives the ids of the BERT rules: [CLS] ... [SEP], lower-casing, accents stripped, punctuation split, ## pieces, [UNK], CJK, truncation to 256', async () => {
    const tokenizer = await loadTextTokenizer(transformers, [local]);
    for (const { text, ids } of expected.cases) {
      const batch = tokenizeTexts(tokenizer, [text], expected.context_length);
      expect([...batch.inputIds].map(Number), JSON.stringify(text.slice(0, 60))).toEqual(ids);
      expect([...batch.attentionMask].every((m) => m === 1n)).toBe(true);
    }
    expect(expected.cases.at(-1)?.ids).toHaveLength(256);
  });

  it('pads a batch to its longest row with the pad id and masks the padding', async () => {
    const tokenizer = await loadTextTokenizer(transformers, [local]);
    const batch = tokenizeTexts(tokenizer, ['chest x-ray', 'a left pleural effusion in the lung'], 256);
    expect(batch.dims).toEqual([2, 9]);
    expect(batch.lengths).toEqual([6, 9]);
    expect([...batch.inputIds.slice(0, 9)].map(Number)).toEqual([2, 70, 41, 7, 71, 3, 0, 0, 0]);
    expect([...batch.attentionMask.slice(0, 9)].map(Number)).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0]);
  });

  it('truncates as Hugging Face does, keeping the closing special token', () => {
    expect(truncateIds([2, 10, 11, 12, 3], 4)).toEqual([2, 10, 11, 3]);
    expect(truncateIds([2, 3], 4)).toEqual([2, 3]);
    expect(() => truncateIds([2, 3], 1)).toThrow(/cannot hold/);
  });

  it('tries the sources in order and says what to run when none has the files', async () => {
    const missing: TokenizerSource = { kind: 'self-hosted', localModelPath: goldenDir, folder: 'nope' };
    await expect(loadTextTokenizer(transformers, [missing, local])).resolves.toBeDefined();
    await expect(loadTextTokenizer(transformers, [missing])).rejects.toThrow(/Could not load the text tokenizer .*nope\/tokenizer\.json.*npm run models -- biomedclip/);
  });

  it('builds the same tokenizer.json and tokenizer_config.json from vocab.txt (for repositories that ship only the vocabulary)', () => {
    const built = bertTokenizerFilesFromVocab(fixture('vocab.txt'));
    expect(JSON.parse(built['tokenizer.json'])).toEqual(JSON.parse(fixture('tokenizer.json')));
    expect(JSON.parse(built['tokenizer_config.json'])).toEqual(JSON.parse(fixture('tokenizer_config.json')));
    expect(() => bertTokenizerFilesFromVocab('a\nb\n')).toThrow(/no \[PAD\] token/);
  });
});
