/**
 * Builds a MediConfusion-format benchmark from reviewed pairs. Pair ids run "10001", "10002", …
 * and every distinct image (by SHA-256) gets a local id 20000, 20001, … in order of first
 * appearance, as the published benchmark does. `im_1`/`im_2` hold `images/<local id>.jpg`, the
 * image's path inside the export, unless the user opts in to original names; no original file name
 * and nothing from a DICOM header ever enters the export otherwise, because the builder is never
 * given anything but the hash, the optional name, caption and categories.
 */
import { toCsv } from './csv.ts';
import { PAIR_FIELDS, validateDataset, type MediConfusionDataset, type MediConfusionPair, type Option } from './dataset.ts';
import { ExportValidationError, type ExportIssue } from './errors.ts';

/** First pair id and first local image id, as in the published benchmark. */
export const FIRST_PAIR_ID = 10001;
export const FIRST_LOCAL_ID = 20000;

/** What the exporter needs to know about one image. */
export interface ExportImage {
  /** SHA-256 of the image bytes (the item's identity in the app). */
  sha256: string;
  /** Original file name or relative path; written only with `includeOriginalNames`. */
  originalName?: string;
  caption?: string;
  categories?: string[];
}

export type ReviewDecision = 'accept' | 'reject' | 'needs-edit';

/** A reviewed pair with its question, as the review view holds it. */
export interface ReviewedPair {
  image1: ExportImage;
  image2: ExportImage;
  /** Cosine similarity from BiomedCLIP (`BiomedCLIP_sim`). */
  clipSimilarity: number;
  /** Cosine similarity from DINOv2 (`DINO_sim`). */
  dinoSimilarity: number;
  question: string;
  optionA: string;
  optionB: string;
  image1Correct: Option | null;
  image2Correct: Option | null;
  /** The LLM draft kept beside the edited version; empty when there was none. */
  aiQuestion?: string;
  aiOptionA?: string;
  aiOptionB?: string;
  decision?: ReviewDecision;
}

export interface ExportOptions {
  /** Write original names into `im_1`/`im_2` (default false: `images/<local id>.jpg`). */
  includeOriginalNames?: boolean;
  /** Export only pairs whose decision is "accept" (default true); otherwise every pair given. */
  acceptedOnly?: boolean;
}

/** The exported benchmark and how its local ids map back to images. */
export interface BuiltDataset {
  dataset: MediConfusionDataset;
  /** Local id -> SHA-256, to fetch and encode each JPEG once. */
  images: { localId: number; sha256: string }[];
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Every problem that would keep one pair out of a valid benchmark; empty when it is ready. */
export function validateReviewedPair(pair: ReviewedPair, pairIndex = 0): ExportIssue[] {
  const issues: ExportIssue[] = [];
  const add = (field: string, message: string): void => {
    issues.push({ pairIndex, field, message: `Pair ${pairIndex + 1}: ${message}` });
  };
  if (pair.question.trim() === '') add('question', 'write the question before exporting.');
  if (pair.optionA.trim() === '') add('optionA', 'write option A before exporting.');
  if (pair.optionB.trim() === '') add('optionB', 'write option B before exporting.');
  if (pair.optionA.trim() !== '' && pair.optionA.trim() === pair.optionB.trim()) {
    add('optionB', 'options A and B are the same text; make them differ.');
  }
  if (pair.image1Correct !== 'A' && pair.image1Correct !== 'B') add('image1Correct', 'choose the correct option (A or B) for image 1.');
  if (pair.image2Correct !== 'A' && pair.image2Correct !== 'B') add('image2Correct', 'choose the correct option (A or B) for image 2.');
  if (pair.image1Correct && pair.image1Correct === pair.image2Correct) {
    add(
      'image2Correct',
      `the correct answers for image 1 and image 2 must differ (both are ${pair.image1Correct}); a confusing pair needs a different answer for each image.`,
    );
  }
  for (const [field, value] of [['clipSimilarity', pair.clipSimilarity], ['dinoSimilarity', pair.dinoSimilarity]] as const) {
    if (!Number.isFinite(value) || value < -1 || value > 1) add(field, `the similarity ${value} is not a cosine similarity between -1 and 1.`);
  }
  for (const [field, image] of [['image1', pair.image1], ['image2', pair.image2]] as const) {
    if (!SHA256.test(image.sha256)) add(`${field}.sha256`, 'the image has no valid SHA-256; re-import it.');
  }
  if (pair.image1.sha256 === pair.image2.sha256) add('image2', 'both images are the same file; a pair needs two different images.');
  return issues;
}

/**
 * Builds `dataset.json` from reviewed pairs, or throws {@link ExportValidationError} listing every
 * pair that is not ready (nothing is built then). The result is re-validated with the import schema,
 * so an export always imports again.
 */
export function buildDataset(pairs: readonly ReviewedPair[], options: ExportOptions = {}): BuiltDataset {
  const acceptedOnly = options.acceptedOnly ?? true;
  const chosen = pairs
    .map((pair, index) => ({ pair, index }))
    .filter(({ pair }) => !acceptedOnly || pair.decision === 'accept');
  const issues = chosen.flatMap(({ pair, index }) => validateReviewedPair(pair, index));
  if (chosen.length === 0) {
    issues.push({ pairIndex: -1, field: 'decision', message: 'No accepted pairs to export; accept at least one pair first.' });
  }
  if (issues.length > 0) throw new ExportValidationError(issues);

  const localIds = new Map<string, number>();
  const images: BuiltDataset['images'] = [];
  const localIdOf = (image: ExportImage): number => {
    let id = localIds.get(image.sha256);
    if (id === undefined) {
      id = FIRST_LOCAL_ID + localIds.size;
      localIds.set(image.sha256, id);
      images.push({ localId: id, sha256: image.sha256 });
    }
    return id;
  };
  // One name per local id: the same bytes dropped twice under two names keep the first name.
  const names = new Map<number, string>();
  const nameOf = (image: ExportImage, localId: number): string => {
    const known = names.get(localId);
    if (known !== undefined) return known;
    const original = image.originalName?.trim();
    const name = options.includeOriginalNames && original ? original : `images/${localId}.jpg`;
    names.set(localId, name);
    return name;
  };
  const categoriesOf = (image: ExportImage): string[] =>
    (image.categories ?? []).map((c) => c.trim()).filter((c) => c !== '');

  const dataset: MediConfusionDataset = {};
  chosen.forEach(({ pair }, position) => {
    const local1 = localIdOf(pair.image1);
    const local2 = localIdOf(pair.image2);
    const entry: MediConfusionPair = {
      im_1: nameOf(pair.image1, local1),
      im_2: nameOf(pair.image2, local2),
      im_1_local: local1,
      im_2_local: local2,
      cap_1: pair.image1.caption ?? '',
      cap_2: pair.image2.caption ?? '',
      category_1: categoriesOf(pair.image1),
      category_2: categoriesOf(pair.image2),
      BiomedCLIP_sim: pair.clipSimilarity,
      DINO_sim: pair.dinoSimilarity,
      question: pair.question.trim(),
      option_A: pair.optionA.trim(),
      option_B: pair.optionB.trim(),
      im_1_correct: pair.image1Correct as Option,
      im_2_correct: pair.image2Correct as Option,
      AI_question: pair.aiQuestion ?? '',
      AI_option_A: pair.aiOptionA ?? '',
      AI_option_B: pair.aiOptionB ?? '',
    };
    dataset[String(FIRST_PAIR_ID + position)] = entry;
  });
  return { dataset: validateDataset(dataset, 'export'), images };
}

/** `dataset.json` text, indented like the published file. */
export function datasetToJson(dataset: MediConfusionDataset): string {
  return `${JSON.stringify(dataset, null, 4)}\n`;
}

/** Columns of the pairs CSV, one row per pair. */
export const PAIRS_CSV_COLUMNS = ['id', ...PAIR_FIELDS] as const;

/**
 * The benchmark as a CSV of pairs (categories joined with "; "), from the same data as the JSON.
 * Spreadsheet-safe: text cells that a spreadsheet would run as a formula get a leading single
 * quote; the similarities stay plain numbers (see `src/core/formats/csv-write.ts`).
 */
export function datasetToCsv(dataset: MediConfusionDataset): string {
  const rows: (string | number)[][] = [[...PAIRS_CSV_COLUMNS]];
  for (const [id, pair] of Object.entries(dataset)) {
    rows.push([
      id,
      pair.im_1,
      pair.im_2,
      pair.im_1_local,
      pair.im_2_local,
      pair.cap_1,
      pair.cap_2,
      pair.category_1.join('; '),
      pair.category_2.join('; '),
      pair.BiomedCLIP_sim,
      pair.DINO_sim,
      pair.question,
      pair.option_A,
      pair.option_B,
      pair.im_1_correct,
      pair.im_2_correct,
      pair.AI_question,
      pair.AI_option_A,
      pair.AI_option_B,
    ]);
  }
  return toCsv(rows);
}
