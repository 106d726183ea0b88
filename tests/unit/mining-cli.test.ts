import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../../src/core/formats/npy.ts';
import type { EmbeddingMatrix } from '../../src/core/mining/index.ts';
import { bruteForceCandidates, clusteredMatrix, prng, referenceFilter } from './mining-reference.ts';
import { runCli } from '../support/cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'mining-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeMatrix(name: string, m: EmbeddingMatrix): string {
  const path = join(dir, name);
  writeFileSync(path, encodeNpy({ dtype: '<f4', shape: [m.rows, m.dim], data: m.data }));
  return path;
}

const capture = (argv: string[]) => runCli(argv);

const random = prng(2024);
const clip = clusteredMatrix(random, 150, 48, 3, 0.3, 1);
const dino = clusteredMatrix(random, 150, 32, 8, 0.7);
const clipPath = writeMatrix('clip.npy', clip);
const dinoPath = writeMatrix('dino.npy', dino);

interface JsonPair {
  a: number;
  b: number;
  clip: number;
  dino: number;
}

describe('mediconfusion mine', () => {
  it('prints exactly the reference pairs, ordered by margin', async () => {
    const { code, out } = await capture(['mine', '--clip', clipPath, '--dino', dinoPath, '--clip-min', '0.85', '--dino-max', '0.6']);
    expect(code).toBe(0);
    const pairs = (JSON.parse(out) as { pairs: JsonPair[] }).pairs;
    const expected = referenceFilter(bruteForceCandidates(clip, dino, 0.8), { clipMin: 0.85, dinoMax: 0.6 }).pairs;
    expect(expected.length).toBeGreaterThan(20);
    expect(pairs.map((p) => [p.a, p.b])).toEqual(expected.map((p) => [p.a, p.b]));
    pairs.forEach((p, i) => {
      expect(p.a).toBeLessThan(p.b);
      expect(Math.abs(p.clip - expected[i].clip)).toBeLessThanOrEqual(1e-5);
      expect(Math.abs(p.dino - expected[i].dino)).toBeLessThanOrEqual(1e-5);
    });
  });

  it('writes --out, honours --floor and --max-per-image', async () => {
    const out = join(dir, 'pairs.json');
    const args = ['mine', '--clip', clipPath, '--dino', dinoPath, '--floor', '0.5', '--clip-min', '0.6', '--dino-max', '0.9', '--max-per-image', '2', '--out', out];
    const { code, err } = await capture(args);
    expect(code).toBe(0);
    const pairs = (JSON.parse(readFileSync(out, 'utf8')) as { pairs: JsonPair[] }).pairs;
    const expected = referenceFilter(bruteForceCandidates(clip, dino, 0.5), { clipMin: 0.6, dinoMax: 0.9, maxPerImage: 2 }).pairs;
    expect(pairs.map((p) => [p.a, p.b])).toEqual(expected.map((p) => [p.a, p.b]));
    expect(err).toMatch(new RegExp(`Wrote ${expected.length} pairs`));
  });

  it('explains bad input', async () => {
    const short = writeMatrix('short.npy', { rows: 3, dim: 48, data: new Float32Array(3 * 48) });
    const bytes = join(dir, 'u8.npy');
    writeFileSync(bytes, encodeNpy({ dtype: '|u1', shape: [2, 2], data: new Uint8Array(4) }));
    const vector = join(dir, 'vec.npy');
    writeFileSync(vector, encodeNpy({ dtype: '<f4', shape: [4], data: new Float32Array(4) }));
    const cases: [string[], RegExp][] = [
      [['--clip', clipPath, '--dino', short], /--clip has 150 rows but --dino has 3/],
      [['--clip', bytes, '--dino', dinoPath], /dtype \|u1; save the embeddings as float32/],
      [['--clip', vector, '--dino', dinoPath], /expected a 2-D \[N, D\] matrix/],
      [['--clip', clipPath, '--dino', dinoPath, '--clip-min', '0.7'], /below --floor 0.8; lower --floor/],
      [['--clip', clipPath], /Give both --clip and --dino/],
      [['--clip', join(dir, 'missing.npy'), '--dino', dinoPath], /Could not read --clip/],
      [['--clip', clipPath, '--dino', dinoPath, '--max-per-image=-1'], /whole number/],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await capture(['mine', ...args]);
      expect(code, args.join(' ')).toBe(2);
      expect(err).toMatch(message);
    }
  });
});
