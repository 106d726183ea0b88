/**
 * Finding an imported benchmark's images among files and stored items. A MediConfusion pair names
 * its images twice: `im_1_local` (the evaluation code opens `<images>/<local id>.jpg`) and `im_1`
 * (a path in the source collection, e.g. ROCO's). A file matches an image when its base name is
 * one of the image's candidate names (`ImportedImage.candidateFileNames`), most specific first.
 */
import type { ImportedBenchmark, ImportedImage } from './import.ts';
import { rowDot } from '../mining/matrix.ts';
import { baseNameOf } from './names.ts';

export { baseNameOf };

/** What is known of a stored item for matching: its name, path and later paths of the same bytes. */
export interface NamedItem {
  sha256: string;
  name: string;
  relativePath: string;
  aliases?: readonly string[];
}

/**
 * For each image (by local id), the index of the first file in `fileNames` whose base name is one
 * of its candidate names; images without a match are absent. Names are compared exactly (case too),
 * as the evaluation code opens them.
 */
export function matchFiles(images: readonly ImportedImage[], fileNames: readonly string[]): Map<number, number> {
  const byBase = new Map<string, number>();
  fileNames.forEach((name, index) => {
    const base = baseNameOf(name);
    if (!byBase.has(base)) byBase.set(base, index);
  });
  const out = new Map<number, number>();
  for (const image of images) {
    const found = image.candidateFileNames.map((n) => byBase.get(n)).find((i) => i !== undefined);
    if (found !== undefined) out.set(image.localId, found);
  }
  return out;
}

/** How an image of an imported pair was found, or why it was not. */
/** `fileName` is the name the benchmark's own folder uses (`20192.jpg`); `sourceName` the source collection's (`ROCO_28778.jpg`). */
export type ImageLink = { found: true; sha256: string } | { found: false; fileName: string; sourceName: string };

/**
 * Links every image of `benchmark` to a stored item: a hash recorded at import (from the zip or an
 * images folder picked in the importer) wins when that item is stored; otherwise an item whose
 * name, path or alias has one of the image's candidate base names (the folder may have been dropped
 * on the main drop zone). An image found neither way carries the file name to ask for.
 */
export function linkImages(
  benchmark: ImportedBenchmark,
  recorded: ReadonlyMap<number, string>,
  items: readonly NamedItem[],
): Map<number, ImageLink> {
  const stored = new Set(items.map((item) => item.sha256));
  const byBase = new Map<string, string>();
  for (const item of items) {
    for (const path of [item.name, item.relativePath, ...(item.aliases ?? [])]) {
      if (!path) continue;
      const base = baseNameOf(path);
      if (!byBase.has(base)) byBase.set(base, item.sha256);
    }
  }
  const out = new Map<number, ImageLink>();
  for (const image of benchmark.images) {
    const hash = recorded.get(image.localId);
    if (hash && stored.has(hash)) {
      out.set(image.localId, { found: true, sha256: hash });
      continue;
    }
    const byName = image.candidateFileNames.map((n) => byBase.get(n)).find((h) => h !== undefined);
    if (byName) out.set(image.localId, { found: true, sha256: byName });
    else out.set(image.localId, { found: false, fileName: image.candidateFileNames[0], sourceName: image.candidateFileNames.at(-1) ?? image.candidateFileNames[0] });
  }
  return out;
}

/**
 * Cosine similarity of two unit vectors: the miner's rule (float64 dot in a fixed order, then
 * float32), so an imported pair shows the number mining would give it.
 */
export function unitCosine(a: Float32Array, b: Float32Array, offsetA = 0, offsetB = 0, dim = a.length): number {
  return Math.fround(rowDot(a, offsetA, b, offsetB, dim));
}
