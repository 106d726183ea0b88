/**
 * The one CSV writer: every CSV the app or the command line produces goes through {@link toCsv}
 * (or {@link csvCell} for a single cell), so every export is safe to open in a spreadsheet.
 *
 * Spreadsheet safety (OWASP "CSV Injection"): a cell that begins with `=`, `+`, `-`, `@`, a tab or a
 * carriage return is read by Excel, LibreOffice and Google Sheets as a formula, so a caption such as
 * `=HYPERLINK(...)` or `@SUM(A1)` from a dropped captions file would run when a reviewer opens
 * pairs.csv. Such a cell is written as a quoted field with a single quote in front
 * (`"'=1+1"`): the spreadsheet shows the text, and the rest of the text is kept unchanged.
 * Leading spaces are looked through, because some spreadsheets trim them before deciding.
 *
 * Numbers are the one exception, decided on purpose: a cell that matches the strict number
 * pattern below (`-0.12`, `0.5`, `-1e-7`, `20000`) is left as it is, so negative similarities stay
 * numbers a spreadsheet can sort and chart. Such a cell cannot hold a formula: it is only digits,
 * one optional leading minus, one decimal point and an exponent. Anything looser (`+1`, `-.5`,
 * `-1+2`, `-Infinity`) is neutralised like text.
 */

/** Plain decimal numbers as `String(number)` writes them; safe in every spreadsheet. */
const PLAIN_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
/** First characters that make a spreadsheet evaluate a cell (after optional spaces). */
const FORMULA_START = /^ *[=+\-@\t\r]/;

/** True when a spreadsheet would read this cell as a formula; plain numbers never are. */
export function isFormulaLike(value: string): boolean {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value);
}

/** The cell's text as it is stored in the CSV: a single quote in front of formula-like text. */
export function spreadsheetSafeText(value: string): string {
  return isFormulaLike(value) ? `'${value}` : value;
}

/**
 * One CSV field: neutralised when formula-like (always quoted then, as OWASP advises), quoted when
 * it holds a quote, comma, line break or surrounding spaces, bare otherwise.
 */
export function csvCell(value: string | number): string {
  const text = typeof value === 'number' ? String(value) : value;
  if (isFormulaLike(text)) return `"'${text.replaceAll('"', '""')}"`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Writes rows as spreadsheet-safe CSV with CRLF line ends (RFC 4180), quoting only where needed. */
export function toCsv(rows: readonly (readonly (string | number)[])[]): string {
  // A lone empty field is quoted, else the row would read back as a skipped blank line.
  const line = (row: readonly (string | number)[]): string =>
    row.length === 1 && row[0] === '' ? '""' : row.map(csvCell).join(',');
  return rows.map(line).join('\r\n') + (rows.length ? '\r\n' : '');
}
