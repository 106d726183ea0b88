/**
 * MediConfusion's `dataset.json`: an object keyed by pair id ("10001", "10002", …) whose values
 * carry exactly the public fields below. In the published file `im_1`/`im_2` are the images'
 * paths in their source collection (ROCO), `im_1_local`/`im_2_local` are integer local ids
 * (20000, 20001, …) and the evaluation code opens `<images folder>/<local id>.jpg`;
 * `category_1`/`category_2` are lists of body-region names; `im_1_correct`/`im_2_correct` are
 * "A" or "B" and always differ within a pair.
 */
import { z } from 'zod';
import { ImportError, importErrorFromZod, parseJsonText } from './errors.ts';

/** The public fields of one pair, in the published file's order. */
export const PAIR_FIELDS = [
  'im_1',
  'im_2',
  'im_1_local',
  'im_2_local',
  'cap_1',
  'cap_2',
  'category_1',
  'category_2',
  'BiomedCLIP_sim',
  'DINO_sim',
  'question',
  'option_A',
  'option_B',
  'im_1_correct',
  'im_2_correct',
  'AI_question',
  'AI_option_A',
  'AI_option_B',
] as const;

/** The nine body-region categories used by the published benchmark. */
export const MEDICONFUSION_CATEGORIES = [
  'Cerebral',
  'Vascular',
  'Head and Neck',
  'Spinal',
  'Musculoskeletal',
  'Cardiac',
  'Gastrointestinal',
  'Pulmonary',
  'Nuclear Medicine',
] as const;

export type Option = 'A' | 'B';

const text = (what: string) => z.string({ error: `expected ${what} (text)` });
const nonEmptyText = (what: string) =>
  z
    .string({ error: `expected ${what} (non-empty text)` })
    .refine((s) => s.trim() !== '', { error: `expected ${what} (non-empty text)` });

const localId = z.union(
  [z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,15}$/).transform(Number)],
  { error: 'expected a local image id (a whole number such as 20000)' },
);

const option = z.enum(['A', 'B'], { error: 'expected "A" or "B"' });

const similarity = z
  .number({ error: 'expected a cosine similarity (a number between -1 and 1)' })
  .min(-1, { error: 'expected a cosine similarity between -1 and 1' })
  .max(1, { error: 'expected a cosine similarity between -1 and 1' });

const categories = z.array(nonEmptyText('a category name'), {
  error: 'expected a list of category names such as ["Cerebral", "Vascular"]',
});

/** Schema of one pair; unknown fields are rejected so the file holds exactly the public fields. */
export const pairEntrySchema = z
  .strictObject(
    {
      im_1: nonEmptyText('the path or name of image 1'),
      im_2: nonEmptyText('the path or name of image 2'),
      im_1_local: localId,
      im_2_local: localId,
      cap_1: text('the caption of image 1'),
      cap_2: text('the caption of image 2'),
      category_1: categories,
      category_2: categories,
      BiomedCLIP_sim: similarity,
      DINO_sim: similarity,
      question: nonEmptyText('the question'),
      option_A: nonEmptyText('option A'),
      option_B: nonEmptyText('option B'),
      im_1_correct: option,
      im_2_correct: option,
      AI_question: text('the AI-drafted question'),
      AI_option_A: text('the AI-drafted option A'),
      AI_option_B: text('the AI-drafted option B'),
    },
    { error: `expected a pair object with the fields ${PAIR_FIELDS.join(', ')}` },
  )
  .superRefine((pair, ctx) => {
    if (pair.im_1_correct === pair.im_2_correct) {
      ctx.addIssue({
        code: 'custom',
        path: ['im_2_correct'],
        params: { crossField: true },
        message: `the correct answers of image 1 and image 2 must differ (both are "${pair.im_1_correct}")`,
      });
    }
    if (pair.im_1_local === pair.im_2_local) {
      ctx.addIssue({
        code: 'custom',
        path: ['im_2_local'],
        params: { crossField: true },
        message: `a pair needs two different images (both local ids are ${pair.im_1_local})`,
      });
    }
  });

/** One validated pair; local ids are numbers even when the file wrote them as digit strings. */
export type MediConfusionPair = z.output<typeof pairEntrySchema>;
/** A validated benchmark: pair id -> pair, in file order. */
export type MediConfusionDataset = Record<string, MediConfusionPair>;

/** Pair ids: "10001" in the published file; letters, digits, "_", "-", "." elsewhere. */
const PAIR_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export const datasetSchema = z
  .record(
    z.string().regex(PAIR_ID, { error: 'expected a pair id such as "10001"' }),
    pairEntrySchema,
    { error: 'expected an object keyed by pair id ("10001", "10002", …)' },
  );

/** Validates an already parsed JSON value as a MediConfusion dataset. */
export function validateDataset(value: unknown, file = 'dataset.json'): MediConfusionDataset {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ImportError(file, '', 'expected an object keyed by pair id ("10001", "10002", …).');
  }
  if (Object.keys(value).length === 0) throw new ImportError(file, '', 'the benchmark has no pairs.');
  for (const id of Object.keys(value)) {
    // Checked before zod, which silently drops a "__proto__" key.
    if (!PAIR_ID.test(id)) {
      throw new ImportError(
        file,
        JSON.stringify(id),
        'expected a pair id of letters, digits, "_", "-" or "." starting with a letter or digit (such as "10001").',
      );
    }
  }
  const result = datasetSchema.safeParse(value);
  if (!result.success) throw importErrorFromZod(file, result.error, value);
  checkLocalIdsConsistent(result.data, file);
  return result.data;
}

/** Parses and validates the text of a `dataset.json`. Pure: throws {@link ImportError} or returns. */
export function parseDatasetJson(textContent: string, file = 'dataset.json'): MediConfusionDataset {
  return validateDataset(parseJsonText(file, textContent, 'pair id'), file);
}

/** One local id must always name the same image: `images/<local id>.jpg` cannot be two files. */
function checkLocalIdsConsistent(dataset: MediConfusionDataset, file: string): void {
  const pathByLocal = new Map<number, string>();
  for (const [id, pair] of Object.entries(dataset)) {
    for (const side of [1, 2] as const) {
      const local = side === 1 ? pair.im_1_local : pair.im_2_local;
      const path = side === 1 ? pair.im_1 : pair.im_2;
      const seen = pathByLocal.get(local);
      if (seen === undefined) pathByLocal.set(local, path);
      else if (seen !== path) {
        throw new ImportError(
          file,
          `${id}.im_${side}_local`,
          `local id ${local} is used for two different images ("${seen}" and "${path}"); each image needs its own local id.`,
        );
      }
    }
  }
}
