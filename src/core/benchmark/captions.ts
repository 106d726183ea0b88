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
import { findColumn, parseCsvTable } from './csv.ts';
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
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

function normalisePath(path: string): string {
  return path.trim().replaceAll('\\', '/').replace(/^\.\//, '');
}

function buildIndex(entries: CaptionEntry[]): CaptionIndex {
  const byPath = new Map<string, CaptionEntry>();
  const byBase = new Map<string, CaptionEntry | null>();
  const byBaseLower = new Map<string, CaptionEntry | null>();
  for (const entry of entries) {
    byPath.set(normalisePath(entry.name), entry);
    const base = baseName(normalisePath(entry.name));
    // A base name shared by two entries is ambiguous: only an exact path may match it.
    byBase.set(base, byBase.has(base) ? null : entry);
    const lower = base.toLowerCase();
    byBaseLower.set(lower, byBaseLower.has(lower) ? null : entry);
  }
  return {
    entries,
    lookup(pathOrName) {
      const path = normalisePath(pathOrName);
      const exact = byPath.get(path);
      if (exact) return exact;
      const base = baseName(path);
      return byBase.get(base) ?? byBaseLower.get(base.toLowerCase()) ?? undefined;
    },
  };
}

function checkUnique(entries: CaptionEntry[], file: string, where: (index: number) => string): void {
  const first = new Map<string, number>();
  entries.forEach((entry, index) => {
    const key = normalisePath(entry.name);
    const seen = first.get(key);
    if (seen !== undefined) {
      throw new ImportError(
        file,
        where(index),
        `the name "${entry.name}" already appears at ${where(seen)}; keep one caption per image.`,
      );
    }
    first.set(key, index);
  });
}

function parseCaptionsCsv(content: string, file: string): CaptionIndex {
  const table = parseCsvTable(content, file);
  const nameColumn = findColumn(table.header, NAME_COLUMNS);
  const captionColumn = findColumn(table.header, CAPTION_COLUMNS);
  if (nameColumn < 0) {
    throw new ImportError(file, 'header', `needs a file name column (one of: ${NAME_COLUMNS.join(', ')}).`);
  }
  if (captionColumn < 0) {
    throw new ImportError(file, 'header', `needs a caption column (one of: ${CAPTION_COLUMNS.join(', ')}).`);
  }
  if (table.rows.length === 0) throw new ImportError(file, 'row 2', 'the file has a header but no captions.');
  const categoryColumn = findColumn(table.header, CATEGORY_COLUMNS);
  const entries = table.rows.map(({ row, cells }) => {
    const name = cells[nameColumn].trim();
    if (name === '') {
      throw new ImportError(file, `row ${row}, column "${table.header[nameColumn]}"`, 'expected a file name, got an empty cell.');
    }
    return {
      name,
      caption: cells[captionColumn].trim(),
      categories: categoryColumn >= 0 ? splitCategories(cells[categoryColumn]) : [],
    };
  });
  checkUnique(entries, file, (index) => `row ${table.rows[index].row}`);
  return buildIndex(entries);
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

function parseCaptionsJson(content: string, file: string): CaptionIndex {
  const value = parseJsonText(file, content, 'file name');
  if (Array.isArray(value)) {
    const result = captionsListSchema.safeParse(value);
    if (!result.success) throw importErrorFromZod(file, result.error, value);
    const entries = result.data.map((e) => ({
      name: e.name.trim(),
      caption: e.caption.trim(),
      categories: (e.categories ?? []).map((c) => c.trim()).filter((c) => c !== ''),
    }));
    checkUnique(entries, file, (index) => String(index));
    return buildIndex(entries);
  }
  if (value === null || typeof value !== 'object') {
    throw new ImportError(file, '', 'expected an object {"file name": caption, …} or a list of {"name", "caption"}.');
  }
  const result = captionsMapSchema.safeParse(value);
  if (!result.success) throw importErrorFromZod(file, result.error, value);
  const entries = Object.entries(result.data).map(([name, item]) => {
    if (name.trim() === '') throw new ImportError(file, '(empty key)', 'expected a file name as key.');
    return typeof item === 'string'
      ? { name: name.trim(), caption: item.trim(), categories: [] }
      : {
          name: name.trim(),
          caption: item.caption.trim(),
          categories: (item.categories ?? []).map((c) => c.trim()).filter((c) => c !== ''),
        };
  });
  checkUnique(entries, file, (index) => JSON.stringify(entries[index].name));
  return buildIndex(entries);
}

/**
 * Parses a captions file. The format follows the file name (`.json` or `.csv`); without one,
 * text starting with `{` or `[` is read as JSON, anything else as CSV.
 */
export function parseCaptions(content: string, file = 'captions.csv'): CaptionIndex {
  const lower = file.toLowerCase();
  const body = content.replace(/^\uFEFF/, '');
  const json = lower.endsWith('.json') || (!lower.endsWith('.csv') && /^\s*[{[]/.test(body));
  return json ? parseCaptionsJson(content, file) : parseCaptionsCsv(content, file);
}
