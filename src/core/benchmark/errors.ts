/**
 * Errors raised by the benchmark parsers. Every import in this folder is pure: it either returns
 * a fully validated value or throws an {@link ImportError}, so a caller that stores only on
 * success never keeps half an import.
 */
import type { z } from 'zod';
import { findDuplicateKey } from '../formats/json-duplicates.ts';
import { messageOf } from '../errors.ts';

/** A file that does not have the expected shape; `field` names the first offending place. */
export class ImportError extends Error {
  override name = 'ImportError';
  constructor(
    /** Label of the file being read, e.g. `dataset.json` or `answers.csv`. */
    readonly file: string,
    /** Dotted path (`10003.option_B`) or `row 4, column "caption"`; empty for the whole file. */
    readonly field: string,
    /** What was expected there, as a sentence fragment. */
    readonly expected: string,
  ) {
    super(`${file}: ${field ? `${field}: ` : ''}${expected}`);
  }
}

/** Raised by the export builder when reviewed pairs are not ready to become a benchmark. */
export class ExportValidationError extends Error {
  override name = 'ExportValidationError';
  constructor(readonly issues: ExportIssue[]) {
    super(
      issues.length === 1
        ? issues[0].message
        : `${issues.length} pairs need fixing before export. First: ${issues[0]?.message ?? ''}`,
    );
  }
}

/** One problem found in one reviewed pair before export. */
export interface ExportIssue {
  /** Index of the pair in the list given to the exporter. */
  pairIndex: number;
  /** Field of the reviewed pair, e.g. `question` or `image2Correct`. */
  field: string;
  message: string;
}

/** Short description of a JSON value, for "got ..." in messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return value.trim() === '' ? 'an empty text' : `the text ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `${value}`;
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Dotted path of a zod issue, `(top level)` style empty string for the root. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part) => String(part)).join('.');
}

/**
 * Turns the first zod issue into an {@link ImportError}. Our schemas carry their expectation as
 * the issue message; the value actually found is appended from the raw input.
 */
export function importErrorFromZod(file: string, error: z.ZodError, input: unknown): ImportError {
  const issue = error.issues[0];
  if (!issue) return new ImportError(file, '', 'the file is not valid.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const path = formatPath([...issue.path, key]);
    return new ImportError(file, path, `unexpected field "${key}"; ${issue.message}.`);
  }
  const got = valueAt(input, issue.path);
  const message = issue.message.endsWith('.') ? issue.message.slice(0, -1) : issue.message;
  // Checks across fields say themselves what they found.
  const crossField = issue.code === 'custom' && issue.params?.['crossField'] === true;
  const suffix = crossField ? '.' : `, got ${describeValue(got)}.`;
  return new ImportError(file, formatPath(issue.path), `${message}${suffix}`);
}

/**
 * JSON.parse that reports a syntax error as an {@link ImportError} naming the file, and refuses a
 * key written twice in one object (JSON.parse would keep the last one silently, dropping data).
 * `topLevelKey` names what the root object's keys are ("pair id", "file name") for that message.
 */
export function parseJsonText(file: string, text: string, topLevelKey = 'key'): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new ImportError(file, '', 'the file is empty; expected JSON.');
  let value: unknown;
  try {
    value = JSON.parse(body) as unknown;
  } catch (error) {
    const detail = messageOf(error);
    throw new ImportError(file, '', `is not valid JSON (${detail}). Check the file was saved as JSON.`);
  }
  const duplicate = findDuplicateKey(body);
  if (duplicate) {
    const silently = 'JSON readers keep only the last one without a word';
    if (duplicate.path.length === 0) {
      throw new ImportError(
        file,
        '',
        `the ${topLevelKey} "${duplicate.key}" appears twice; ${silently}, so give each its own ${topLevelKey} or delete the copy, then import again.`,
      );
    }
    throw new ImportError(
      file,
      formatPath(duplicate.path),
      `the field "${duplicate.key}" appears twice; ${silently}, so keep one and import again.`,
    );
  }
  return value;
}
