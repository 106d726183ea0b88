/**
 * The benchmark as a zip: `dataset.json` plus `images/<local id>.jpg`, the layout MediConfusion's
 * evaluation code reads (it opens `<images folder>/<local id>.jpg`). The JPEG bytes come from the
 * caller, which encodes them; this module only packs and unpacks.
 */
import { strFromU8, strToU8, zipSync, type Zippable } from 'fflate';
import {
  extractZipEntry,
  readZipDirectory,
  ZipEntryDamagedError,
  ZipFormatError,
  type ZipDirectoryEntry,
} from '../formats/zip-directory.ts';
import { datasetToJson } from './export.ts';
import { parseDatasetJson, type MediConfusionDataset } from './dataset.ts';
import { ImportError } from './errors.ts';
import { PROVENANCE_FILE, parseProvenance, type ExportProvenance } from './provenance.ts';

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

/**
 * Largest dataset.json accepted from a zip, by its declared size, before inflating it. The
 * published benchmark's file is well under 1 MiB and a pair takes about 1.5 KiB, so 64 MiB is
 * some 40,000 pairs; a larger "dataset.json" is a mistake or a zip bomb, and parsing it would hold
 * the whole text and its parsed copy in memory at once.
 */
export const MAX_DATASET_JSON_BYTES = 64 * 2 ** 20;

/** A benchmark read back from a zip. */
export interface UnpackedBenchmark {
  dataset: MediConfusionDataset;
  /** JPEG bytes by local id, for the images the zip holds under `images/`. */
  images: Map<number, Uint8Array>;
  /** Sentences for the import report: entries ignored or not added, and why. Empty when all is well. */
  notes: string[];
  /** The zip's `provenance.json` (encoders, each image's source SHA-256), when it has a readable one. */
  provenance?: ExportProvenance;
}

/** True for a name that stays inside the zip's folder: no absolute path, drive or `..` step. */
export function isInsideZipRoot(name: string): boolean {
  const path = name.replaceAll('\\', '/');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return false;
  return !path.split('/').includes('..');
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toLocaleString('en-US', { maximumFractionDigits: 1 })} MiB`;

/** "a", "a and b", "a, b and 3 more": names in a note without flooding the report. */
function listNames(names: readonly string[], quote = true, shown = 3): string {
  const quoted = names.slice(0, shown).map((name) => (quote ? `"${name}"` : name));
  const more = names.length - quoted.length;
  if (more > 0) return `${quoted.join(', ')} and ${more} more`;
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}` : (quoted[0] ?? '');
}

/**
 * Reads a benchmark zip: `dataset.json` (at the root or in one top folder) and `images/<id>.jpg`.
 * Throws {@link ImportError} when it is not such a zip or its dataset.json cannot be trusted.
 * Every entry is checked against its declared size and CRC before use: a damaged image is left out
 * and named in `notes`, as is any entry whose name points outside the zip (`../dataset.json`).
 */
export function readBenchmarkZip(bytes: Uint8Array, file = 'benchmark.zip'): UnpackedBenchmark {
  let directory: ZipDirectoryEntry[];
  try {
    directory = readZipDirectory(bytes);
  } catch (error) {
    if (!(error instanceof ZipFormatError)) throw error;
    throw new ImportError(file, '', `is not a readable zip archive (${error.message}); check that it is the benchmark zip, then export or download it again.`);
  }
  const notes: string[] = [];
  const outside = directory.filter((entry) => !isInsideZipRoot(entry.name)).map((entry) => entry.name);
  const inside = directory.filter((entry) => isInsideZipRoot(entry.name) && !entry.name.endsWith('/'));
  if (outside.length > 0) {
    notes.push(
      `Ignored ${outside.length === 1 ? 'the entry' : `${outside.length} entries`} ${listNames(outside)} in ${file}: ${outside.length === 1 ? 'it points' : 'they point'} outside the zip's folder. A benchmark zip keeps dataset.json and images/ inside it.`,
    );
  }

  const candidates = inside.filter((entry) => /^([^/]+\/)?dataset\.json$/.test(entry.name)).sort((a, b) => a.name.length - b.name.length);
  const datasetEntry = candidates[0];
  if (!datasetEntry) {
    const ignored = outside.some((name) => /(^|[\\/])dataset\.json$/.test(name)) ? ' (a dataset.json outside the zip\'s folder was ignored)' : '';
    throw new ImportError(file, '', `holds no dataset.json${ignored}; expected dataset.json and images/<local id>.jpg. Check that it is the benchmark zip.`);
  }
  const datasetFile = `${file}/${datasetEntry.name}`;
  if (candidates.filter((entry) => entry.name === datasetEntry.name).length > 1) {
    throw new ImportError(datasetFile, '', 'appears twice in the zip, so it is unclear which one is the benchmark; export or download the zip again.');
  }
  if (datasetEntry.size > MAX_DATASET_JSON_BYTES) {
    throw new ImportError(
      datasetFile,
      '',
      `declares ${mib(datasetEntry.size)} uncompressed, more than the ${mib(MAX_DATASET_JSON_BYTES)} limit for a dataset.json, so it was not unpacked. Check that this is the benchmark zip you meant, or import a smaller benchmark.`,
    );
  }
  const prefix = datasetEntry.name.slice(0, -'dataset.json'.length);
  const imageEntries = inside
    .map((entry) => ({ entry, match: /^images\/(\d+)\.jpe?g$/i.exec(entry.name.startsWith(prefix) ? entry.name.slice(prefix.length) : '') }))
    .filter((item): item is { entry: ZipDirectoryEntry; match: RegExpExecArray } => item.match !== null);
  const total = imageEntries.reduce((sum, { entry }) => sum + entry.size, datasetEntry.size);
  if (total > MAX_UNZIPPED_BYTES) {
    throw new ImportError(
      file,
      '',
      `declares ${mib(total)} of benchmark files uncompressed, more than the ${mib(MAX_UNZIPPED_BYTES)} limit, so nothing was unpacked. Check that this is the benchmark zip you meant.`,
    );
  }

  let datasetBytes: Uint8Array;
  try {
    datasetBytes = extractZipEntry(bytes, datasetEntry);
  } catch (error) {
    if (!(error instanceof ZipEntryDamagedError)) throw error;
    throw new ImportError(datasetFile, '', `is damaged (${error.message}), so nothing was imported; export or download the zip again.`);
  }
  const dataset = parseDatasetJson(strFromU8(datasetBytes), datasetFile);

  const images = new Map<number, Uint8Array>();
  const damaged: string[] = [];
  for (const { entry, match } of imageEntries) {
    try {
      const content = extractZipEntry(bytes, entry);
      if (!images.has(Number(match[1]))) images.set(Number(match[1]), content);
    } catch (error) {
      if (!(error instanceof ZipEntryDamagedError)) throw error;
      damaged.push(`${entry.name} (${error.message})`);
    }
  }
  if (damaged.length > 0) {
    notes.push(
      `Did not add ${damaged.length === 1 ? 'a damaged image' : `${damaged.length} damaged images`} from ${file}: ${listNames(damaged, false)}. Export or download the zip again to get ${damaged.length === 1 ? 'it' : 'them'}.`,
    );
  }
  const provenance = readProvenance(bytes, inside.find((entry) => entry.name === `${prefix}${PROVENANCE_FILE}`), file, notes);
  return { dataset, images, notes, ...(provenance ? { provenance } : {}) };
}

/** The provenance file when present and readable; otherwise a note (the benchmark still imports). */
function readProvenance(bytes: Uint8Array, entry: ZipDirectoryEntry | undefined, file: string, notes: string[]): ExportProvenance | undefined {
  if (!entry) return undefined;
  try {
    if (entry.size > MAX_DATASET_JSON_BYTES) throw new ImportError(`${file}/${entry.name}`, '', 'is larger than any provenance file this app writes.');
    return parseProvenance(strFromU8(extractZipEntry(bytes, entry)), `${file}/${entry.name}`);
  } catch (error) {
    if (!(error instanceof ImportError) && !(error instanceof ZipEntryDamagedError)) throw error;
    notes.push(`Ignored ${entry.name}: ${error.message} The images are added as new ones.`);
    return undefined;
  }
}
