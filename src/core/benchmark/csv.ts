/**
 * RFC 4180 CSV: quoted fields with doubled quotes, commas and line breaks inside quotes, CRLF, LF
 * or CR line ends, an optional UTF-8 byte-order mark. Lenient where real files are sloppy (a bare
 * quote inside an unquoted field is kept as text, a missing final line break is fine), strict where
 * the meaning would be ambiguous (text after a closing quote, a quote never closed).
 */
import { ImportError } from './errors.ts';

const COMMA = 0x2c;
const QUOTE = 0x22;
const CR = 0x0d;
const LF = 0x0a;

/** Where the reader is inside the current field. */
const enum At {
  /** Nothing of the field read yet: a quote here opens a quoted field. */
  FieldStart,
  Unquoted,
  Quoted,
  /** Inside a quoted field, just after a quote: a second quote is a literal one, anything else closes it. */
  QuoteInQuoted,
  /** After a closing quote: only a comma or a line end may follow. */
  AfterClose,
}

/**
 * A CSV reader fed in chunks, so a million-row file never has to be split into lines or held as a
 * second copy: each complete row goes to `onRow` as soon as its line ends. A chunk may end
 * anywhere, even between the two quotes of `""` or between CR and LF. Fully blank lines are
 * skipped. Errors are {@link ImportError}s naming the file and line.
 */
export class CsvReader {
  private row: string[] = [];
  private field = '';
  private at = At.FieldStart;
  /** The current field was quoted, so an empty value still counts as content. */
  private quoted = false;
  private line = 1;
  private quoteLine = 1;
  /** The last character was a CR: a following LF belongs to the same line end. */
  private afterCr = false;
  private started = false;

  constructor(
    private readonly file: string,
    private readonly onRow: (cells: string[]) => void,
  ) {}

  private endField(): void {
    this.row.push(this.field);
    this.field = '';
    this.at = At.FieldStart;
    this.quoted = false;
  }

  private endRow(): void {
    const blank = this.row.length === 0 && this.field === '' && !this.quoted;
    this.endField();
    const row = this.row;
    this.row = [];
    if (!blank) this.onRow(row);
  }

  /** Counts line ends inside quoted text (CRLF once), for the line numbers in messages. */
  private countLines(text: string): void {
    if (text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
      if (text !== '') this.afterCr = false;
      return;
    }
    for (let k = 0; k < text.length; k++) {
      const c = text.charCodeAt(k);
      if (c === CR) this.line += 1;
      else if (c === LF && !this.afterCr) this.line += 1;
      this.afterCr = c === CR;
    }
  }

  push(chunk: string): void {
    const n = chunk.length;
    if (n === 0) return;
    let i = 0;
    if (!this.started) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    while (i < n) {
      const c = chunk.charCodeAt(i);
      switch (this.at) {
        case At.Quoted: {
          const close = chunk.indexOf('"', i);
          const stop = close < 0 ? n : close;
          const text = chunk.slice(i, stop);
          this.countLines(text);
          this.field += text;
          if (close >= 0) {
            this.at = At.QuoteInQuoted;
            this.afterCr = false;
          }
          i = close < 0 ? n : close + 1;
          continue;
        }
        case At.QuoteInQuoted:
          if (c === QUOTE) {
            this.field += '"';
            this.at = At.Quoted;
            i += 1;
            continue;
          }
          this.at = At.AfterClose;
          continue;
        case At.AfterClose:
          if (c !== COMMA && c !== CR && c !== LF) {
            throw new ImportError(this.file, `line ${this.line}`, 'text follows a closing quote; inside a quoted field write a quote as two quotes ("").');
          }
          break;
        case At.FieldStart:
          if (c === QUOTE) {
            this.at = At.Quoted;
            this.quoted = true;
            this.quoteLine = this.line;
            this.afterCr = false;
            i += 1;
            continue;
          }
          break;
        case At.Unquoted:
          break;
      }
      // Outside quotes: a separator, a line end, or a run of plain text up to the next one.
      if (c === COMMA) {
        this.afterCr = false;
        this.endField();
        i += 1;
      } else if (c === CR || c === LF) {
        if (!(c === LF && this.afterCr)) {
          this.endRow();
          this.line += 1;
        }
        this.afterCr = c === CR;
        i += 1;
      } else {
        this.afterCr = false;
        let j = i + 1;
        while (j < n) {
          const d = chunk.charCodeAt(j);
          if (d === COMMA || d === CR || d === LF) break;
          j += 1;
        }
        this.field += chunk.slice(i, j);
        this.at = At.Unquoted;
        i = j;
      }
    }
  }

  /** Ends the input: emits a last row without a line break, or throws for a quote never closed. */
  end(): void {
    if (this.at === At.Quoted) {
      throw new ImportError(this.file, `line ${this.quoteLine}`, 'a quoted field is never closed; add the closing quote (").');
    }
    if (this.field !== '' || this.quoted || this.row.length > 0) this.endRow();
  }
}

/** Parses CSV text into rows of fields. Fully blank lines are skipped. */
export function parseCsv(text: string, file = 'CSV file'): string[][] {
  const rows: string[][] = [];
  const reader = new CsvReader(file, (cells) => rows.push(cells));
  reader.push(text);
  reader.end();
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
 * A {@link CsvReader} that takes the first row as the header and checks every data row has as many
 * fields as the header, so a later column lookup can never silently read the wrong cell. Rows are
 * numbered from 1 for the header, skipping blank lines.
 */
export class CsvTableReader {
  header: string[] | null = null;
  private readonly reader: CsvReader;
  private next = 2;

  constructor(
    private readonly file: string,
    onRow: (row: { row: number; cells: string[] }, header: string[]) => void,
    onHeader: (header: string[]) => void = () => {},
  ) {
    this.reader = new CsvReader(file, (cells) => {
      if (!this.header) {
        this.header = cells.map((name) => name.trim());
        onHeader(this.header);
        return;
      }
      const row = this.next++;
      if (cells.length !== this.header.length) {
        throw new ImportError(
          this.file,
          `row ${row}`,
          `has ${cells.length} fields but the header has ${this.header.length}; quote fields that contain commas.`,
        );
      }
      onRow({ row, cells }, this.header);
    });
  }

  push(chunk: string): void {
    this.reader.push(chunk);
  }

  /** Ends the input; throws when there was not even a header row. Returns the header. */
  end(): string[] {
    this.reader.end();
    if (!this.header) throw new ImportError(this.file, '', 'the file is empty; expected a header row and data rows.');
    return this.header;
  }
}

/** Parses CSV with a header row (see {@link CsvTableReader}). */
export function parseCsvTable(text: string, file = 'CSV file'): CsvTable {
  const rows: CsvTable['rows'] = [];
  const reader = new CsvTableReader(file, (row) => rows.push(row));
  reader.push(text);
  return { header: reader.end(), rows };
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
