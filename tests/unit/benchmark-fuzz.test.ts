/** Hostile input for the import parsers: anything may be thrown at them, only ImportError comes out. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/core/benchmark/answers.ts';
import { parseCaptions } from '../../src/core/benchmark/captions.ts';
import { parseDatasetJson } from '../../src/core/benchmark/dataset.ts';
import { ImportError } from '../../src/core/benchmark/errors.ts';
import { parseSessionJson } from '../../src/core/benchmark/session-file.ts';
import { readBenchmarkZip } from '../../src/core/benchmark/zip.ts';
import { pairEntry, sampleDataset } from './benchmark-support.ts';

const parsers: [string, (text: string) => unknown][] = [
  ['dataset.json', (t) => parseDatasetJson(t)],
  ['answers.json', (t) => parseAnswers(t, 'answers.json')],
  ['answers.csv', (t) => parseAnswers(t, 'answers.csv')],
  ['captions.json', (t) => parseCaptions(t, 'captions.json')],
  ['captions.csv', (t) => parseCaptions(t, 'captions.csv')],
  ['session.json', (t) => parseSessionJson(t)],
];

function onlyImportErrors(parse: (text: string) => unknown, text: string): void {
  const started = performance.now();
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).message).toMatch(/\S+: .{10,}/);
  }
  expect(performance.now() - started).toBeLessThan(5_000);
}

/** JSON values biased toward the shapes the parsers expect, with wrong leaves. */
const nearMiss = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom<unknown>('A', 'B', '', ' ', null, 0, -1, 1.5, 20000, '20000', true, '__proto__', 'constructor'),
    fc.string(),
    fc.double(),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(
      fc.oneof(fc.constantFrom('10001', 'im1', 'im2', 'name', 'caption', 'categories', '__proto__', 'question'), fc.string()),
      tie('value'),
      { maxKeys: 4 },
    ),
  ),
})).value;

describe('import parsers under fuzzing', () => {
  it.each(parsers)('%s: random text never throws anything but an ImportError', (_, parse) => {
    const unit = fc.constantFrom('{', '}', '[', ']', '"', ',', ':', 'A', 'B', '1', '\n', '\r', ' ', 'x', '\\', '\uFEFF');
    fc.assert(fc.property(fc.string({ unit, maxLength: 120 }), (text) => onlyImportErrors(parse, text)), { numRuns: 300 });
  });

  it.each(parsers)('%s: random JSON never throws anything but an ImportError', (_, parse) => {
    fc.assert(fc.property(nearMiss, (value) => onlyImportErrors(parse, JSON.stringify(value) ?? '')), { numRuns: 300 });
  });

  it('dataset.json: one mutated field of a valid file gives an error naming that pair (or the clash it causes)', () => {
    const fields = Object.keys(pairEntry());
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.constantFrom('10002', '10003'), nearMiss, (field, id, replacement) => {
        const data: Record<string, Record<string, unknown>> = sampleDataset();
        data[id] = { ...data[id], [field]: replacement };
        try {
          parseDatasetJson(JSON.stringify(data));
        } catch (error) {
          expect(error).toBeInstanceOf(ImportError);
          const { field: named, message } = error as ImportError;
          // A changed image path may instead clash with another pair sharing that local id.
          expect(named.startsWith(`${id}.`) || /used for two different images/.test(message), message).toBe(true);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('benchmark zip: random bytes never throw anything but an ImportError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const zipLike = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...bytes]);
        for (const input of [bytes, zipLike]) {
          try {
            readBenchmarkZip(input);
          } catch (error) {
            expect(error).toBeInstanceOf(ImportError);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('deeply nested JSON is refused with a message, not a crash', () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    for (const [, parse] of parsers) onlyImportErrors(parse, deep);
    const deepObject = `{"10001": ${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`;
    for (const [, parse] of parsers) onlyImportErrors(parse, deepObject);
  });
});
