/** `mine --knn`, `mine --shard i/n` + `merge-pairs`, and Parquet in and out, end to end. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeNpy } from '../../src/core/formats/npy.ts';
import { decodePairsParquet, encodeEmbeddingsParquet } from '../../src/core/formats/parquet.ts';
import type { EmbeddingMatrix } from '../../src/core/mining/index.ts';
import { clusteredMatrix, prng, referenceFilter } from './mining-reference.ts';
import { referenceKnnCandidates } from './mining-knn-reference.ts';
import { runCli } from '../support/cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'mining-shards-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeMatrix(name: string, m: EmbeddingMatrix): string {
  const path = join(dir, name);
  writeFileSync(path, encodeNpy({ dtype: '<f4', shape: [m.rows, m.dim], data: m.data }));
  return path;
}

const random = prng(99);
const rows = 333;
const clip = clusteredMatrix(random, rows, 40, 5, 0.35, 1);
const dino = clusteredMatrix(random, rows, 24, 12, 0.7);
const clipPath = writeMatrix('clip.npy', clip);
const dinoPath = writeMatrix('dino.npy', dino);
const sha = Array.from({ length: rows }, (_, r) => r.toString(16).padStart(64, '0'));
const embeddingsPath = join(dir, 'embeddings.parquet');
writeFileSync(embeddingsPath, encodeEmbeddingsParquet({ images: sha.map((sha256, r) => ({ sha256, name: `img-${r}.png`, width: 10, height: 20 })), clip, dino }));

const settings = ['--floor', '0.5', '--clip-min', '0.6', '--dino-max', '0.8'];
const knn = ['--knn', '7', ...settings];

async function mine(args: string[]): Promise<void> {
  const result = await runCli(['mine', ...args]);
  expect(result.err).not.toMatch(/Error/);
  expect(result.code).toBe(0);
}

async function shardsThenMerge(input: string[], mode: string[], count: number, ext: string, label: string): Promise<string> {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const part = join(dir, `${label}-part-${i}.${ext}`);
    await mine([...input, ...mode, '--shard', `${i}/${count}`, '--out', part]);
    parts.push(part);
  }
  const out = join(dir, `${label}-merged.${ext}`);
  // Parts in any order.
  const { code, err } = await runCli(['merge-pairs', '--out', out, ...parts.reverse()]);
  expect(err).toMatch(/Wrote \d+ pairs/);
  expect(code).toBe(0);
  return out;
}

describe('mediconfusion mine --knn', () => {
  it('prints the reference k-NN pairs in today\'s shape and order', async () => {
    const { code, out } = await runCli(['mine', '--clip', clipPath, '--dino', dinoPath, ...knn]);
    expect(code).toBe(0);
    const pairs = (JSON.parse(out) as { pairs: { a: number; b: number; clip: number; dino: number }[] }).pairs;
    const expected = referenceFilter(referenceKnnCandidates(clip, dino, 7, 0.5), { clipMin: 0.6, dinoMax: 0.8 }).pairs;
    expect(expected.length).toBeGreaterThan(50);
    expect(pairs.map((p) => `${p.a},${p.b}`)).toEqual(expected.map((p) => `${p.a},${p.b}`));
    expect(Object.keys(pairs[0])).toEqual(['a', 'b', 'clip', 'dino']);
  });

  it('reads embeddings.parquet as input and writes pairs.parquet with hashes and ranks', async () => {
    const fromNpy = join(dir, 'npy.json');
    const fromParquet = join(dir, 'parquet.json');
    await mine(['--clip', clipPath, '--dino', dinoPath, ...knn, '--out', fromNpy]);
    await mine(['--embeddings', embeddingsPath, ...knn, '--out', fromParquet]);
    expect(readFileSync(fromParquet, 'utf8')).toBe(readFileSync(fromNpy, 'utf8'));

    const out = join(dir, 'pairs.parquet');
    await mine(['--embeddings', embeddingsPath, ...knn, '--max-per-image', '3', '--out', out]);
    const { pairs, meta } = await decodePairsParquet(new Uint8Array(readFileSync(out)));
    const reference = referenceKnnCandidates(clip, dino, 7, 0.5);
    const expected = referenceFilter(reference, { clipMin: 0.6, dinoMax: 0.8, maxPerImage: 3 }).pairs;
    expect(Array.from(pairs.a, (a, r) => `${a},${pairs.b[r]}`)).toEqual(expected.map((p) => `${p.a},${p.b}`));
    expect(Array.from(pairs.rank)).toEqual(expected.map((_, r) => r + 1));
    const byKey = new Map(reference.map((p) => [`${p.a},${p.b}`, p]));
    pairs.a.forEach((a, r) => {
      const p = byKey.get(`${a},${pairs.b[r]}`);
      expect([pairs.rankAB[r], pairs.rankBA[r]]).toEqual([p?.rankAB, p?.rankBA]);
      expect(pairs.sha256A[r]).toBe(sha[a]);
      expect(pairs.sha256B[r]).toBe(sha[pairs.b[r]]);
      expect(pairs.clip[r]).toBeCloseTo(p?.clip ?? NaN, 6);
    });
    expect(meta).toMatchObject({ mode: 'knn', k: 7, floor: 0.5, clipMin: 0.6, dinoMax: 0.8, maxPerImage: 3, rows });
  });
});

describe('mediconfusion mine --shard + merge-pairs', () => {
  for (const [label, mode] of [['knn', [...knn, '--max-per-image', '2']], ['all', [...settings, '--max-per-image', '2']]] as const) {
    it(`${label}: merged JSON parts equal one run, byte for byte`, async () => {
      const single = join(dir, `${label}-single.json`);
      await mine(['--clip', clipPath, '--dino', dinoPath, ...mode, '--out', single]);
      for (const count of [1, 3, 4]) {
        const merged = await shardsThenMerge(['--clip', clipPath, '--dino', dinoPath], [...mode], count, 'json', `${label}-${count}`);
        expect(readFileSync(merged, 'utf8')).toBe(readFileSync(single, 'utf8'));
      }
      expect(JSON.parse(readFileSync(single, 'utf8')).pairs.length).toBeGreaterThan(30);
    });
  }

  it('merged Parquet parts hold the same rows as one run (and the same bytes)', async () => {
    const single = join(dir, 'pq-single.parquet');
    const mode = [...knn, '--max-per-image', '2'];
    await mine(['--embeddings', embeddingsPath, ...mode, '--out', single]);
    const merged = await shardsThenMerge(['--embeddings', embeddingsPath], mode, 3, 'parquet', 'pq');
    const rowsOf = async (path: string) => {
      const { pairs } = await decodePairsParquet(new Uint8Array(readFileSync(path)));
      return Array.from(pairs.a, (a, r) => [a, pairs.b[r], pairs.sha256A[r], pairs.sha256B[r], pairs.clip[r], pairs.dino[r], pairs.rank[r], pairs.rankAB[r], pairs.rankBA[r]].join(' ')).sort();
    };
    expect(await rowsOf(merged)).toEqual(await rowsOf(single));
    expect(Buffer.compare(readFileSync(merged), readFileSync(single))).toBe(0);
  });

  it('explains missing, repeated and mismatched parts and bad shard options', async () => {
    const a = join(dir, 'x-0.json');
    const b = join(dir, 'x-1.json');
    await mine(['--clip', clipPath, '--dino', dinoPath, ...knn, '--shard', '0/2', '--out', a]);
    await mine(['--clip', clipPath, '--dino', dinoPath, '--knn', '3', ...settings, '--shard', '1/2', '--out', b]);
    expect((await runCli(['merge-pairs', a])).err).toMatch(/Shard 1\/2 is missing/);
    expect((await runCli(['merge-pairs', a, a])).err).toMatch(/both shard 0\/2/);
    expect((await runCli(['merge-pairs', a, b])).err).toMatch(/was mined with k 3/);
    expect((await runCli(['merge-pairs', clipPath])).err).toMatch(/not a part/);
    expect((await runCli(['mine', '--clip', clipPath, '--dino', dinoPath, '--shard', '2/2', '--out', a])).err).toMatch(/below the count/);
    expect((await runCli(['mine', '--clip', clipPath, '--dino', dinoPath, '--shard', '0/2'])).err).toMatch(/needs --out/);
    expect((await runCli(['mine', '--clip', clipPath, '--dino', dinoPath, '--knn', '0'])).err).toMatch(/--knn must be a whole number/);
    expect((await runCli(['mine', '--embeddings', clipPath])).err).toMatch(/not a readable Parquet file/);
  });
});
