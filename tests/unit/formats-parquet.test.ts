/**
 * Parquet in and out: exact round trips, `embed --format parquet`, and our files read by real
 * DuckDB, which reproduces the mined pair set with the SQL recipe in the README.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeNpyMatrix } from '../../src/core/formats/npy.ts';
import { decodeEmbeddingsParquet, decodePairsParquet, encodeEmbeddingsParquet, encodePairsParquet } from '../../src/core/formats/parquet.ts';
import { fixtureEncoderFiles } from '../../src/core/onnx/fixture-encoders.ts';
import { clusteredMatrix, prng } from './mining-reference.ts';
import { runCli } from '../support/cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'formats-parquet-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Duck = typeof import('@duckdb/node-api');
let duck: Duck | undefined;
let duckProblem = '';
try {
  duck = await import('@duckdb/node-api');
} catch (error) {
  // The native binary ships inside the registry package; a platform without one skips with the reason.
  duckProblem = `@duckdb/node-api could not load here (${error instanceof Error ? error.message : String(error)})`;
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await (duck as Duck).DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const random = prng(5);
const rows = 260;
const clip = clusteredMatrix(random, rows, 512, 6, 0.3, 1);
const dino = clusteredMatrix(random, rows, 384, 14, 0.7);
const images = Array.from({ length: rows }, (_, r) => ({ sha256: (r * 7919).toString(16).padStart(64, '0'), name: `scans/img-${r}.png`, width: 100 + r, height: 200 + r }));
const embeddingsPath = join(dir, 'embeddings.parquet');
writeFileSync(embeddingsPath, encodeEmbeddingsParquet({ images, clip, dino, meta: { encoders: ['a', 'b'] } }));

describe('Parquet round trips', () => {
  it('embeddings come back exactly, with the images and the metadata', async () => {
    const back = await decodeEmbeddingsParquet(new Uint8Array(readFileSync(embeddingsPath)));
    expect(back.images).toEqual(images);
    expect([back.clip.rows, back.clip.dim, back.dino.rows, back.dino.dim]).toEqual([rows, 512, rows, 384]);
    expect(Buffer.from(back.clip.data.buffer).equals(Buffer.from(clip.data.buffer))).toBe(true);
    expect(Buffer.from(back.dino.data.buffer).equals(Buffer.from(dino.data.buffer))).toBe(true);
    expect(back.meta).toMatchObject({ kind: 'embeddings', encoders: ['a', 'b'], clipDim: 512, dinoDim: 384 });
    const empty = await decodeEmbeddingsParquet(encodeEmbeddingsParquet({ images: [], clip: { rows: 0, dim: 8, data: new Float32Array(0) }, dino: { rows: 0, dim: 4, data: new Float32Array(0) } }));
    expect([empty.images.length, empty.clip.dim, empty.dino.dim]).toEqual([0, 8, 4]);
  });

  it('pairs come back exactly, nulls included', async () => {
    const pairs = {
      a: Uint32Array.of(0, 5), b: Uint32Array.of(9, 6), sha256A: ['x', null], sha256B: [null, 'y'],
      clip: Float32Array.of(0.9123, 0.85), dino: Float32Array.of(0.1, -0.2), rank: Uint32Array.of(1, 2), rankAB: Uint32Array.of(0, 4), rankBA: Uint32Array.of(2, 0),
    };
    const back = await decodePairsParquet(encodePairsParquet(pairs, { k: 4 }));
    expect(back.pairs).toEqual(pairs);
    expect(back.meta).toMatchObject({ kind: 'pairs', k: 4 });
  });

  it('explains a file that is not Parquet', async () => {
    await expect(decodeEmbeddingsParquet(new TextEncoder().encode('not parquet at all'), 'x.parquet')).rejects.toThrow(/x.parquet is not a readable Parquet file/);
    await expect(decodeEmbeddingsParquet(encodePairsParquet({ a: new Uint32Array(0), b: new Uint32Array(0), sha256A: [], sha256B: [], clip: new Float32Array(0), dino: new Float32Array(0), rank: new Uint32Array(0), rankAB: new Uint32Array(0), rankBA: new Uint32Array(0) }, {}), 'p.parquet')).rejects.toThrow(/has no column sha256/);
  });
});

describe('mediconfusion embed --format parquet', () => {
  it('writes the rows of the .npy output with hashes, names and sizes', async () => {
    const models = join(dir, 'models');
    for (const id of ['fixture-clip', 'fixture-dino'] as const) {
      for (const [rel, content] of Object.entries(fixtureEncoderFiles(id))) {
        mkdirSync(dirname(join(models, id, rel)), { recursive: true });
        writeFileSync(join(models, id, rel), content);
      }
    }
    const folder = join(dir, 'images');
    mkdirSync(join(folder, 'sub'), { recursive: true });
    [[40, 30], [64, 64], [20, 50]].forEach(([w, h], i) => {
      const png = new PNG({ width: w, height: h });
      for (let p = 0; p < png.data.length; p++) png.data[p] = (p * (i + 3)) & 255;
      writeFileSync(join(folder, i === 2 ? 'sub/c.png' : `${'ab'[i]}.png`), PNG.sync.write(png));
    });
    const args = ['embed', '--encoders', 'fixture-clip,fixture-dino', '--models', models, '--quiet', folder];
    expect((await runCli([...args, '--out', join(dir, 'npy')])).code).toBe(0);
    expect((await runCli([...args, '--format', 'parquet', '--out', join(dir, 'pq')])).code).toBe(0);
    const table = await decodeEmbeddingsParquet(new Uint8Array(readFileSync(join(dir, 'pq', 'embeddings.parquet'))));
    const index = JSON.parse(readFileSync(join(dir, 'npy', 'index.json'), 'utf8')) as { images: { file: string; sha256: string; width: number; height: number }[] };
    expect(table.images).toEqual(index.images.map((i) => ({ sha256: i.sha256, name: i.file, width: i.width, height: i.height })));
    const npyClip = decodeNpyMatrix(new Uint8Array(readFileSync(join(dir, 'npy', 'clip.npy'))));
    const npyDino = decodeNpyMatrix(new Uint8Array(readFileSync(join(dir, 'npy', 'dino.npy'))));
    expect(Array.from(table.clip.data)).toEqual(Array.from(npyClip.data));
    expect(Array.from(table.dino.data)).toEqual(Array.from(npyDino.data));
    expect(table.meta).toMatchObject({ encoders: ['fixture-clip', 'fixture-dino'] });
    expect((await runCli([...args, '--format', 'csv', '--out', join(dir, 'x')])).err).toMatch(/--format must be npy or parquet/);
  });
});

/** The README's recipe (k-NN candidates, then the thresholds), on our embeddings.parquet. */
const knnSql = (file: string, k: number, floor: number, clipMin: number, dinoMax: number) => `
WITH e AS (
  SELECT file_row_number AS i, clip::FLOAT[512] AS clip, dino::FLOAT[384] AS dino
  FROM read_parquet('${file}', file_row_number = true)),
nearest AS (
  SELECT x.i AS a, y.i AS b, array_cosine_similarity(x.clip, y.clip) AS sim
  FROM e x JOIN e y ON x.i <> y.i
  WHERE array_cosine_similarity(x.clip, y.clip) >= ${floor}
  QUALIFY row_number() OVER (PARTITION BY x.i ORDER BY sim DESC, y.i) <= ${k}),
candidates AS (SELECT DISTINCT least(a, b) AS a, greatest(a, b) AS b FROM nearest)
SELECT * FROM (
  SELECT c.a, c.b, array_cosine_similarity(x.clip, y.clip) AS clip_sim, array_cosine_similarity(x.dino, y.dino) AS dino_sim
  FROM candidates c JOIN e x ON x.i = c.a JOIN e y ON y.i = c.b)
WHERE clip_sim > ${clipMin} AND dino_sim < ${dinoMax}
ORDER BY clip_sim - dino_sim DESC`;

describe.skipIf(!duck)(`DuckDB reads our files${duck ? '' : ` (skipped: ${duckProblem})`}`, () => {
  it('sees embeddings.parquet as FLOAT lists with the exact values', async () => {
    const [info] = await query(`SELECT count(*)::INTEGER AS n, any_value(typeof(clip)) AS t, max(len(clip))::INTEGER AS d, max(len(dino))::INTEGER AS e FROM '${embeddingsPath}'`);
    expect(info).toEqual({ n: rows, t: 'FLOAT[]', d: 512, e: 384 });
    const [row] = await query(`SELECT sha256, name, width, height, clip FROM read_parquet('${embeddingsPath}', file_row_number = true) WHERE file_row_number = 17`);
    expect(row).toMatchObject({ sha256: images[17].sha256, name: images[17].name, width: images[17].width, height: images[17].height });
    const values = (row.clip as { items?: unknown[] }).items ?? (row.clip as unknown[]);
    expect(Float32Array.from(values as number[])).toEqual(clip.data.subarray(17 * 512, 18 * 512));
  });

  it('reproduces the k-NN pair set of mine --knn with array_cosine_similarity, and reads pairs.parquet', async () => {
    const out = join(dir, 'pairs.parquet');
    const { code } = await runCli(['mine', '--embeddings', embeddingsPath, '--knn', '5', '--floor', '0.5', '--clip-min', '0.6', '--dino-max', '0.8', '--out', out]);
    expect(code).toBe(0);
    const mined = await decodePairsParquet(new Uint8Array(readFileSync(out)));
    const ours = Array.from(mined.pairs.a, (a, r) => `${a},${mined.pairs.b[r]}`);
    expect(ours.length).toBeGreaterThan(40);
    const sql = await query(knnSql(embeddingsPath, 5, 0.5, 0.6, 0.8));
    expect(sql.map((p) => `${String(p.a)},${String(p.b)}`).sort()).toEqual([...ours].sort());
    const read = await query(`SELECT a, b, sha256_a, clip, rank, rank_ab, rank_ba FROM '${out}' ORDER BY rank`);
    expect(read.map((p) => `${String(p.a)},${String(p.b)}`)).toEqual(ours);
    expect(read[0].sha256_a).toBe(images[Number(read[0].a)].sha256);
    for (const p of read) expect(Math.abs(Number(p.clip) - Number(sql.find((q) => String(q.a) === String(p.a) && String(q.b) === String(p.b))?.clip_sim))).toBeLessThan(1e-5);
  });
});
