/**
 * A model's answers to a benchmark: for each pair id, the option chosen for image 1 and for
 * image 2. JSON `{"10001": {"im1": "A", "im2": "B"}, …}` or CSV with the header `id,im1,im2`.
 * Only "A" and "B" are valid answers; anything else (including a missing one) is kept as an
 * invalid answer, never rejected, so scoring can count it. The file itself must still have the
 * right shape.
 */
import { z } from 'zod';
import { findColumn, parseCsvTable } from './csv.ts';
import { ImportError, importErrorFromZod, parseJsonText } from './errors.ts';
import type { Option } from './dataset.ts';

/** The answers for one pair; `null` marks an invalid or missing answer. */
export interface PairAnswer {
  im1: Option | null;
  im2: Option | null;
  /** The raw values as found, for showing what made an answer invalid. */
  raw: { im1: unknown; im2: unknown };
}

/** Pair id -> answers, in file order. */
export type AnswerSheet = Map<string, PairAnswer>;

/** Reads one answer: exactly "A" or "B" counts; everything else is invalid. */
export function toOption(value: unknown): Option | null {
  return value === 'A' || value === 'B' ? value : null;
}

const answerValue = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'expected an answer such as "A" or "B" (other text counts as an invalid answer)',
});
const answersJsonSchema = z.record(
  z.string(),
  z.strictObject(
    { im1: answerValue.optional(), im2: answerValue.optional() },
    { error: 'expected {"im1": "A" or "B", "im2": "A" or "B"}' },
  ),
  { error: 'expected an object keyed by pair id: {"10001": {"im1": "A", "im2": "B"}, …}' },
);

function parseAnswersJson(content: string, file: string): AnswerSheet {
  const value = parseJsonText(file, content, 'pair id');
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ImportError(file, '', 'expected an object keyed by pair id: {"10001": {"im1": "A", "im2": "B"}, …}.');
  }
  const result = answersJsonSchema.safeParse(value);
  if (!result.success) throw importErrorFromZod(file, result.error, value);
  const sheet: AnswerSheet = new Map();
  for (const [id, entry] of Object.entries(result.data)) {
    sheet.set(id, { im1: toOption(entry.im1), im2: toOption(entry.im2), raw: { im1: entry.im1, im2: entry.im2 } });
  }
  return sheet;
}

function parseAnswersCsv(content: string, file: string): AnswerSheet {
  const table = parseCsvTable(content, file);
  const columns = {
    id: findColumn(table.header, ['id', 'pair_id', 'pair']),
    im1: findColumn(table.header, ['im1', 'im_1', 'answer_1', 'image1']),
    im2: findColumn(table.header, ['im2', 'im_2', 'answer_2', 'image2']),
  };
  for (const [name, index] of Object.entries(columns)) {
    if (index < 0) throw new ImportError(file, 'header', `needs the columns id, im1 and im2; "${name}" is missing.`);
  }
  const sheet: AnswerSheet = new Map();
  for (const { row, cells } of table.rows) {
    const id = cells[columns.id].trim();
    if (id === '') throw new ImportError(file, `row ${row}, column "id"`, 'expected a pair id, got an empty cell.');
    if (sheet.has(id)) throw new ImportError(file, `row ${row}, column "id"`, `pair id "${id}" appears twice; keep one row per pair.`);
    const im1 = cells[columns.im1].trim();
    const im2 = cells[columns.im2].trim();
    sheet.set(id, { im1: toOption(im1), im2: toOption(im2), raw: { im1, im2 } });
  }
  return sheet;
}

/**
 * Parses an answers file; `.csv` files (or text not starting with `{`) are read as CSV.
 * Pure: returns the sheet or throws {@link ImportError}.
 */
export function parseAnswers(content: string, file = 'answers.json'): AnswerSheet {
  const lower = file.toLowerCase();
  const body = content.replace(/^\uFEFF/, '');
  const json = lower.endsWith('.json') || (!lower.endsWith('.csv') && /^\s*[{[]/.test(body));
  return json ? parseAnswersJson(content, file) : parseAnswersCsv(content, file);
}
