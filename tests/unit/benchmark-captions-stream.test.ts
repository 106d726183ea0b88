import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CaptionsParser,
  parseCaptions,
  parseCaptionsIncremental,
  type CaptionsProgress,
} from '../../src/core/benchmark/captions.ts';
import { CsvReader, parseCsv } from '../../src/core/benchmark/csv.ts';
import { ImportError } from '../../src/core/benchmark/errors.ts';

/** Cuts `text` at the given fractions (any order, duplicates allowed) into chunks. */
function cut(text: string, points: number[]): string[] {
  const at = [...new Set(points.map((p) => Math.floor(p * text.length)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let last = 0;
  for (const p of at) {
    chunks.push(text.slice(last, p));
    last = p;
  }
  chunks.push(text.slice(last));
  return chunks;
}

/** What parsing gives: the rows, or the error message. */
function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (error) {
    if (error instanceof ImportError) return `error: ${error.message}`;
    throw error;
  }
}

describe('CsvReader in chunks', () => {
  it('gives the same rows and the same errors wherever the chunks are cut', () => {
    const unit = fc.constantFrom('a', ',', '"', '\n', '\r', ' ', '\uFEFF', 'é', '""');
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }), (text, points) => {
        const whole = outcome(() => parseCsv(text, 'c.csv'));
        const chunked = outcome(() => {
          const rows: string[][] = [];
          const reader = new CsvReader('c.csv', (cells) => rows.push(cells));
          for (const chunk of cut(text, points)) reader.push(chunk);
          reader.end();
          return rows;
        });
        expect(chunked).toEqual(whole);
      }),
      { numRuns: 500 },
    );
  });

  it('a chunk may end between CR and LF or between two quotes', () => {
    const rows: string[][] = [];
    const reader = new CsvReader('c.csv', (cells) => rows.push(cells));
    for (const chunk of ['a,"x"', '"y"\r', '\nb,', '2\r', '\n']) reader.push(chunk);
    reader.end();
    expect(rows).toEqual([['a', 'x"y'], ['b', '2']]);
  });
});

describe('CaptionsParser', () => {
  const csv = 'name,caption,categories\r\na.jpg,"Axial CT, chest",Pulmonary\r\nb.jpg,MRI,"[\'Cerebral\']"\r\n';

  it('gives the same captions from chunks as from the whole text', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 }), (points) => {
        const parser = new CaptionsParser('c.csv');
        for (const chunk of cut(csv, points)) parser.push(chunk);
        expect(parser.finish().entries).toEqual(parseCaptions(csv, 'c.csv').entries);
      }),
      { numRuns: 200 },
    );
  });

  it('reports progress as chunks arrive and ends with done', async () => {
    const seen: CaptionsProgress[] = [];
    const index = await parseCaptionsIncremental(csv, 'c.csv', { chunkChars: 20, onProgress: (p) => seen.push(p) });
    expect(index.entries.map((e) => e.name)).toEqual(['a.jpg', 'b.jpg']);
    expect(seen.length).toBe(Math.ceil(csv.length / 20) + 1);
    expect(seen.every((p) => p.totalChars === csv.length)).toBe(true);
    const reads = seen.map((p) => p.charsRead);
    expect(reads).toEqual([...reads].sort((a, b) => a - b));
    expect(seen.at(-1)).toEqual({ phase: 'done', charsRead: csv.length, totalChars: csv.length, entries: 2 });
  });

  it('decides the format of an unnamed file from its first non-blank character, across chunks', async () => {
    const index = await parseCaptionsIncremental(['\uFEFF  ', '\n', '{"a.jpg": ', '"one"}'], 'captions');
    expect(index.entries).toEqual([{ name: 'a.jpg', caption: 'one', categories: [] }]);
  });

  it('checks JSON item by item with progress and keeps the single-parse messages', async () => {
    const seen: CaptionsProgress[] = [];
    const json = JSON.stringify(Object.fromEntries(Array.from({ length: 120_000 }, (_, i) => [`img${i}.jpg`, `caption ${i}`])));
    const index = await parseCaptionsIncremental(json, 'c.json', { chunkChars: 1 << 20, onProgress: (p) => seen.push(p) });
    expect(index.entries).toHaveLength(120_000);
    expect(seen.filter((p) => p.phase === 'checking').map((p) => p.entries)).toEqual([50_000, 100_000, 120_000]);
    await expect(parseCaptionsIncremental('[{"name": "a", "caption": "x"}, {"caption": "y"}]', 'c.json')).rejects.toMatchObject({ field: '1.name' });
  });

  it('names the row of an error found deep in a chunked file', async () => {
    async function* rows(): AsyncGenerator<string> {
      yield 'name,caption\n';
      for (let i = 0; i < 1000; i++) yield `img${i}.jpg,caption ${i}\n`;
      yield 'img10.jpg,again\n';
    }
    await expect(parseCaptionsIncremental(rows(), 'big.csv')).rejects.toThrow(
      'big.csv: row 1002: the name "img10.jpg" already appears at row 12; keep one caption per image.',
    );
  });

  it('parses a million-row captions CSV fed in chunks and counts every row', async () => {
    const count = 1_000_000;
    async function* chunks(): AsyncGenerator<string> {
      yield 'name,caption,categories\n';
      const block: string[] = [];
      for (let i = 0; i < count; i++) {
        block.push(`cases/${i % 97}/img_${i}.jpg,"Axial CT ${i}, contrast",Pulmonary; Cardiac\n`);
        if (block.length === 20_000) yield block.splice(0).join('');
      }
      if (block.length > 0) yield block.join('');
    }
    let last: CaptionsProgress | null = null;
    const index = await parseCaptionsIncremental(chunks(), 'million.csv', { onProgress: (p) => (last = p) });
    expect(index.entries).toHaveLength(count);
    expect(last).toMatchObject({ phase: 'done', entries: count });
    expect(index.lookup('img_999999.jpg')?.caption).toBe('Axial CT 999999, contrast');
    expect(index.lookup('cases/5/img_5.jpg')?.categories).toEqual(['Pulmonary', 'Cardiac']);
  }, 120_000);
});
