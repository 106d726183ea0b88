import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isFormulaLike, parseCsv, parseCsvTable, spreadsheetSafeText, toCsv } from '../../src/core/benchmark/csv.ts';
import { ImportError } from '../../src/core/benchmark/errors.ts';

describe('parseCsv (RFC 4180)', () => {
  it('reads plain rows with LF, CRLF and CR line ends', () => {
    expect(parseCsv('a,b\n1,2\n')).toEqual([['a', 'b'], ['1', '2']]);
    expect(parseCsv('a,b\r\n1,2\r\n')).toEqual([['a', 'b'], ['1', '2']]);
    expect(parseCsv('a,b\r1,2')).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('handles quotes, doubled quotes, commas and line breaks inside quotes', () => {
    const text = 'name,caption\r\n"a.jpg","He said ""hi"", then left"\r\nb.jpg,"line one\r\nline two, still"\n';
    expect(parseCsv(text)).toEqual([
      ['name', 'caption'],
      ['a.jpg', 'He said "hi", then left'],
      ['b.jpg', 'line one\r\nline two, still'],
    ]);
  });

  it('recognises a quoted field after a comma and keeps empty fields', () => {
    expect(parseCsv('x,"y",,""\n')).toEqual([['x', 'y', '', '']]);
    expect(parseCsv('""\n')).toEqual([['']]);
  });

  it('strips a byte-order mark and skips blank lines', () => {
    expect(parseCsv('\uFEFFname,caption\n\n a.jpg ,cap\n\r\n')).toEqual([['name', 'caption'], [' a.jpg ', 'cap']]);
  });

  it('keeps a bare quote inside an unquoted field as text', () => {
    expect(parseCsv('a 5" lesion,b\n')).toEqual([['a 5" lesion', 'b']]);
  });

  it('names the line of an unclosed quote and of text after a closing quote', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3\n', 'c.csv')).toThrow(/c\.csv: line 2: a quoted field is never closed/);
    expect(() => parseCsv('a,b\n"x"y,2\n', 'c.csv')).toThrow(/c\.csv: line 2: text follows a closing quote/);
  });

  it('a table rejects a row with the wrong number of fields, naming the row', () => {
    expect(() => parseCsvTable('name,caption\na.jpg,x\nb.jpg,y,z\n', 'c.csv')).toThrow(
      /c\.csv: row 3: has 3 fields but the header has 2/,
    );
  });

  it('toCsv -> parseCsv gives back every cell, formula-like ones behind a single quote', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', ' ', ',', '"', '\n', '\r', 'é', '\uFEFF', 'x', '=', '-', '@', '\t', '1') });
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { maxLength: 6 }), (rows) => {
        // A leading BOM is a file-level marker, not data; toCsv never writes one at the start.
        fc.pre(!(rows[0]?.[0] ?? '').startsWith('\uFEFF'));
        const back = parseCsv(toCsv(rows));
        expect(back).toEqual(rows.map((row) => row.map(spreadsheetSafeText)));
        // No cell that reads back can start a formula in a spreadsheet.
        for (const value of back.flat()) expect(isFormulaLike(value)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('fuzz: never throws anything but an ImportError with a message', () => {
    const unit = fc.constantFrom('a', ',', '"', '\n', '\r', ' ', '\uFEFF', 'é');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 200 }), (text) => {
        try {
          const rows = parseCsv(text);
          expect(Array.isArray(rows)).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(ImportError);
          expect((error as ImportError).message.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('does not hang on a large file', () => {
    const row = '"a, quoted ""cell""",plain,123\r\n';
    const started = performance.now();
    const rows = parseCsv(row.repeat(50_000));
    expect(rows.length).toBe(50_000);
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});
