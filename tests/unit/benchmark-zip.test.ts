import { strToU8, zipSync, type Zippable } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ImportError } from '../../src/core/benchmark/errors.ts';
import { datasetToJson } from '../../src/core/benchmark/export.ts';
import { MAX_DATASET_JSON_BYTES, isInsideZipRoot, readBenchmarkZip } from '../../src/core/benchmark/zip.ts';
import { extractZipEntry, readZipDirectory, ZipEntryDamagedError } from '../../src/core/formats/zip-directory.ts';
import { sampleDataset } from './benchmark-support.ts';

const jpeg = (n: number): Uint8Array => Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, ...Array.from({ length: 200 }, (_, i) => (i * n) & 0xff), 0xff, 0xd9);
const datasetText = datasetToJson(sampleDataset());

function zip(files: Zippable, level: 0 | 6 = 6): Uint8Array {
  return zipSync(files, { level, mtime: new Date(Date.UTC(2025, 0, 1)) });
}

/** Rewrites one central-directory field of the entry `name`: the uncompressed size (24) or the CRC (16). */
function patchDirectory(bytes: Uint8Array, name: string, field: 16 | 20 | 24, value: (old: number) => number): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  for (let i = 0; i + 46 <= out.length; i++) {
    if (view.getUint32(i, true) !== 0x02014b50) continue;
    const length = view.getUint16(i + 28, true);
    if (new TextDecoder().decode(out.subarray(i + 46, i + 46 + length)) === name) {
      view.setUint32(i + field, value(view.getUint32(i + field, true)), true);
      return out;
    }
  }
  throw new Error(`no central-directory entry ${name}`);
}

function errorOf(run: () => unknown): ImportError {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error('expected an ImportError');
}

const good = (): Zippable => ({
  'dataset.json': strToU8(datasetText),
  images: { '20000.jpg': jpeg(1), '20001.jpg': jpeg(2), '20002.jpg': jpeg(3) },
});

describe('zip entries are checked against their declared size and CRC', () => {
  it('a good zip reads back with no notes', () => {
    const back = readBenchmarkZip(zip(good()), 'bench.zip');
    expect([...back.images.keys()].sort()).toEqual([20000, 20001, 20002]);
    expect(back.notes).toEqual([]);
  });

  for (const [label, level, delta] of [
    ['deflated, declaring fewer bytes', 6, -10],
    ['deflated, declaring more bytes', 6, 10],
    ['stored, declaring fewer bytes', 0, -10],
  ] as const) {
    it(`an image whose declared size lies (${label}) is reported damaged and not added`, () => {
      const bytes = patchDirectory(zip(good(), level), 'images/20001.jpg', 24, (size) => size + delta);
      const back = readBenchmarkZip(bytes, 'bench.zip');
      expect(back.images.has(20001)).toBe(false);
      expect([...back.images.keys()].sort()).toEqual([20000, 20002]);
      expect(back.notes).toHaveLength(1);
      expect(back.notes[0]).toMatch(/^Did not add a damaged image from bench\.zip: images\/20001\.jpg \(it declares \d+ bytes/);
      expect(back.notes[0]).toMatch(/Export or download the zip again to get it\.$/);
    });
  }

  it('an image whose CRC does not match is damaged too', () => {
    const bytes = patchDirectory(zip(good()), 'images/20002.jpg', 16, (crc) => (crc ^ 1) >>> 0);
    const back = readBenchmarkZip(bytes, 'bench.zip');
    expect(back.images.has(20002)).toBe(false);
    expect(back.notes[0]).toContain('images/20002.jpg (its contents do not match its checksum (CRC-32))');
  });

  it('a dataset.json whose declared size lies is refused as damaged, importing nothing', () => {
    const bytes = patchDirectory(zip(good()), 'dataset.json', 24, (size) => size - 5);
    expect(errorOf(() => readBenchmarkZip(bytes, 'bench.zip')).message).toMatch(
      /^bench\.zip\/dataset\.json: is damaged \(it declares \d+ bytes but holds more\), so nothing was imported; export or download the zip again\.$/,
    );
  });

  it('extractZipEntry returns the exact bytes of a good entry and throws on a lie', () => {
    const bytes = zip({ 'a.bin': jpeg(7) });
    const [entry] = readZipDirectory(bytes);
    expect([...extractZipEntry(bytes, entry)]).toEqual([...jpeg(7)]);
    expect(() => extractZipEntry(bytes, { ...entry, size: entry.size + 1 })).toThrow(ZipEntryDamagedError);
  });
});

describe('dataset.json size limit and zip root', () => {
  it('refuses a dataset.json larger than the limit by its declared size, before inflating it', () => {
    // The data is small: had it been inflated, the size mismatch would report "damaged" instead.
    const bytes = patchDirectory(zip(good()), 'dataset.json', 24, () => MAX_DATASET_JSON_BYTES + 36 * 2 ** 20);
    expect(errorOf(() => readBenchmarkZip(bytes, 'bench.zip')).message).toBe(
      'bench.zip/dataset.json: declares 100 MiB uncompressed, more than the 64 MiB limit for a dataset.json, so it was not unpacked. Check that this is the benchmark zip you meant, or import a smaller benchmark.',
    );
  });

  it('ignores entries outside the zip root with a note, and still reads the benchmark', () => {
    const bytes = zip({ ...good(), '../dataset.json': strToU8('{}'), '/etc/passwd': strToU8('x'), 'C:/evil.jpg': jpeg(4) });
    const back = readBenchmarkZip(bytes, 'bench.zip');
    expect(Object.keys(back.dataset)).toEqual(Object.keys(sampleDataset()));
    expect(back.notes).toEqual([
      `Ignored 3 entries "../dataset.json", "/etc/passwd" and "C:/evil.jpg" in bench.zip: they point outside the zip's folder. A benchmark zip keeps dataset.json and images/ inside it.`,
    ]);
  });

  it('a zip whose only dataset.json is outside the root holds no dataset.json, and says why', () => {
    const bytes = zip({ '../dataset.json': strToU8(datasetText) });
    expect(errorOf(() => readBenchmarkZip(bytes, 'bench.zip')).message).toBe(
      "bench.zip: holds no dataset.json (a dataset.json outside the zip's folder was ignored); expected dataset.json and images/<local id>.jpg. Check that it is the benchmark zip.",
    );
  });

  it('isInsideZipRoot refuses absolute paths, drives and .. steps, with either slash', () => {
    for (const name of ['../dataset.json', 'a/../../b', '/abs', '\\abs', 'C:\\x', 'a\\..\\..\\b']) expect(isInsideZipRoot(name), name).toBe(false);
    for (const name of ['dataset.json', 'bench/images/1.jpg', 'a..b/c', '..hidden']) expect(isInsideZipRoot(name), name).toBe(true);
  });

  it('a file that is not a zip is refused with a sentence', () => {
    expect(errorOf(() => readBenchmarkZip(Uint8Array.of(1, 2, 3), 'bench.zip')).message).toBe(
      'bench.zip: is not a readable zip archive (the file is too small to be a zip); check that it is the benchmark zip, then export or download it again.',
    );
  });
});
