/**
 * Review: the decisions on image pairs (triage, questions, notes), keyed by the two SHA-256
 * hashes so they survive threshold changes and re-embedding, and what leaves the app from them:
 * the reviewed pairs for export, the session file, the images for the benchmark zip.
 */
import type { DecisionRecord, ItemRecord, Store } from '../store/index.ts';
import { toReviewedPair } from '../core/review/index.ts';
import type { ReviewedPair, SessionInput } from '../core/benchmark/index.ts';
import type { Library } from './library.svelte.ts';
import type { Mining } from './mining.svelte.ts';
import type { SessionState } from './session.svelte.ts';
import type { EncoderPair } from './encoders.svelte.ts';

export class Review {
  /** Bumped after each decision write so views re-read. */
  version = $state(0);

  constructor(
    private readonly store: () => Store,
    private readonly session: SessionState,
    private readonly library: Library,
    private readonly mining: Mining,
    private readonly encoders: EncoderPair,
  ) {}

  decision(a: string, b: string): Promise<DecisionRecord | undefined> {
    return this.store().decisions.get(a, b);
  }

  async update(a: string, b: string, patch: Partial<DecisionRecord>): Promise<DecisionRecord> {
    const record = await this.store().decisions.update(a, b, patch);
    this.version++;
    return record;
  }

  /** Every triaged pair whose two images are stored, as the exporter takes it (it keeps the accepted ones). */
  async reviewedPairs(): Promise<ReviewedPair[]> {
    const decisions = (await this.store().decisions.all()).filter((d) => d.triage && this.library.has(d.hashA) && this.library.has(d.hashB));
    const similarities = await this.mining.similaritiesOf(decisions.map((d) => [d.hashA, d.hashB] as const));
    const image = (item: ItemRecord) => ({ sha256: item.sha256, originalName: item.name, ...this.library.caption(item.sha256) });
    return decisions.map((d, i) => toReviewedPair(d, [image(this.library.item(d.hashA)!), image(this.library.item(d.hashB)!)], similarities[i]));
  }

  /** The session file: thresholds, encoder ids and revisions, every triaged decision. */
  async sessionFile(): Promise<SessionInput> {
    const s = this.session;
    const keys = this.encoders.keys();
    const asOption = (v: string): 'A' | 'B' | undefined => (v === 'A' || v === 'B' ? v : undefined);
    const decisions = (await this.store().decisions.all()).filter((d) => d.triage);
    return {
      format: 'mediconfusion-explorer-session',
      version: 1,
      createdAt: new Date().toISOString(),
      thresholds: { clip: s.clipMin, dino: s.dinoMax, floor: s.floor, perImageCap: s.maxPerImage > 0 ? s.maxPerImage : null },
      encoders: [
        { role: 'clip', id: s.clipEncoderId, revision: keys?.clipRevision ?? '', files: [] },
        { role: 'dino', id: s.dinoEncoderId, revision: keys?.dinoRevision ?? '', files: [] },
      ],
      decisions: decisions.map((d) => {
        const [im1, im2] = [asOption(d.im1Correct), asOption(d.im2Correct)];
        return {
          a: d.hashA,
          b: d.hashB,
          status: d.triage!,
          notes: d.notes,
          tags: d.tags,
          ...(d.question && im1 && im2
            ? { question: { question: d.question, optionA: d.optionA, optionB: d.optionB, image1Correct: im1, image2Correct: im2, aiQuestion: d.aiQuestion, aiOptionA: d.aiOptionA, aiOptionB: d.aiOptionB } }
            : {}),
          updatedAt: new Date(d.updatedAt).toISOString(),
        };
      }),
    };
  }

  /** JPEG bytes of an image for the benchmark zip: from the kept original, else the thumbnail. */
  async jpegOf(sha256: string): Promise<Uint8Array> {
    const item = this.library.item(sha256);
    if (!item) throw new Error('This image is no longer stored; add it again.');
    const source = item.original && /^(png|jpeg|gif|bmp|webp)$/.test(item.format) ? item.original : item.thumbnail;
    const bitmap = await createImageBitmap(source);
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
    return new Uint8Array(await blob.arrayBuffer());
  }
}
