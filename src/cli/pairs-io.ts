/**
 * Files of `mine` and `merge-pairs`: the embeddings they read (.npy pair or embeddings.parquet)
 * and the pairs they write (JSON in today's shape, or pairs.parquet), whole or as shard parts.
 * Formats are chosen by the file extension (.parquet, else JSON).
 */
import { closeSync, fstatSync, openSync, readSync, writeFileSync } from 'node:fs';
import { asyncBufferFromFile } from 'hyparquet';
import { UsageError } from './command.ts';
import { decodeNpy } from '../core/formats/npy.ts';
import { decodeEmbeddingsParquet, decodePairsParquet, encodePairsParquet, type PairsTable } from '../core/formats/parquet.ts';
import type { EmbeddingMatrix } from '../core/mining/index.ts';
import type { PairRecords } from '../core/mining/shards.ts';
import { messageOf } from '../core/errors.ts';

/** Settings of a mining run; every shard of the run must carry the same ones. */
export interface RunMeta {
  version: 1;
  mode: 'knn' | 'all-pairs';
  /** Neighbours per image in k-NN mode, null in all-pairs mode. */
  k: number | null;
  floor: number;
  clipMin: number;
  dinoMax: number;
  maxPerImage: number;
  rows: number;
}

export interface PartMeta extends RunMeta {
  shard: { index: number; count: number };
}

/** Pair records plus the image hashes they name (row -> sha256), when the input had them. */
export interface HashedRecords {
  records: PairRecords;
  hashes: Map<number, string>;
}

export const isParquet = (path: string) => path.toLowerCase().endsWith('.parquet');

/** The whole file in a plain Uint8Array, read in chunks: readFileSync stops at 2 GiB, a 1M x 512 .npy is larger. */
function readBytes(path: string, option: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    throw new UsageError(`Could not read ${option} ${path}; check the path.`);
  }
  try {
    const bytes = new Uint8Array(fstatSync(fd).size);
    for (let at = 0; at < bytes.length; ) {
      const read = readSync(fd, bytes, at, Math.min(1 << 30, bytes.length - at), at);
      if (read === 0) throw new UsageError(`${option} ${path} ended early while it was read; check the file.`);
      at += read;
    }
    return bytes;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Could not read ${option} ${path} (${messageOf(error)}); check the file.`);
  } finally {
    closeSync(fd);
  }
}

export function readMatrix(path: string, option: string): EmbeddingMatrix {
  const bytes = readBytes(path, option);
  let array;
  try {
    array = decodeNpy(bytes);
  } catch (error) {
    throw new UsageError(`${option} ${path}: ${messageOf(error)}`);
  }
  if (array.dtype !== '<f4') {
    throw new UsageError(`${option} ${path} holds dtype ${array.dtype}; save the embeddings as float32 (numpy: arr.astype(np.float32)).`);
  }
  if (array.shape.length !== 2) {
    throw new UsageError(`${option} ${path} has shape [${array.shape.join(', ')}]; expected a 2-D [N, D] matrix, one row per image.`);
  }
  return { rows: array.shape[0], dim: array.shape[1], data: array.data };
}

/** The two matrices and, from embeddings.parquet, each row's sha256. */
export async function readEmbeddings(values: { clip?: string; dino?: string; embeddings?: string }): Promise<{ clip: EmbeddingMatrix; dino: EmbeddingMatrix; sha256: string[] | undefined }> {
  if (values.embeddings) {
    if (values.clip || values.dino) throw new UsageError('Give either --embeddings FILE.parquet or --clip and --dino, not both.');
    let source;
    try {
      // Streamed one row group at a time: the file may be larger than one buffer.
      source = await asyncBufferFromFile(values.embeddings);
    } catch {
      throw new UsageError(`Could not read --embeddings ${values.embeddings}; check the path.`);
    }
    try {
      const table = await decodeEmbeddingsParquet(source, `--embeddings ${values.embeddings}`);
      return { clip: table.clip, dino: table.dino, sha256: table.images.map((i) => i.sha256) };
    } catch (error) {
      throw new UsageError(messageOf(error));
    }
  }
  if (!values.clip || !values.dino) {
    throw new UsageError('Give both --clip and --dino (.npy files), or --embeddings embeddings.parquet. Run `mediconfusion mine --help` for an example.');
  }
  const clip = readMatrix(values.clip, '--clip');
  const dino = readMatrix(values.dino, '--dino');
  if (clip.rows !== dino.rows) {
    throw new UsageError(`--clip has ${clip.rows} rows but --dino has ${dino.rows}; both files need one row per image, in the same order.`);
  }
  return { clip, dino, sha256: undefined };
}

function table(records: PairRecords, hashes: Map<number, string>): PairsTable {
  const n = records.a.length;
  return {
    a: records.a,
    b: records.b,
    sha256A: Array.from(records.a, (a) => hashes.get(a) ?? null),
    sha256B: Array.from(records.b, (b) => hashes.get(b) ?? null),
    clip: records.clip,
    dino: records.dino,
    rank: Uint32Array.from({ length: n }, (_, r) => r + 1),
    rankAB: records.rankAB,
    rankBA: records.rankBA,
  };
}

/** Today's JSON shape: {"pairs":[{"a","b","clip","dino"}, ...]}, one pair a line. */
function finalJson(records: PairRecords): string {
  const lines: string[] = [];
  for (let r = 0; r < records.a.length; r++) {
    lines.push(JSON.stringify({ a: records.a[r], b: records.b[r], clip: records.clip[r], dino: records.dino[r] }));
  }
  return lines.length === 0 ? '{"pairs":[]}\n' : `{"pairs":[\n${lines.join(',\n')}\n]}\n`;
}

function write(path: string, data: string | Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch {
    throw new UsageError(`Could not write --out ${path}; check that its folder exists and is writable.`);
  }
}

/** Writes the final pairs (margin order) to `path`, or JSON to standard output without one. */
export function writeFinal(path: string | undefined, pairs: HashedRecords, meta: RunMeta): void {
  if (!path) {
    console.log(finalJson(pairs.records).trimEnd());
    return;
  }
  write(path, isParquet(path) ? encodePairsParquet(table(pairs.records, pairs.hashes), meta) : finalJson(pairs.records));
  console.error(`Wrote ${pairs.records.a.length} pairs to ${path}.`);
}

/** A shard's part: its matching pairs before the per-image cap, and the run's settings. */
export function writePart(path: string, part: HashedRecords, meta: PartMeta): void {
  if (isParquet(path)) {
    write(path, encodePairsParquet(table(part.records, part.hashes), { ...meta, kind: 'pairs-part' }));
  } else {
    const { records, hashes } = part;
    const lines: string[] = [];
    for (let r = 0; r < records.a.length; r++) {
      const a = records.a[r];
      const b = records.b[r];
      const row = { a, b, clip: records.clip[r], dino: records.dino[r], rank_ab: records.rankAB[r] || null, rank_ba: records.rankBA[r] || null, sha256_a: hashes.get(a) ?? null, sha256_b: hashes.get(b) ?? null };
      lines.push(JSON.stringify(row));
    }
    write(path, `{"part":${JSON.stringify(meta)},"pairs":[\n${lines.join(',\n')}\n]}\n`);
  }
  console.error(`Wrote shard ${meta.shard.index}/${meta.shard.count}: ${part.records.a.length} matching pairs to ${path}.`);
}

function isPartMeta(value: unknown): value is PartMeta {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  const shard = m.shard as Record<string, unknown> | undefined;
  return m.version === 1 && (m.mode === 'knn' || m.mode === 'all-pairs') && typeof m.rows === 'number' && typeof m.floor === 'number'
    && typeof m.clipMin === 'number' && typeof m.dinoMax === 'number' && typeof m.maxPerImage === 'number'
    && typeof shard?.index === 'number' && typeof shard.count === 'number';
}

interface JsonPartPair {
  a: number;
  b: number;
  clip: number;
  dino: number;
  rank_ab: number | null;
  rank_ba: number | null;
  sha256_a: string | null;
  sha256_b: string | null;
}

/** Reads a part written by `mine --shard` (JSON or Parquet). */
export async function readPart(path: string): Promise<HashedRecords & { meta: PartMeta }> {
  const bytes = readBytes(path, 'part');
  const notPart = `${path} is not a part written by \`mediconfusion mine --shard\`; pass the files the shards wrote.`;
  const hashes = new Map<number, string>();
  if (isParquet(path)) {
    let decoded;
    try {
      decoded = await decodePairsParquet(bytes, path);
    } catch (error) {
      throw new UsageError(messageOf(error));
    }
    const { pairs, meta } = decoded;
    if (!isPartMeta(meta)) throw new UsageError(notPart);
    pairs.a.forEach((a, r) => pairs.sha256A[r] !== null && hashes.set(a, pairs.sha256A[r] as string));
    pairs.b.forEach((b, r) => pairs.sha256B[r] !== null && hashes.set(b, pairs.sha256B[r] as string));
    const records = { a: pairs.a, b: pairs.b, clip: pairs.clip, dino: pairs.dino, rankAB: pairs.rankAB, rankBA: pairs.rankBA };
    const { version, mode, k, floor, clipMin, dinoMax, maxPerImage, rows, shard } = meta;
    return { records, hashes, meta: { version, mode, k, floor, clipMin, dinoMax, maxPerImage, rows, shard } };
  }
  let doc: { part?: unknown; pairs?: JsonPartPair[] };
  try {
    doc = JSON.parse(new TextDecoder().decode(bytes)) as { part?: unknown; pairs?: JsonPartPair[] };
  } catch {
    throw new UsageError(notPart);
  }
  if (!isPartMeta(doc.part) || !Array.isArray(doc.pairs)) throw new UsageError(notPart);
  const pairs = doc.pairs;
  for (const p of pairs) {
    if (p.sha256_a) hashes.set(p.a, p.sha256_a);
    if (p.sha256_b) hashes.set(p.b, p.sha256_b);
  }
  const records: PairRecords = {
    a: Uint32Array.from(pairs, (p) => p.a),
    b: Uint32Array.from(pairs, (p) => p.b),
    clip: Float32Array.from(pairs, (p) => p.clip),
    dino: Float32Array.from(pairs, (p) => p.dino),
    rankAB: Uint32Array.from(pairs, (p) => p.rank_ab ?? 0),
    rankBA: Uint32Array.from(pairs, (p) => p.rank_ba ?? 0),
  };
  return { records, hashes, meta: doc.part };
}

/** The row -> sha256 map of an input (empty when it had none). */
export function hashMap(sha256: string[] | undefined): Map<number, string> {
  const map = new Map<number, string>();
  sha256?.forEach((h, r) => map.set(r, h));
  return map;
}
