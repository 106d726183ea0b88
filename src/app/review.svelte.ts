/**
 * Review: the decisions on image pairs (triage, questions, notes), keyed by the two SHA-256
 * hashes so they survive threshold changes and re-embedding, and what leaves the app from them:
 * the reviewed pairs for export, the session file, the images for the benchmark zip.
 */
import { emptyDecision, type DecisionRecord, type ItemRecord, type Store } from '../store/index.ts';
import { toReviewedPair } from '../core/review/index.ts';
import type { EncoderRef, ExportedImageSource, ReviewedPair, SessionDecision, SessionFile, SessionInput } from '../core/benchmark/index.ts';
import type { Library } from './library.svelte.ts';
import type { Mining } from './mining.svelte.ts';
import type { SessionState } from './session.svelte.ts';
import type { EncoderPair } from './encoders.svelte.ts';
import { plural } from '../core/words.ts';
import { opaqueRgba } from '../core/image.ts';
import { readKeptOriginal } from './embed-queue.ts';

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
        { role: 'clip', id: s.clipEncoderId, revision: keys?.clipRevision ?? '', ...this.encoders.commitOf(s.clipEncoderId, keys?.clipRevision ?? ''), dtype: s.precision, files: [] },
        { role: 'dino', id: s.dinoEncoderId, revision: keys?.dinoRevision ?? '', ...this.encoders.commitOf(s.dinoEncoderId, keys?.dinoRevision ?? ''), dtype: s.precision, files: [] },
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

  /**
   * Continues a review saved elsewhere: its decisions join the stored ones (a pair decided
   * later here keeps this app's decision), its thresholds and cap apply, and its floor too
   * (which mines again). Encoders are not switched — embedding everything again is the user's
   * call — but a different encoder is named in the report.
   */
  async importSession(file: SessionFile): Promise<SessionImportReport> {
    const { written, keptNewer } = await this.store().decisions.merge(file.decisions.map(decisionRecordOf));
    this.version++;
    const s = this.session;
    if (file.thresholds.floor !== undefined && file.thresholds.floor !== s.floor) s.setFloor(file.thresholds.floor);
    s.setThresholds(file.thresholds.clip, file.thresholds.dino);
    if (file.thresholds.perImageCap !== undefined) s.maxPerImage = file.thresholds.perImageCap ?? 0;
    const current = { clip: s.clipEncoderId, dino: s.dinoEncoderId };
    const otherEncoders = file.encoders.filter((e) => e.id !== current[e.role]).map((e) => e.id);
    const missingImages = file.decisions.filter((d) => !this.library.has(d.a) || !this.library.has(d.b)).length;
    return { written, keptNewer, otherEncoders, missingImages };
  }

  /** The encoders behind the similarities being exported (null when one is not in the registry). */
  encoderRefs(): { clip: EncoderRef; dino: EncoderRef } | null {
    const keys = this.encoders.keys();
    if (!keys) return null;
    const ref = (id: string, revision: string): EncoderRef => ({ id, revision, ...this.encoders.commitOf(id, revision) });
    return { clip: ref(keys.clipId, keys.clipRevision), dino: ref(keys.dinoId, keys.dinoRevision) };
  }

  /**
   * What an export's zip holds of an image: a kept JPEG original byte for byte (its SHA-256 is
   * the item's), any other kept original converted to JPEG at full size (DICOM rendered with its
   * window and chosen frame, as the encoders saw it), or else the thumbnail.
   */
  sourceOf(sha256: string): ExportedImageSource {
    const item = this.library.item(sha256);
    if (!item?.original) return 'thumbnail';
    return item.format === 'jpeg' ? 'original' : 'converted';
  }

  /** The JPEG an export's zip holds of an image, and which kind it is (see `sourceOf`). */
  async jpegOf(sha256: string): Promise<ExportedJpeg> {
    const item = this.library.item(sha256);
    if (!item) throw new Error('This image is no longer stored; add it again.');
    const source = this.sourceOf(sha256);
    if (source === 'original' && item.original) return { bytes: new Uint8Array(await item.original.arrayBuffer()), source };
    const canvas = source === 'converted' ? await fullSizeCanvas(item) : canvasOf(await createImageBitmap(item.thumbnail));
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: EXPORT_JPEG_QUALITY });
    return { bytes: new Uint8Array(await blob.arrayBuffer()), source };
  }
}

/** Pillow's and the browsers' usual "high" setting: no visible loss on radiographs. */
const EXPORT_JPEG_QUALITY = 0.92;

/**
 * A kept original at full size. Formats the browser draws (PNG, GIF, BMP, WebP) go straight to a
 * canvas; the others (DICOM, TIFF) through the ingest worker, which renders them exactly as it did
 * for the encoders.
 */
async function fullSizeCanvas(item: ItemRecord): Promise<OffscreenCanvas> {
  if (CANVAS_FORMATS.test(item.format)) return canvasOf(await createImageBitmap(item.original!));
  const kept = await readKeptOriginal(item);
  if (typeof kept === 'string') throw new Error(kept);
  const canvas = new OffscreenCanvas(kept.rgb.width, kept.rgb.height);
  canvas.getContext('2d')?.putImageData(new ImageData(opaqueRgba(kept.rgb), kept.rgb.width, kept.rgb.height), 0, 0);
  return canvas;
}

function canvasOf(bitmap: ImageBitmap): OffscreenCanvas {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
  bitmap.close();
  return canvas;
}

/** Formats the browser draws on a canvas, so a kept original converts to a full-size JPEG. */
const CANVAS_FORMATS = /^(png|gif|bmp|webp)$/;

/** One image as an export's zip holds it. */
export interface ExportedJpeg {
  bytes: Uint8Array;
  source: ExportedImageSource;
}

/** What importing a session file changed. */
export interface SessionImportReport {
  /** Decisions written (new, or newer than the stored ones). */
  written: number;
  /** Decisions left as stored because they were changed here after the file's. */
  keptNewer: number;
  /** Encoder ids of the file that differ from the ones in use. */
  otherEncoders: string[];
  /** Decisions on pairs with an image not stored here (kept, shown once the images are added). */
  missingImages: number;
}

/** A session file's decision as the store keeps it (hashes already ordered by the file). */
function decisionRecordOf(d: SessionDecision): DecisionRecord {
  const q = d.question;
  return {
    ...emptyDecision(d.a, d.b),
    triage: d.status,
    notes: d.notes,
    tags: [...d.tags],
    ...(q
      ? {
          question: q.question,
          optionA: q.optionA,
          optionB: q.optionB,
          im1Correct: q.image1Correct ?? '',
          im2Correct: q.image2Correct ?? '',
          aiQuestion: q.aiQuestion ?? '',
          aiOptionA: q.aiOptionA ?? '',
          aiOptionB: q.aiOptionB ?? '',
        }
      : {}),
    // A decision without a date counts as older than any made here.
    updatedAt: d.updatedAt ? Date.parse(d.updatedAt) || 0 : 0,
  };
}

/** One sentence on what a session import did, for the Benchmark tab. */
export function describeSessionImport(file: string, r: SessionImportReport): string {
  const parts = [`Imported ${plural(r.written, 'decision')} from ${file}; its thresholds now apply.`];
  if (r.keptNewer) parts.push(`${plural(r.keptNewer, 'pair')} kept the decision made here, which is newer.`);
  if (r.missingImages) parts.push(`${plural(r.missingImages, 'decision')} refer to images not added here yet; add them to see those pairs.`);
  if (r.otherEncoders.length) parts.push(`The session used ${r.otherEncoders.join(' and ')}; choose the same encoders to reproduce its similarities.`);
  return parts.join(' ');
}
