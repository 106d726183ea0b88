/**
 * Parquet files of embeddings and pairs, written with hyparquet-writer and read with hyparquet:
 * pure JavaScript, the same code in Node, workers and the page, so a file the CLI writes opens
 * in the app and in DuckDB, pandas or Embedding Atlas. Bytes in, bytes out: no file system here.
 *
 * embeddings.parquet: sha256, name, width, height, clip FLOAT list, dino FLOAT list (one row per image).
 * pairs.parquet: a, b, sha256_a, sha256_b, clip, dino, rank (1 = largest margin), rank_ab, rank_ba
 * (k-NN ranks, null outside k-NN mode or when not listed). Settings travel in the key-value
 * metadata under "mediconfusion".
 */
import { parquetMetadata, parquetMetadataAsync, parquetRead, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { ByteWriter, ParquetWriter, type ColumnSource, type SchemaElement } from 'hyparquet-writer';
import type { EmbeddingMatrix } from '../mining/matrix.ts';
import { messageOf } from '../errors.ts';

export const PARQUET_META_KEY = 'mediconfusion';

/** Rows per row group: about 20 MB of 512 + 384 floats, so readers can stream the file. */
const EMBEDDING_ROW_GROUP = 10_000;

export interface ImageRecord {
  sha256: string;
  name: string;
  width: number;
  height: number;
}

export interface EmbeddingsTable {
  images: ImageRecord[];
  clip: EmbeddingMatrix;
  dino: EmbeddingMatrix;
  /** Free-form settings (encoder ids, ...), stored as JSON in the file's metadata. */
  meta?: Record<string, unknown>;
}

export interface PairsTable {
  a: Uint32Array;
  b: Uint32Array;
  /** null where the rows' hashes were not known to the writer. */
  sha256A: (string | null)[];
  sha256B: (string | null)[];
  clip: Float32Array;
  dino: Float32Array;
  /** 1-based position in margin order. */
  rank: Uint32Array;
  /** k-NN rank of b in a's list, 0 = none (written as null). */
  rankAB: Uint32Array;
  rankBA: Uint32Array;
}

const floatList = (name: string): SchemaElement[] => [
  { name, repetition_type: 'REQUIRED', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
];

const EMBEDDING_SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: 6 },
  { name: 'sha256', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'width', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'height', type: 'INT32', repetition_type: 'REQUIRED' },
  ...floatList('clip'),
  ...floatList('dino'),
];

const PAIR_SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: 9 },
  { name: 'a', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'b', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'sha256_a', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'sha256_b', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'clip', type: 'FLOAT', repetition_type: 'REQUIRED' },
  { name: 'dino', type: 'FLOAT', repetition_type: 'REQUIRED' },
  { name: 'rank', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'rank_ab', type: 'INT32', repetition_type: 'OPTIONAL' },
  { name: 'rank_ba', type: 'INT32', repetition_type: 'OPTIONAL' },
];

function rowsOf(m: EmbeddingMatrix, from: number, to: number): number[][] {
  const out: number[][] = [];
  for (let r = from; r < to; r++) out.push(Array.from(m.data.subarray(r * m.dim, (r + 1) * m.dim)));
  return out;
}

function finish(writer: ByteWriter): Uint8Array {
  return new Uint8Array(writer.getBuffer());
}

/** embeddings.parquet bytes. Rows follow `images`; both matrices need one row per image. */
export function encodeEmbeddingsParquet(table: EmbeddingsTable): Uint8Array {
  const n = table.images.length;
  if (table.clip.rows !== n || table.dino.rows !== n) {
    throw new Error(`There are ${n} images but ${table.clip.rows} CLIP and ${table.dino.rows} DINO rows; give one embedding row per image.`);
  }
  const writer = new ByteWriter();
  const kvMetadata = [{ key: PARQUET_META_KEY, value: JSON.stringify({ kind: 'embeddings', clipDim: table.clip.dim, dinoDim: table.dino.dim, ...table.meta }) }];
  const out = new ParquetWriter({ writer, schema: EMBEDDING_SCHEMA, kvMetadata, createdBy: 'mediconfusion-explorer' });
  // One row group at a time, so only one group's rows exist as JS arrays.
  // An empty table still gets one (empty) row group, so readers see the columns.
  for (let from = 0; from === 0 || from < n; from += EMBEDDING_ROW_GROUP) {
    const to = Math.min(n, from + EMBEDDING_ROW_GROUP);
    const images = table.images.slice(from, to);
    const columnData: ColumnSource[] = [
      { name: 'sha256', data: images.map((i) => i.sha256) },
      { name: 'name', data: images.map((i) => i.name) },
      { name: 'width', data: Int32Array.from(images, (i) => i.width) },
      { name: 'height', data: Int32Array.from(images, (i) => i.height) },
      { name: 'clip', data: rowsOf(table.clip, from, to) },
      { name: 'dino', data: rowsOf(table.dino, from, to) },
    ];
    void out.write({ columnData, rowGroupSize: EMBEDDING_ROW_GROUP });
  }
  void out.finish();
  return finish(writer);
}

/** pairs.parquet bytes, with `meta` (mining settings, shard) in the file's metadata. */
export function encodePairsParquet(pairs: PairsTable, meta: object): Uint8Array {
  const n = pairs.a.length;
  const nullable = (x: Uint32Array) => Array.from(x, (v) => (v === 0 ? null : v));
  const columnData: ColumnSource[] = [
    { name: 'a', data: Int32Array.from(pairs.a) },
    { name: 'b', data: Int32Array.from(pairs.b) },
    { name: 'sha256_a', data: pairs.sha256A.slice(0, n) },
    { name: 'sha256_b', data: pairs.sha256B.slice(0, n) },
    { name: 'clip', data: pairs.clip },
    { name: 'dino', data: pairs.dino },
    { name: 'rank', data: Int32Array.from(pairs.rank) },
    { name: 'rank_ab', data: nullable(pairs.rankAB) },
    { name: 'rank_ba', data: nullable(pairs.rankBA) },
  ];
  const writer = new ByteWriter();
  const kvMetadata = [{ key: PARQUET_META_KEY, value: JSON.stringify({ kind: 'pairs', ...meta }) }];
  const out = new ParquetWriter({ writer, schema: PAIR_SCHEMA, kvMetadata, createdBy: 'mediconfusion-explorer' });
  void out.write({ columnData, rowGroupSize: 100_000 });
  void out.finish();
  return finish(writer);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * Bytes in memory, or an AsyncBuffer (hyparquet's `asyncBufferFromFile` in Node, a File in the
 * page) so a file larger than one buffer can hold is read one row group at a time.
 */
export type ParquetSource = Uint8Array | ArrayBuffer | AsyncBuffer;

async function open(source: ParquetSource, label: string): Promise<{ file: AsyncBuffer; metadata: FileMetaData }> {
  const file = source instanceof Uint8Array ? toArrayBuffer(source) : source;
  try {
    const metadata = file instanceof ArrayBuffer ? parquetMetadata(file) : await parquetMetadataAsync(file);
    return { file, metadata };
  } catch (error) {
    throw new Error(`${label} is not a readable Parquet file (${messageOf(error)}); write it again or check the path.`);
  }
}

/** The "mediconfusion" metadata of a file, or {} when another program wrote it. */
function ourMeta(metadata: FileMetaData): Record<string, unknown> {
  const entry = metadata.key_value_metadata?.find((kv) => kv.key === PARQUET_META_KEY);
  if (!entry?.value) return {};
  try {
    const value: unknown = JSON.parse(entry.value);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function requireColumns(metadata: FileMetaData, names: string[], label: string): void {
  const have = new Set(metadata.schema.slice(1).map((s) => s.name));
  const missing = names.filter((n) => !have.has(n));
  if (missing.length) throw new Error(`${label} has no column ${missing.join(', ')}; it needs ${names.join(', ')}.`);
}

/** Reads rows [from, to) of `columns` as arrays of unknown cells. */
async function readRows(file: AsyncBuffer, metadata: FileMetaData, columns: string[], from: number, to: number): Promise<unknown[][]> {
  let rows: unknown[][] = [];
  await parquetRead({ file, metadata, columns, rowStart: from, rowEnd: to, onComplete: (r: unknown[][]) => (rows = r) });
  return rows;
}

function cellNumber(value: unknown, column: string, row: number, label: string): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number') throw new Error(`${label}: row ${row} has no number in column ${column}; write the file again.`);
  return n;
}

/** Reads embeddings.parquet (ours, or any file with those columns and fixed-length FLOAT lists). */
export async function decodeEmbeddingsParquet(source: ParquetSource, label = 'The embeddings file'): Promise<EmbeddingsTable> {
  const { file, metadata } = await open(source, label);
  requireColumns(metadata, ['sha256', 'name', 'width', 'height', 'clip', 'dino'], label);
  const n = Number(metadata.num_rows);
  const images: ImageRecord[] = [];
  const data: { clip: Float32Array | undefined; dino: Float32Array | undefined } = { clip: undefined, dino: undefined };
  const dims = { clip: 0, dino: 0 };
  let at = 0;
  for (const group of metadata.row_groups) {
    const to = at + Number(group.num_rows);
    const rows = await readRows(file, metadata, ['sha256', 'name', 'width', 'height', 'clip', 'dino'], at, to);
    rows.forEach((row, i) => {
      const r = at + i;
      images.push({ sha256: String(row[0]), name: String(row[1]), width: cellNumber(row[2], 'width', r, label), height: cellNumber(row[3], 'height', r, label) });
      (['clip', 'dino'] as const).forEach((side, s) => {
        const list = row[4 + s];
        if (!Array.isArray(list) || list.length === 0) throw new Error(`${label}: row ${r} has no ${side} embedding; every row needs both.`);
        if (!data[side]) {
          dims[side] = list.length;
          data[side] = new Float32Array(n * list.length);
        }
        if (list.length !== dims[side]) throw new Error(`${label}: row ${r} has a ${side} embedding of ${list.length} values but row 0 has ${dims[side]}; all rows need the same encoder.`);
        const target = data[side] as Float32Array;
        for (let k = 0; k < list.length; k++) target[r * dims[side] + k] = cellNumber(list[k], side, r, label);
      });
    });
    at = to;
  }
  const meta = ourMeta(metadata);
  // An empty file has no row to take the dimensions from: use the ones we recorded.
  const dimOf = (side: 'clip' | 'dino') => dims[side] || (typeof meta[`${side}Dim`] === 'number' ? (meta[`${side}Dim`] as number) : 1);
  return {
    images,
    clip: { rows: n, dim: dimOf('clip'), data: data.clip ?? new Float32Array(0) },
    dino: { rows: n, dim: dimOf('dino'), data: data.dino ?? new Float32Array(0) },
    meta,
  };
}

/** Reads pairs.parquet written by `mine` or `merge-pairs`; `meta` is its settings. */
export async function decodePairsParquet(source: ParquetSource, label = 'The pairs file'): Promise<{ pairs: PairsTable; meta: Record<string, unknown> }> {
  const { file, metadata } = await open(source, label);
  const columns = PAIR_SCHEMA.slice(1).map((s) => s.name);
  requireColumns(metadata, columns, label);
  const n = Number(metadata.num_rows);
  const rows = await readRows(file, metadata, columns, 0, n);
  const num = (v: unknown, c: string, r: number) => cellNumber(v, c, r, label);
  const hash = (v: unknown) => (typeof v === 'string' ? v : null);
  const pairs: PairsTable = {
    a: Uint32Array.from(rows, (row, r) => num(row[0], 'a', r)),
    b: Uint32Array.from(rows, (row, r) => num(row[1], 'b', r)),
    sha256A: rows.map((row) => hash(row[2])),
    sha256B: rows.map((row) => hash(row[3])),
    clip: Float32Array.from(rows, (row, r) => num(row[4], 'clip', r)),
    dino: Float32Array.from(rows, (row, r) => num(row[5], 'dino', r)),
    rank: Uint32Array.from(rows, (row, r) => num(row[6], 'rank', r)),
    rankAB: Uint32Array.from(rows, (row, r) => (row[7] === null || row[7] === undefined ? 0 : num(row[7], 'rank_ab', r))),
    rankBA: Uint32Array.from(rows, (row, r) => (row[8] === null || row[8] === undefined ? 0 : num(row[8], 'rank_ba', r))),
  };
  return { pairs, meta: ourMeta(metadata) };
}
