/**
 * Agreement with a published benchmark: how the similarities computed here for an imported
 * benchmark's pairs compare with the ones its file publishes, per encoder, and which DINOv2 size
 * reproduces its `DINO_sim` (the paper's repository does not say; the user with the images can
 * find out here).
 *
 * The summary of the chosen encoders is derived from the imported pairs' views (the miner's
 * numbers, the ones the Pairs tab shows). The size comparison embeds only the benchmark's images,
 * with each size in a worker of its own, into the store under that size's usual key: the session's
 * encoders do not change, nothing already stored is embedded again, an interrupted comparison
 * goes on where it stopped, and after a reload its table is read back from the store.
 */
import { countPasses, similaritiesOfPairs, summariseAgreement, type AgreementSummary, type ThresholdPasses } from '../core/benchmark/agreement.ts';
import { ENCODERS, findEncoder } from '../core/encoders/registry.ts';
import { messageOf } from '../core/errors.ts';
import type { RgbImage } from '../core/image.ts';
import { formatCount, plural } from '../core/words.ts';
import type { ItemRecord, Store } from '../store/index.ts';
import { EncoderClient } from '../workers/encoder.client.svelte.ts';
import type { WorkerLoadOptions } from '../workers/encoder.protocol.ts';
import { EMBED_BATCH, readKeptPixels, type KeptPixelsReader } from './embed-queue.ts';
import { revisionKeyOf } from './encoders.svelte.ts';
import type { ImportedPairView } from './imported-pairs.svelte.ts';
import type { ProgressReporter } from './progress.svelte.ts';

/** The DINOv2 sizes of the registry, smallest first: what the comparison tries by default. */
export const DINOV2_SIZE_IDS: readonly string[] = ENCODERS.filter((e) => e.family === 'dinov2' && e.source.kind === 'hub').map((e) => e.id);

export interface AgreementHost {
  store(): Store | null;
  /** The imported pairs as the views show them (reactive). */
  views(): readonly ImportedPairView[];
  /** The thresholds in use (reactive). */
  thresholds(): { clipMin: number; dinoMax: number };
  /** How encoders load here (backend, precision) and the precision part of the keys. */
  loadOptions(): WorkerLoadOptions & { dtype: NonNullable<WorkerLoadOptions['dtype']> };
  progress: ProgressReporter;
  /** Tests: where kept originals are read (default: the ingest worker). */
  readKept?: KeptPixelsReader;
}

/** One encoder's computed similarities beside the published ones. */
export interface EncoderAgreement {
  summary: AgreementSummary;
  /** [computed, published] per compared pair, for the scatter. */
  points: { id: string; computed: number; published: number }[];
}

/** One DINOv2 size in the comparison table. */
export interface SizeRow {
  encoderId: string;
  label: string;
  /** Images of the benchmark's complete pairs with an embedding stored for this size. */
  embedded: number;
  images: number;
  /** Its DINO similarities against the published `DINO_sim`. */
  summary: AgreementSummary;
  /** Pairs whose DINO similarity with this size is below the DINO threshold. */
  belowThreshold: number;
  /** Why this size could not be compared (a sentence), or ''. */
  problem: string;
}

interface SizeSimilarities {
  pairIds: string[];
  dino: Float32Array;
  embedded: number;
  images: number;
}

/** Pairs whose two images are both stored here, with their hashes. */
function completePairs(views: readonly ImportedPairView[]): { view: ImportedPairView; hashes: readonly [string, string] }[] {
  return views.flatMap((view) => (view.hashes[0] && view.hashes[1] ? [{ view, hashes: [view.hashes[0], view.hashes[1]] as const }] : []));
}

export class Agreement {
  private readonly host: AgreementHost;
  /** The DINO-side encoders to compare (the registry's DINOv2 sizes; tests pass fixtures). */
  readonly candidates: readonly string[];
  /** Pairs with similarities computed here by the chosen encoders (reactive). */
  private readonly compared = $derived.by(() => this.host.views().filter((v) => v.computed !== null));

  readonly clip = $derived.by((): EncoderAgreement => {
    const points = this.compared.map((v) => ({ id: v.pair.id, computed: v.computed!.clip, published: v.pair.publishedSimilarity.biomedclip }));
    return { summary: summariseAgreement(points), points };
  });

  readonly dino = $derived.by((): EncoderAgreement => {
    const points = this.compared.map((v) => ({ id: v.pair.id, computed: v.computed!.dino, published: v.pair.publishedSimilarity.dino }));
    return { summary: summariseAgreement(points), points };
  });

  /** Compared pairs still confusing at the thresholds in use, by their computed similarities. */
  readonly passes = $derived.by((): ThresholdPasses => countPasses(this.compared.map((v) => v.computed!), this.host.thresholds()));

  /** The same pairs by their published similarities (all of them, at the paper's thresholds). */
  readonly publishedPasses = $derived.by(
    (): ThresholdPasses =>
      countPasses(this.compared.map((v) => ({ clip: v.pair.publishedSimilarity.biomedclip, dino: v.pair.publishedSimilarity.dino })), this.host.thresholds()),
  );

  /** The hash pairs of the complete imported pairs, as one string: what the size table is read for. */
  readonly pairKey = $derived.by(() => completePairs(this.host.views()).map((p) => p.hashes.join('|')).join(','));

  /** A size comparison is embedding. */
  comparing = $state(false);
  /** What the last comparison did, in a sentence ('' before one). */
  status = $state('');
  private sizeSimilarities = $state.raw<ReadonlyMap<string, SizeSimilarities>>(new Map());
  private problems = $state.raw<ReadonlyMap<string, string>>(new Map());
  private refreshGeneration = 0;
  private cancelled = false;
  private client: EncoderClient | null = null;

  readonly sizes = $derived.by((): SizeRow[] => {
    const published = new Map(this.host.views().map((v) => [v.pair.id, v.pair.publishedSimilarity.dino]));
    const { dinoMax } = this.host.thresholds();
    return this.candidates.map((encoderId): SizeRow => {
      const label = findEncoder(encoderId)?.label ?? encoderId;
      const problem = this.problems.get(encoderId) ?? '';
      const held = this.sizeSimilarities.get(encoderId);
      if (!held) return { encoderId, label, embedded: 0, images: 0, summary: summariseAgreement([]), belowThreshold: 0, problem };
      const points = held.pairIds.map((id, k) => ({ computed: held.dino[k], published: published.get(id) ?? NaN }));
      const belowThreshold = points.filter((p) => p.computed < dinoMax).length;
      return { encoderId, label, embedded: held.embedded, images: held.images, summary: summariseAgreement(points), belowThreshold, problem };
    });
  });

  constructor(host: AgreementHost, candidates: readonly string[] = DINOV2_SIZE_IDS) {
    this.host = host;
    this.candidates = candidates;
  }

  /** Reads each size's stored embeddings of the benchmark's images and computes its similarities. */
  async refreshSizes(): Promise<void> {
    const store = this.host.store();
    if (!store) return;
    const generation = ++this.refreshGeneration;
    const pairs = completePairs(this.host.views());
    const hashes = [...new Set(pairs.flatMap((p) => p.hashes))];
    const next = new Map<string, SizeSimilarities>();
    if (hashes.length > 0) {
      for (const encoderId of this.candidates) {
        const revision = revisionKeyOf(encoderId, this.host.loadOptions().dtype);
        if (!revision) continue;
        const stored = await store.embeddings.loadMatrix(encoderId, revision, { rows: hashes });
        const embedded = hashes.length - stored.missing.length;
        if (embedded === 0) continue;
        const dino = similaritiesOfPairs({ rows: stored.rows, dim: stored.dim, matrix: stored.matrix }, pairs.map((p) => p.hashes));
        next.set(encoderId, { pairIds: pairs.map((p) => p.view.pair.id), dino, embedded, images: hashes.length });
      }
    }
    // A later refresh (the pairs changed again) wins over one still reading.
    if (generation === this.refreshGeneration) this.sizeSimilarities = next;
  }

  /**
   * Embeds the benchmark's images with every size that lacks them (downloading each size once),
   * stores them, then refreshes the table. Images whose original is not kept in this browser
   * cannot be read again: they are counted and named in `status`.
   */
  async compareSizes(): Promise<void> {
    const store = this.host.store();
    if (!store || this.comparing) return;
    this.comparing = true;
    this.cancelled = false;
    this.status = '';
    const problems = new Map<string, string>();
    const hashes = [...new Set(completePairs(this.host.views()).flatMap((p) => p.hashes))];
    const options = this.host.loadOptions();
    const todo: { encoderId: string; missing: string[] }[] = [];
    for (const encoderId of this.candidates) {
      const revision = revisionKeyOf(encoderId, options.dtype);
      if (!revision) continue;
      const { missing } = await store.embeddings.loadMatrix(encoderId, revision, { rows: hashes });
      if (missing.length) todo.push({ encoderId, missing });
    }
    const items = new Map((await store.items.getMany([...new Set(todo.flatMap((t) => t.missing))])).filter((i): i is ItemRecord => !!i).map((i) => [i.sha256, i]));
    const notKept = [...items.values()].filter((item) => !item.original).length;
    const total = todo.reduce((sum, t) => sum + t.missing.filter((h) => items.get(h)?.original).length, 0);
    const progress = this.host.progress.start('Embedding the benchmark images with each DINOv2 size', total, 'images');
    let done = 0;
    try {
      for (const { encoderId, missing } of todo) {
        if (this.cancelled) break;
        const kept = missing.flatMap((hash) => (items.get(hash)?.original ? [items.get(hash)!] : []));
        if (kept.length === 0) continue;
        const label = findEncoder(encoderId)?.label ?? encoderId;
        progress.relabel(`Embedding the benchmark images with ${label}`);
        try {
          done += await this.embedWith(store, encoderId, kept, options, (n) => progress.update(done + n));
        } catch (error) {
          problems.set(encoderId, `${label} could not embed the images: ${messageOf(error)} What is embedded is kept; Compare again to go on.`);
        }
      }
    } finally {
      progress.end();
      this.problems = problems;
      this.comparing = false;
    }
    await this.refreshSizes();
    this.status = this.statusSentence(done, notKept);
  }

  cancel(): void {
    this.cancelled = true;
    this.client?.cancel();
  }

  /** Embeds `items` with one encoder in its own worker, storing each batch; returns how many were stored. */
  private async embedWith(store: Store, encoderId: string, items: readonly ItemRecord[], options: WorkerLoadOptions, onDone: (n: number) => void): Promise<number> {
    const client = new EncoderClient('dino');
    this.client = client;
    let stored = 0;
    try {
      const loaded = await client.load(encoderId, { ...options, batchSize: EMBED_BATCH });
      for (let at = 0; at < items.length && !this.cancelled; at += EMBED_BATCH) {
        const batch = items.slice(at, at + EMBED_BATCH);
        const pixels = await (this.host.readKept ?? readKeptPixels)(batch);
        const runnable = batch.flatMap((item) => {
          const image = pixels.get(item.sha256);
          return typeof image === 'object' ? [{ id: item.sha256, image: image as RgbImage }] : [];
        });
        if (runnable.length === 0) continue;
        const outcome = await client.embed(runnable);
        await store.embeddings.putMany(encoderId, loaded.revisionKey, outcome.embeddings.map((e) => ({ sha256: e.id, vector: e.embedding })));
        stored += outcome.embeddings.length;
        onDone(stored);
        if (outcome.status === 'cancelled') break;
      }
      return stored;
    } finally {
      client.dispose();
      if (this.client === client) this.client = null;
    }
  }

  private statusSentence(embedded: number, notKept: number): string {
    const stopped = this.cancelled ? 'Stopped; what was embedded is kept. ' : '';
    const made = embedded > 0 ? `Embedded ${plural(embedded, 'image')} for the comparison.` : 'Every size that could be compared is up to date.';
    const missing =
      notKept > 0
        ? ` ${formatCount(notKept)} ${notKept === 1 ? 'image has' : 'images have'} no original kept in this browser: choose the images folder again (its originals are then kept) and compare again.`
        : '';
    return `${stopped}${made}${missing}`;
  }

  /** Drops what is held (after "Forget everything" or the benchmark's removal). */
  forget(): void {
    this.refreshGeneration++;
    this.sizeSimilarities = new Map();
    this.problems = new Map();
    this.status = '';
  }
}
