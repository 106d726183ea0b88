/**
 * RFC 4180 CSV: quoted fields with doubled quotes, commas and line breaks inside quotes, CRLF, LF
 * or CR line ends, an optional UTF-8 byte-order mark. Lenient where real files are sloppy (a bare
 * quote inside an unquoted field is kept as text, a missing final line break is fine), strict where
 * the meaning would be ambiguous (text after a closing quote, a quote never closed).
 */
import { ImportError } from './errors.ts';

/** Parses CSV text into rows of fields. Fully blank lines are skipped. */
export function parseCsv(text: string, file = 'CSV file'): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  /** True until the current field has consumed a character (a quote opens a quoted field only here). */
  let atFieldStart = true;
  /** The current field was quoted, so an empty value still counts as content. */
  let quoted = false;
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;

  const endField = (): void => {
    row.push(field);
    field = '';
    atFieldStart = true;
    quoted = false;
  };
  const endRow = (): void => {
    const blank = row.length === 0 && field === '' && !quoted;
    endField();
    if (!blank) rows.push(row);
    row = [];
  };

  while (i < n) {
    const c = text[i];
    if (c === '"' && atFieldStart) {
      const startLine = line;
      atFieldStart = false;
      quoted = true;
      i += 1;
      let closed = false;
      while (i < n) {
        const q = text[i];
        if (q === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          i += 1;
          break;
        }
        if (q === '\n' || (q === '\r' && text[i + 1] !== '\n')) line += 1;
        field += q;
        i += 1;
      }
      if (!closed) {
        throw new ImportError(file, `line ${startLine}`, 'a quoted field is never closed; add the closing quote (").');
      }
      const next = text[i];
      if (i < n && next !== ',' && next !== '\n' && next !== '\r') {
        throw new ImportError(
          file,
          `line ${line}`,
          'text follows a closing quote; inside a quoted field write a quote as two quotes ("").',
        );
      }
      continue;
    }
    if (c === ',') {
      endField();
      i += 1;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRow();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line += 1;
      continue;
    }
    atFieldStart = false;
    field += c;
    i += 1;
  }
  if (field !== '' || quoted || row.length > 0) endRow();
  return rows;
}

/** The writer lives with the other formats; re-exported so benchmark code has one CSV module. */
export { csvCell, isFormulaLike, spreadsheetSafeText, toCsv } from '../formats/csv-write.ts';

/** A CSV table with a header row, addressed by column name. */
export interface CsvTable {
  header: string[];
  /** Data rows; `row` is the 1-based row number, counting the header as row 1 and skipping blank lines. */
  rows: { row: number; cells: string[] }[];
}

/**
 * Parses CSV with a header row and checks every data row has as many fields as the header, so a
 * later column lookup can never silently read the wrong cell.
 */
export function parseCsvTable(text: string, file = 'CSV file'): CsvTable {
  const all = parseCsv(text, file);
  if (all.length === 0) throw new ImportError(file, '', 'the file is empty; expected a header row and data rows.');
  const header = all[0].map((name) => name.trim());
  const rows = all.slice(1).map((cells, index) => {
    const row = index + 2;
    if (cells.length !== header.length) {
      throw new ImportError(
        file,
        `row ${row}`,
        `has ${cells.length} fields but the header has ${header.length}; quote fields that contain commas.`,
      );
    }
    return { row, cells };
  });
  return { header, rows };
}

/** Index of the first header column whose lower-cased name is in `names`, else -1. */
export function findColumn(header: readonly string[], names: readonly string[]): number {
  const lower = header.map((h) => h.toLowerCase());
  for (const name of names) {
    const index = lower.indexOf(name);
    if (index >= 0) return index;
  }
  return -1;
}
