import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/core/benchmark/answers.ts';
import { parseCaptions } from '../../src/core/benchmark/captions.ts';
import { parseDatasetJson } from '../../src/core/benchmark/dataset.ts';
import { ImportError } from '../../src/core/benchmark/errors.ts';
import { findDuplicateKey } from '../../src/core/formats/json-duplicates.ts';
import { pairEntry } from './benchmark-support.ts';

function errorOf(run: () => unknown): ImportError {
  try {
    run();
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error('expected an ImportError');
}

describe('findDuplicateKey', () => {
  it('finds a key written twice at the root and says which', () => {
    expect(findDuplicateKey('{"a": 1, "b": 2, "a": 3}')).toEqual({ path: [], key: 'a' });
  });

  it('names the path of a nested object, through arrays', () => {
    expect(findDuplicateKey('{"x": [{"k": 1}, {"k": 1, "k": 2}]}')).toEqual({ path: ['x', 1], key: 'k' });
  });

  it('compares decoded keys, so an escaped spelling is the same key', () => {
    expect(findDuplicateKey('{"a": 1, "\\u0061": 2}')).toEqual({ path: [], key: 'a' });
  });

  it('is not fooled by keys inside strings, escaped quotes or sibling objects', () => {
    expect(findDuplicateKey('{"a": "{\\"a\\": 1, \\"a\\": 2}", "b": {"a": 1}, "c": {"a": 2}}')).toBeNull();
    expect(findDuplicateKey('{"a\\\\": 1, "a": 2}')).toBeNull();
    expect(findDuplicateKey('[{"a": 1}, {"a": 1}]')).toBeNull();
  });

  it('agrees with JSON.parse on any object: a duplicate exactly when keys were lost', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'é', '"', '\\');
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.integer()), { maxLength: 6 }), (entries) => {
        const text = `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}`;
        const distinct = Object.keys(JSON.parse(text) as object).length;
        expect(findDuplicateKey(text) !== null).toBe(distinct < entries.length);
      }),
      { numRuns: 300 },
    );
  });

  it('scans deeply nested text without overflowing the stack', () => {
    expect(findDuplicateKey(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBeNull();
  });
});

describe('imports refuse duplicate keys instead of keeping the last one', () => {
  const pair = JSON.stringify(pairEntry());
  const other = JSON.stringify(pairEntry({ question: 'Another question?' }));

  it('dataset.json: a pair id written twice is refused naming the id', () => {
    const text = `{"10001": ${pair}, "10002": ${other}, "10002": ${pair}}`;
    expect(errorOf(() => parseDatasetJson(text, 'dataset.json')).message).toBe(
      'dataset.json: the pair id "10002" appears twice; JSON readers keep only the last one without a word, so give each its own pair id or delete the copy, then import again.',
    );
  });

  it('dataset.json: a field written twice inside a pair names the pair and field', () => {
    const text = `{"10001": ${pair.slice(0, -1)}, "question": "Twice?"}}`;
    const error = errorOf(() => parseDatasetJson(text, 'dataset.json'));
    expect(error.field).toBe('10001');
    expect(error.message).toMatch(/^dataset\.json: 10001: the field "question" appears twice;/);
  });

  it('answers and captions files are checked the same way', () => {
    expect(errorOf(() => parseAnswers('{"10001": {"im1": "A", "im2": "B"}, "10001": {"im1": "B", "im2": "A"}}', 'a.json')).message).toMatch(
      /^a\.json: the pair id "10001" appears twice/,
    );
    expect(errorOf(() => parseCaptions('{"a.jpg": "one", "a.jpg": "two"}', 'c.json')).message).toMatch(
      /^c\.json: the file name "a\.jpg" appears twice/,
    );
  });

  it('a file without duplicates still imports', () => {
    expect(Object.keys(parseDatasetJson(`{"10001": ${pair}, "10002": ${other}}`))).toEqual(['10001', '10002']);
  });
});
