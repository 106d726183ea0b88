/**
 * An imported MediConfusion benchmark as a second source of pairs beside the mined ones. Its pairs
 * are stored (`store.importedPairs`), its images go through the same ingest -> embed -> mine path
 * as any dropped file, and the similarities computed here come from the miner, with the same rule
 * and the same stored unit embeddings as the mined pairs, shown beside the published ones.
 */
import {
  importDataset,
  linkImages,
  matchFiles,
  type ImageLink,
  type ImportedBenchmark,
  type ImportedPair,
  type ExportProvenance,
  type MediConfusionDataset,
} from '../core/benchmark/index.ts';
import type { ImportedPairHashes, ImportedPairRecord, ItemRecord, Store } from '../store/index.ts';

/** What the imported pairs need from the app (the composition root wires it). */
export interface ImportedPairsHost {
  /** The open store, or null while the app is loading. */
  store(): Store | null;
  /** The stored items (reactive). */
  items(): ItemRecord[];
  /** Whether an image is among the mined rows (embedded by both encoders). */
  isMined(sha256: string): boolean;
  /** The miner's similarities for a pair of mined images, once computed (reactive). */
  similarity(a: string, b: string): { clip: number; dino: number } | undefined;
  /** The one ingest path; `onIngested` hears the SHA-256 ingest gave each stored file. */
  addFiles(files: File[], options?: { onIngested?: (file: File, sha256: string) => void }): Promise<void>;
}

export type PairSource = 'mined' | 'imported';

/** One imported pair as the views show it. */
export interface ImportedPairView {
  pair: ImportedPair;
  /** Index in the imported list. */
  index: number;
  /** SHA-256 of image 1 and image 2 where found among the stored items. */
  hashes: [string | undefined, string | undefined];
  /** Sentences naming each image that is not here yet (empty when both are). */
  missing: string[];
  /** Cosine similarities computed here from the stored embeddings, or null (see `reason`). */
  computed: { clip: number; dino: number } | null;
  /** Why `computed` is null, in a sentence; '' otherwise. */
  reason: string;
}

/** What adding image files to the imported benchmark did. */
export interface ImageFilesReport {
  /** Files whose name matched an image of the benchmark (and were ingested). */
  matched: number;
  /** Files that matched no image (not ingested). */
  ignored: number;
  /** Images of the benchmark still not found afterwards. */
  stillMissing: number;
  /** Images linked to items already stored, by the source SHA-256 in the zip's provenance.json. */
  linked?: number;
}

function datasetOf(records: readonly ImportedPairRecord[]): MediConfusionDataset {
  return Object.fromEntries(records.map((r) => [r.id, r.pair]));
}

export class ImportedPairs {
  private readonly host: ImportedPairsHost;
  /** Which pairs the Pairs, Review and Explore tabs show. */
  source = $state<PairSource>('mined');
  /** The imported pair open in the viewer and the review (index into `views`). */
  selected = $state(0);
  records = $state.raw<ImportedPairRecord[]>([]);

  /** Name of the imported file ('' when nothing is imported). */
  readonly file = $derived(this.records[0]?.source ?? '');
  /** The validated dataset as in the file (for scoring against it). */
  readonly dataset = $derived<MediConfusionDataset | null>(this.records.length ? datasetOf(this.records) : null);
  readonly benchmark = $derived<ImportedBenchmark | null>(this.dataset ? importDataset(this.dataset) : null);

  /** Each image (by local id) linked to a stored item, or the file name still needed. */
  readonly links = $derived.by((): Map<number, ImageLink> => {
    const benchmark = this.benchmark;
    if (!benchmark) return new Map();
    const recorded = new Map<number, string>();
    for (const record of this.records) {
      if (record.hash1) recorded.set(record.pair.im_1_local, record.hash1);
      if (record.hash2) recorded.set(record.pair.im_2_local, record.hash2);
    }
    return linkImages(benchmark, recorded, this.host.items());
  });

  readonly views = $derived.by((): ImportedPairView[] => {
    const benchmark = this.benchmark;
    if (!benchmark) return [];
    return benchmark.pairs.map((pair, index): ImportedPairView => {
      const sides = pair.images.map((image) => this.links.get(image.localId));
      const hashes: [string | undefined, string | undefined] = [
        sides[0]?.found ? sides[0].sha256 : undefined,
        sides[1]?.found ? sides[1].sha256 : undefined,
      ];
      const missing = sides.flatMap((link, side) =>
        link && !link.found ? [missingImageSentence(side, link.fileName, link.sourceName)] : [],
      );
      if (missing.length) return { pair, index, hashes, missing, computed: null, reason: missing.join(' ') };
      if (!this.host.isMined(hashes[0]!) || !this.host.isMined(hashes[1]!)) {
        return { pair, index, hashes, missing, computed: null, reason: 'Not embedded by both encoders yet; the similarities appear once embedding and mining finish.' };
      }
      const computed = this.host.similarity(hashes[0]!, hashes[1]!) ?? null;
      return { pair, index, hashes, missing, computed, reason: computed ? '' : 'Computing the similarities…' };
    });
  });

  /** Hash pairs of imported pairs whose two images are mined (what the miner is asked to score). */
  readonly minedHashPairs = $derived(
    this.views.flatMap((v) => (v.hashes[0] && v.hashes[1] && this.host.isMined(v.hashes[0]) && this.host.isMined(v.hashes[1]) ? [[v.hashes[0], v.hashes[1]] as const] : [])),
  );

  /** Lowest computed and published similarities of the marks, so the pair-space axes include them. */
  readonly marksLowest = $derived.by(() => {
    if (this.source !== 'imported' || this.views.length === 0) return undefined;
    let [clip, dino] = [1, 1];
    for (const v of this.views) {
      for (const c of [v.computed?.clip, v.pair.publishedSimilarity.biomedclip]) if (c !== undefined && Number.isFinite(c)) clip = Math.min(clip, c);
      for (const d of [v.computed?.dino, v.pair.publishedSimilarity.dino]) if (d !== undefined && Number.isFinite(d)) dino = Math.min(dino, d);
    }
    return { clip, dino };
  });

  /** Imported pairs whose images are missing, for the "what is missing" list. */
  readonly incomplete = $derived(this.views.filter((v) => v.missing.length > 0));

  constructor(host: ImportedPairsHost) {
    this.host = host;
  }

  /** Brings back the stored imported benchmark after a reload. */
  async restore(): Promise<void> {
    const store = this.host.store();
    if (!store) return;
    this.records = await store.importedPairs.all();
    if (this.selected >= this.records.length) this.selected = 0;
  }

  /**
   * Stores a validated benchmark in place of the previous one (one transaction: a failure keeps
   * the old one whole), then ingests the zip's images through the normal path. Throws a sentence
   * when nothing could be stored.
   */
  async importBenchmark(
    dataset: MediConfusionDataset,
    file: string,
    images?: ReadonlyMap<number, Uint8Array>,
    provenance?: ExportProvenance,
  ): Promise<ImageFilesReport | null> {
    const store = this.host.store();
    if (!store) throw new Error('The browser storage is not open yet; wait for the app to finish loading, then import again.');
    const now = Date.now();
    const records = Object.entries(dataset).map(([id, pair], order): ImportedPairRecord => ({ id, source: file, order, pair, importedAt: now }));
    await store.importedPairs.replace(records);
    this.records = records;
    this.selected = 0;
    if (!images || images.size === 0) return null;
    // An image whose source is stored here (the zip's provenance says which) links to that item:
    // adding the zip's copy (a thumbnail, or a JPEG converted from it) would pair with its own original.
    const linked = await this.linkKnownSources(provenance);
    const files = [...images]
      .filter(([localId]) => !linked.has(localId))
      .map(([localId, bytes]) => new File([bytes as Uint8Array<ArrayBuffer>], `${localId}.jpg`, { type: 'image/jpeg' }));
    const report = files.length > 0 ? await this.addImageFiles(files) : { matched: 0, ignored: 0, stillMissing: this.missingCount() };
    return { ...report, linked: linked.size };
  }

  /** Links the benchmark's images whose source SHA-256 is a stored item; returns their local ids. */
  private async linkKnownSources(provenance: ExportProvenance | undefined): Promise<Set<number>> {
    const store = this.host.store();
    const known = new Map<number, string>();
    if (!store || !provenance) return new Set();
    const stored = new Set(this.host.items().map((item) => item.sha256));
    for (const [localId, image] of Object.entries(provenance.images)) if (stored.has(image.sha256)) known.set(Number(localId), image.sha256);
    if (known.size === 0) return new Set();
    await store.importedPairs.setHashes(this.records.map((r) => ({ id: r.id, hash1: known.get(r.pair.im_1_local), hash2: known.get(r.pair.im_2_local) })));
    this.records = await store.importedPairs.all();
    return new Set(known.keys());
  }

  private missingCount(): number {
    let stillMissing = 0;
    for (const link of this.links.values()) if (!link.found) stillMissing++;
    return stillMissing;
  }

  /**
   * Ingests the files whose names match images of the imported benchmark (the rest are left out
   * and counted) and records which item each image is, so the pairs link to exactly these files.
   */
  async addImageFiles(files: readonly File[]): Promise<ImageFilesReport> {
    const benchmark = this.benchmark;
    const store = this.host.store();
    if (!benchmark || !store) throw new Error('Import a MediConfusion dataset.json first, then add its images.');
    const matches = matchFiles(benchmark.images, files.map((f) => f.webkitRelativePath || f.name));
    const localIdOfFile = new Map<File, number>();
    for (const [localId, index] of matches) localIdOfFile.set(files[index], localId);
    const chosen = [...new Set(localIdOfFile.keys())];
    const hashOf = new Map<number, string>();
    await this.host.addFiles(chosen, {
      onIngested: (file, sha256) => {
        const localId = localIdOfFile.get(file);
        if (localId !== undefined) hashOf.set(localId, sha256);
      },
    });
    const updates: ImportedPairHashes[] = this.records.map((r) => ({ id: r.id, hash1: hashOf.get(r.pair.im_1_local), hash2: hashOf.get(r.pair.im_2_local) }));
    if (hashOf.size > 0) {
      await store.importedPairs.setHashes(updates);
      this.records = await store.importedPairs.all();
    }
    return { matched: chosen.length, ignored: files.length - chosen.length, stillMissing: this.missingCount() };
  }

  /** Removes the imported benchmark (the images stay as items). */
  async clear(): Promise<void> {
    await this.host.store()?.importedPairs.clear();
    this.forget();
  }

  /** Drops the in-memory state (after "Forget everything" removed the stored one). */
  forget(): void {
    this.records = [];
    this.selected = 0;
    this.source = 'mined';
  }
}

/** "Image 1 (20192.jpg, ROCO_28778.jpg in the source collection) is not here yet: …" */
function missingImageSentence(side: number, fileName: string, sourceName: string): string {
  const names = sourceName && sourceName !== fileName ? `${fileName}, ${sourceName} in the source collection` : fileName;
  return `Image ${side + 1} (${names}) is not here yet: add the benchmark's images folder (files under either name are found).`;
}
