/**
 * Captions and categories for dropped images, from CSV or JSON:
 * - CSV with a header: a name column (`name`, `file`, `filename`, `file_name`, `path`, `relpath`,
 *   `image`), a caption column (`caption`, `cap`, `text`, `description`) and optionally a
 *   categories column (`categories`, `category`, `labels`). A ROCO-style `name,caption` (or
 *   `id,name,caption`) CSV works as is. Categories may be separated by `;` or `|`, or written as a
 *   JSON or Python list (`['Cerebral', 'Vascular']`, as in MediConfusion's own CSV).
 * - JSON: `{"a.jpg": "caption"}`, `{"a.jpg": {"caption": "…", "categories": ["…"]}}` or
 *   `[{"name": "a.jpg", "caption": "…", "categories": ["…"]}]`.
 */
import { z } from 'zod';
import { CsvTableReader, findColumn } from './csv.ts';
import { ImportError, importErrorFromZod, parseJsonText } from './errors.ts';

/** Caption and categories of one image, keyed by its file name or relative path. */
export interface CaptionEntry {
  name: string;
  caption: string;
  categories: string[];
}

/** Validated captions with lookup by relative path, then by base name (case-insensitive last). */
export interface CaptionIndex {
  entries: CaptionEntry[];
  /** Finds the entry for a dropped file, given its relative path (`folder/a.jpg`) or name. */
  lookup(pathOrName: string): CaptionEntry | undefined;
}

const NAME_COLUMNS = ['name', 'file', 'filename', 'file_name', 'path', 'relpath', 'relative_path', 'image'];
const CAPTION_COLUMNS = ['caption', 'cap', 'text', 'description'];
const CATEGORY_COLUMNS = ['categories', 'category', 'labels', 'label'];

/** Splits a categories cell: `a; b`, `a|b`, `["a","b"]` or `['a', 'b']`. */
export function splitCategories(cell: string): string[] {
  const trimmed = cell.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
    const inner = trimmed.slice(1, -1);
    const items: string[] = [];
    const quoted = /\s*(['"])((?:\\.|(?!\1)[^\\])*)\1\s*(?:,|$)/y;
    let match: RegExpExecArray | null;
    let consumed = 0;
    while ((match = quoted.exec(inner)) !== null && match[0] !== '') {
      items.push(match[2].replace(/\\(.)/g, '$1').trim());
      consumed = quoted.lastIndex;
    }
    if (consumed === inner.length || inner.trim() === '') return items.filter((s) => s !== '');
    return inner
      .split(',')
      .map((s) => s.trim().replace(/^['"]|['"]$/g, '').trim())
      .filter((s) => s !== '');
  }
  return trimmed
    .split(/[;|]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

function normalisePath(path: string): string {
  return path.trim().replaceAll('\\', '/').replace(/^\.\//, '');
}

/**
 * Collects entries one by one (so a chunked parse never needs a second pass) and refuses a second
 * caption for one name, saying where the first one was; the path map doubles as that check.
 */
class CaptionIndexBuilder {
  readonly entries: CaptionEntry[] = [];
  private readonly byPath = new Map<string, { entry: CaptionEntry; where: string }>();
  private readonly byBase = new Map<string, CaptionEntry | null>();
  private readonly byBaseLower = new Map<string, CaptionEntry | null>();

  constructor(private readonly file: string) {}

  add(entry: CaptionEntry, where: string): void {
    const path = normalisePath(entry.name);
    const seen = this.byPath.get(path);
    if (seen !== undefined) {
      throw new ImportError(this.file, where, `the name "${entry.name}" already appears at ${seen.where}; keep one caption per image.`);
    }
    this.byPath.set(path, { entry, where });
    const base = baseName(path);
    // A base name shared by two entries is ambiguous: only an exact path may match it.
    this.byBase.set(base, this.byBase.has(base) ? null : entry);
    const lower = base.toLowerCase();
    this.byBaseLower.set(lower, this.byBaseLower.has(lower) ? null : entry);
    this.entries.push(entry);
  }

  build(): CaptionIndex {
    const { entries, byPath, byBase, byBaseLower } = this;
    return {
      entries,
      lookup(pathOrName) {
        const path = normalisePath(pathOrName);
        const exact = byPath.get(path);
        if (exact) return exact.entry;
        const base = baseName(path);
        return byBase.get(base) ?? byBaseLower.get(base.toLowerCase()) ?? undefined;
      },
    };
  }
}

/** The CSV side of {@link CaptionsParser}: columns from the header, then one entry per row as it arrives. */
function captionsCsvReader(file: string, index: CaptionIndexBuilder): CsvTableReader {
  let nameColumn = -1;
  let captionColumn = -1;
  let categoryColumn = -1;
  return new CsvTableReader(
    file,
    ({ row, cells }, header) => {
      const name = cells[nameColumn].trim();
      if (name === '') {
        throw new ImportError(file, `row ${row}, column "${header[nameColumn]}"`, 'expected a file name, got an empty cell.');
      }
      const categories = categoryColumn >= 0 ? splitCategories(cells[categoryColumn]) : [];
      index.add({ name, caption: cells[captionColumn].trim(), categories }, `row ${row}`);
    },
    (header) => {
      nameColumn = findColumn(header, NAME_COLUMNS);
      captionColumn = findColumn(header, CAPTION_COLUMNS);
      categoryColumn = findColumn(header, CATEGORY_COLUMNS);
      if (nameColumn < 0) throw new ImportError(file, 'header', `needs a file name column (one of: ${NAME_COLUMNS.join(', ')}).`);
      if (captionColumn < 0) throw new ImportError(file, 'header', `needs a caption column (one of: ${CAPTION_COLUMNS.join(', ')}).`);
    },
  );
}

const categoryList = z.union(
  [z.array(z.string({ error: 'expected a category name (text)' })), z.string().transform(splitCategories)],
  { error: 'expected a list of category names' },
);
const captionText = z.string({ error: 'expected a caption (text)' });
const captionObject = z.object(
  { caption: captionText, categories: categoryList.optional() },
  { error: 'expected a caption (text) or an object {"caption": …, "categories": […]}' },
);
const captionsMapSchema = z.record(
  z.string(),
  z.union([captionText, captionObject], {
    error: 'expected a caption (text) or an object {"caption": …, "categories": […]}',
  }),
);
const captionsListSchema = z.array(
  z.object(
    {
      name: z.string({ error: 'expected the file name or relative path (text)' }).refine((s) => s.trim() !== '', {
        error: 'expected the file name or relative path (non-empty text)',
      }),
      caption: captionText,
      categories: categoryList.optional(),
    },
    { error: 'expected an object {"name": …, "caption": …, "categories": […]}' },
  ),
);

const cleanCategories = (categories: readonly string[] | undefined): string[] =>
  (categories ?? []).map((c) => c.trim()).filter((c) => c !== '');

/** How many JSON items are checked between two progress reports. */
const JSON_PROGRESS_EVERY = 50_000;

/**
 * The JSON side of {@link CaptionsParser}. Items are checked one by one so progress can be told
 * along the way; when one fails, the whole collection is checked again to give exactly the message
 * (path and value) a single check of the file gives.
 */
function parseCaptionsJson(
  content: string,
  file: string,
  index: CaptionIndexBuilder,
  onChecked: (done: number, total: number) => void,
): void {
  const value = parseJsonText(file, content, 'file name');
  const tick = (done: number, total: number): void => {
    if (done % JSON_PROGRESS_EVERY === 0 || done === total) onChecked(done, total);
  };
  if (Array.isArray(value)) {
    const itemSchema = captionsListSchema.element;
    value.forEach((raw: unknown, position) => {
      const item = itemSchema.safeParse(raw);
      if (!item.success) {
        const whole = captionsListSchema.safeParse(value);
        throw whole.success ? importErrorFromZod(file, item.error, raw) : importErrorFromZod(file, whole.error, value);
      }
      const name = item.data.name.trim();
      index.add({ name, caption: item.data.caption.trim(), categories: cleanCategories(item.data.categories) }, String(position));
      tick(position + 1, value.length);
    });
    return;
  }
  if (value === null || typeof value !== 'object') {
    throw new ImportError(file, '', 'expected an object {"file name": caption, …} or a list of {"name", "caption"}.');
  }
  const pairs = Object.entries(value);
  const itemSchema = captionsMapSchema.valueType;
  pairs.forEach(([key, raw], position) => {
    const item = itemSchema.safeParse(raw);
    if (!item.success) {
      const whole = captionsMapSchema.safeParse(value);
      throw whole.success ? importErrorFromZod(file, item.error, raw) : importErrorFromZod(file, whole.error, value);
    }
    const name = key.trim();
    if (name === '') throw new ImportError(file, '(empty key)', 'expected a file name as key.');
    index.add(
      typeof item.data === 'string'
        ? { name, caption: item.data.trim(), categories: [] }
        : { name, caption: item.data.caption.trim(), categories: cleanCategories(item.data.categories) },
      JSON.stringify(name),
    );
    tick(position + 1, pairs.length);
  });
}

/** Where a captions parse stands, for a progress bar: `charsRead / totalChars` while reading. */
export interface CaptionsProgress {
  /** `reading` while chunks arrive (CSV rows are checked as they come), `checking` JSON items, then `done`. */
  phase: 'reading' | 'checking' | 'done';
  charsRead: number;
  /** As given by the caller (for a File, its size is a fair stand-in); null when unknown. */
  totalChars: number | null;
  /** Captions accepted so far. */
  entries: number;
}

export interface CaptionsParserOptions {
  /** Total length of the text, when known, to report a fraction. */
  totalChars?: number;
  onProgress?: (progress: CaptionsProgress) => void;
}

/**
 * Parses a captions file fed in chunks (for example a File's text stream in a worker), with
 * progress. CSV is read row by row as the chunks arrive, so memory holds the entries, never the
 * whole text twice; JSON has no such incremental reader here, so its chunks are joined and parsed
 * at {@link CaptionsParser.finish} (`JSON.parse` is native and linear), then checked item by item
 * with progress. Both are linear in the file: a million rows take seconds, not minutes.
 *
 * The format follows the file name (`.json` or `.csv`); without one, text starting with `{` or `[`
 * is read as JSON, anything else as CSV. Errors are {@link ImportError}s, as from
 * {@link parseCaptions}, which is this class fed once.
 */
export class CaptionsParser {
  private format: 'csv' | 'json' | null;
  private readonly index: CaptionIndexBuilder;
  private csv: CsvTableReader | null = null;
  private readonly jsonChunks: string[] = [];
  /** Chunks held back until the first non-blank character says which format an unnamed file is. */
  private readonly undecided: string[] = [];
  private charsRead = 0;

  constructor(
    private readonly file = 'captions.csv',
    private readonly options: CaptionsParserOptions = {},
  ) {
    this.index = new CaptionIndexBuilder(file);
    const lower = file.toLowerCase();
    this.format = lower.endsWith('.json') ? 'json' : lower.endsWith('.csv') ? 'csv' : null;
  }

  private report(phase: CaptionsProgress['phase']): void {
    this.options.onProgress?.({ phase, charsRead: this.charsRead, totalChars: this.options.totalChars ?? null, entries: this.index.entries.length });
  }

  private feed(chunk: string): void {
    if (this.format === 'json') {
      this.jsonChunks.push(chunk);
      return;
    }
    this.csv ??= captionsCsvReader(this.file, this.index);
    this.csv.push(chunk);
  }

  push(chunk: string): void {
    this.charsRead += chunk.length;
    if (this.format === null) {
      this.undecided.push(chunk);
      const head = this.undecided.join('').replace(/^\uFEFF/, '').trimStart();
      if (head === '') return;
      this.format = head.startsWith('{') || head.startsWith('[') ? 'json' : 'csv';
      for (const held of this.undecided.splice(0)) this.feed(held);
    } else {
      this.feed(chunk);
    }
    this.report('reading');
  }

  /** Ends the input and returns the validated captions, or throws an {@link ImportError}. */
  finish(): CaptionIndex {
    if (this.format === null) this.format = 'csv';
    for (const held of this.undecided.splice(0)) this.feed(held);
    if (this.format === 'json') {
      const text = this.jsonChunks.join('');
      this.jsonChunks.length = 0;
      parseCaptionsJson(text, this.file, this.index, (done) => {
        this.options.onProgress?.({ phase: 'checking', charsRead: this.charsRead, totalChars: this.options.totalChars ?? null, entries: done });
      });
    } else {
      this.csv ??= captionsCsvReader(this.file, this.index);
      this.csv.end();
      if (this.index.entries.length === 0) throw new ImportError(this.file, 'row 2', 'the file has a header but no captions.');
    }
    this.report('done');
    return this.index.build();
  }
}

/**
 * Parses a captions file. The format follows the file name (`.json` or `.csv`); without one,
 * text starting with `{` or `[` is read as JSON, anything else as CSV.
 */
export function parseCaptions(content: string, file = 'captions.csv'): CaptionIndex {
  const parser = new CaptionsParser(file);
  parser.push(content);
  return parser.finish();
}

/** How long a parse runs between two yields: short enough for a worker to take a cancel message. */
const YIELD_EVERY_MS = 50;

/** Waits one macrotask once YIELD_EVERY_MS has passed; a timer per chunk would cost 1 ms or more each. */
function yielder(): () => Promise<void> {
  let last = Date.now();
  return async () => {
    if (Date.now() - last < YIELD_EVERY_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    last = Date.now();
  };
}

/**
 * Parses a captions file chunk by chunk with progress, yielding between chunks. `source` is the
 * whole text (cut into `chunkChars` pieces here) or any (async) iterable of text chunks, such as
 * `file.stream().pipeThrough(new TextDecoderStream())`. Meant to run in a worker.
 */
export async function parseCaptionsIncremental(
  source: string | Iterable<string> | AsyncIterable<string>,
  file = 'captions.csv',
  options: CaptionsParserOptions & { chunkChars?: number } = {},
): Promise<CaptionIndex> {
  const totalChars = options.totalChars ?? (typeof source === 'string' ? source.length : undefined);
  const parser = new CaptionsParser(file, { ...options, totalChars });
  const nextTask = yielder();
  if (typeof source === 'string') {
    const size = Math.max(1, options.chunkChars ?? 1 << 20);
    for (let at = 0; at < source.length; at += size) {
      parser.push(source.slice(at, at + size));
      await nextTask();
    }
  } else {
    for await (const chunk of source) {
      parser.push(chunk);
      await nextTask();
    }
  }
  return parser.finish();
}
