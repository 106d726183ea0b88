/**
 * The benchmark as a zip: `dataset.json` plus `images/<local id>.jpg`, the layout MediConfusion's
 * evaluation code reads (it opens `<images folder>/<local id>.jpg`). The JPEG bytes come from the
 * caller, which encodes them; this module only packs and unpacks.
 */
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { datasetToJson } from './export.ts';
import { parseDatasetJson, type MediConfusionDataset } from './dataset.ts';
import { ImportError } from './errors.ts';

/** A fixed timestamp keeps exports byte-identical for identical content. */
const ZIP_MTIME = new Date(Date.UTC(2025, 0, 1));

/** JPEG bytes per local id, as a Map or a plain record. */
export type JpegsByLocalId = ReadonlyMap<number, Uint8Array> | Readonly<Record<number, Uint8Array>>;

function jpegFor(jpegs: JpegsByLocalId, localId: number): Uint8Array | undefined {
  return jpegs instanceof Map ? jpegs.get(localId) : (jpegs as Readonly<Record<number, Uint8Array>>)[localId];
}

/** Local ids referenced by a dataset, ascending. */
export function referencedLocalIds(dataset: MediConfusionDataset): number[] {
  const ids = new Set<number>();
  for (const pair of Object.values(dataset)) {
    ids.add(pair.im_1_local);
    ids.add(pair.im_2_local);
  }
  return [...ids].sort((a, b) => a - b);
}

/**
 * Packs `dataset.json`, `images/<local id>.jpg` for every referenced image, and any extra text
 * files (a pairs CSV, a session file) at the root. Throws when an image's bytes are missing or
 * are not a JPEG, so a benchmark never ships with a hole.
 */
export function buildBenchmarkZip(
  dataset: MediConfusionDataset,
  jpegs: JpegsByLocalId,
  extraFiles: Readonly<Record<string, string | Uint8Array>> = {},
): Uint8Array {
  const images: Zippable = {};
  for (const localId of referencedLocalIds(dataset)) {
    const bytes = jpegFor(jpegs, localId);
    if (!bytes) throw new Error(`The JPEG for image ${localId} is missing; encode every exported image before zipping.`);
    if (bytes.length < 3 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff) {
      throw new Error(`The bytes given for image ${localId} are not a JPEG; encode it as JPEG before zipping.`);
    }
    // JPEG is already compressed: store it.
    images[`${localId}.jpg`] = [bytes, { level: 0 }];
  }
  const files: Zippable = { 'dataset.json': strToU8(datasetToJson(dataset)), images };
  for (const [name, content] of Object.entries(extraFiles)) {
    if (name === 'dataset.json' || name.startsWith('images/') || name.includes('..')) {
      throw new Error(`The extra file name "${name}" would clash with the benchmark layout; choose another name.`);
    }
    files[name] = typeof content === 'string' ? strToU8(content) : content;
  }
  return zipSync(files, { level: 6, mtime: ZIP_MTIME });
}

/** Largest total of uncompressed bytes accepted from a benchmark zip (guards against zip bombs). */
export const MAX_UNZIPPED_BYTES = 2 ** 31;

/** A benchmark read back from a zip. */
export interface UnpackedBenchmark {
  dataset: MediConfusionDataset;
  /** JPEG bytes by local id, for the images the zip holds under `images/`. */
  images: Map<number, Uint8Array>;
}

/**
 * Reads a benchmark zip: `dataset.json` (at the root or in one top folder) and `images/<id>.jpg`.
 * Throws {@link ImportError} when it is not such a zip.
 */
export function readBenchmarkZip(bytes: Uint8Array, file = 'benchmark.zip'): UnpackedBenchmark {
  let total = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (entry) => {
        total += entry.originalSize;
        if (total > MAX_UNZIPPED_BYTES) throw new Error('the zip expands to more than 2 GiB');
        return entry.name.endsWith('dataset.json') || /(^|\/)images\/\d+\.jpe?g$/i.test(entry.name);
      },
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ImportError(file, '', `is not a readable zip (${detail}).`);
  }
  const datasetName = Object.keys(entries)
    .filter((name) => /^([^/]+\/)?dataset\.json$/.test(name))
    .sort((a, b) => a.length - b.length)[0];
  if (!datasetName) throw new ImportError(file, '', 'holds no dataset.json; expected dataset.json and images/<local id>.jpg.');
  const dataset = parseDatasetJson(strFromU8(entries[datasetName]), `${file}/${datasetName}`);
  const prefix = datasetName.slice(0, -'dataset.json'.length);
  const images = new Map<number, Uint8Array>();
  for (const [name, content] of Object.entries(entries)) {
    const match = /^images\/(\d+)\.jpe?g$/i.exec(name.startsWith(prefix) ? name.slice(prefix.length) : '');
    if (match) images.set(Number(match[1]), content);
  }
  return { dataset, images };
}
