import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AnswerSheet } from '../../src/core/benchmark/answers.ts';
import { parseAnswers, toOption } from '../../src/core/benchmark/answers.ts';
import type { MediConfusionDataset } from '../../src/core/benchmark/dataset.ts';
import { RANDOM_GUESS, scoreAnswers } from '../../src/core/benchmark/score.ts';
import { pairEntry, sampleDataset } from './benchmark-support.ts';

function sheet(entries: Record<string, [unknown, unknown]>): AnswerSheet {
  return new Map(
    Object.entries(entries).map(([id, [im1, im2]]) => [id, { im1: toOption(im1), im2: toOption(im2), raw: { im1, im2 } }]),
  );
}

describe('scoreAnswers', () => {
  const dataset = sampleDataset();

  it('all correct: accuracy 1, confusion 0', () => {
    const answers = sheet(Object.fromEntries(Object.entries(dataset).map(([id, p]) => [id, [p.im_1_correct, p.im_2_correct]])));
    const report = scoreAnswers(dataset, answers);
    expect(report).toMatchObject({ individual_accuracy: 1, set_accuracy: 1, confusion: 0, invalid_rate: 0 });
  });

  it('the same answer for both images: confusion 1, set accuracy 0', () => {
    const answers = sheet(Object.fromEntries(Object.keys(dataset).map((id) => [id, ['A', 'A']])));
    const report = scoreAnswers(dataset, answers);
    expect(report).toMatchObject({ individual_accuracy: 0.5, set_accuracy: 0, confusion: 1, invalid_rate: 0 });
    for (const category of Object.values(report.per_category)) expect(category.confusion).toBe(1);
  });

  it('mixed answers, invalid and missing ones, per category (hand-computed)', () => {
    const answers = parseAnswers(
      JSON.stringify({
        '10001': { im1: 'A', im2: 'B' },
        '10002': { im1: 'B', im2: 'B' },
        '10003': { im1: 'A', im2: 'x' },
        '99999': { im1: 'A', im2: 'B' },
      }),
    );
    const report = scoreAnswers(dataset, answers);
    expect(report.individual_accuracy).toBe(4 / 8);
    expect(report.set_accuracy).toBe(1 / 4);
    expect(report.confusion).toBe(1 / 2);
    expect(report.invalid_rate).toBe(3 / 8);
    expect(report.counts).toEqual({
      pairs: 4,
      answers: 8,
      correct_answers: 4,
      invalid_answers: 3,
      both_correct_pairs: 1,
      both_valid_pairs: 2,
      confused_pairs: 1,
      missing_pairs: 1,
    });
    expect(report.unknown_answer_ids).toEqual(['99999']);
    expect(Object.keys(report.per_category)).toEqual(['Cerebral', 'Vascular', 'Head and Neck', 'Spinal', 'Cardiac']);
    expect(report.per_category).toEqual({
      Cerebral: { individual_accuracy: 1 / 3, set_accuracy: 1 / 3, confusion: 0, invalid_rate: 2 / 3, images: 3, pairs: 2 },
      'Head and Neck': { individual_accuracy: 1, set_accuracy: 1, confusion: 0, invalid_rate: 0, images: 2, pairs: 1 },
      Spinal: { individual_accuracy: 0.5, set_accuracy: 0, confusion: 1, invalid_rate: 0, images: 2, pairs: 1 },
      Cardiac: { individual_accuracy: 1, set_accuracy: 0, confusion: 0, invalid_rate: 0, images: 1, pairs: 1 },
      Vascular: { individual_accuracy: 0, set_accuracy: 0, confusion: 0, invalid_rate: 1, images: 2, pairs: 2 },
    });
  });

  it('no answers at all: everything invalid, confusion 0 as MediConfusion prints it', () => {
    const report = scoreAnswers(dataset, new Map());
    expect(report).toMatchObject({ individual_accuracy: 0, set_accuracy: 0, confusion: 0, invalid_rate: 1 });
    expect(report.counts.missing_pairs).toBe(4);
  });

  it('carries the random-guess reference row', () => {
    expect(scoreAnswers(dataset, new Map()).random_guess).toEqual({
      individual_accuracy: 0.5,
      set_accuracy: 0.25,
      confusion: 0.5,
      invalid_rate: 0,
    });
    expect(RANDOM_GUESS.set_accuracy).toBe(0.25);
  });

  it('random guessing approaches the reference row on a large benchmark', () => {
    const big: MediConfusionDataset = {};
    for (let i = 0; i < 4000; i += 1) {
      big[String(10001 + i)] = pairEntry({ im_1_local: 2 * i, im_2_local: 2 * i + 1, im_1: `${2 * i}`, im_2: `${2 * i + 1}` });
    }
    let seed = 7;
    const coin = (): 'A' | 'B' => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0x10000 ? 'A' : 'B');
    const report = scoreAnswers(big, sheet(Object.fromEntries(Object.keys(big).map((id) => [id, [coin(), coin()]]))));
    expect(report.set_accuracy).toBeCloseTo(0.25, 1);
    expect(report.confusion).toBeCloseTo(0.5, 1);
    expect(report.individual_accuracy).toBeCloseTo(0.5, 1);
  });
});

/**
 * An independent re-statement of MediConfusion's create_score_table / print_score: per pair it adds
 * to per-category counters over the list category_1 + category_2 (with repeats), and divides by the
 * number of images carrying each category.
 */
function referenceScore(dataset: MediConfusionDataset, answers: AnswerSheet) {
  const add = (table: Map<string, number>, key: string, by = 1) => table.set(key, (table.get(key) ?? 0) + by);
  const set = new Map<string, number>();
  const individual = new Map<string, number>();
  const confused = new Map<string, number>();
  const invalid = new Map<string, number>();
  const valids = new Map<string, number>();
  const stats = new Map<string, number>();
  for (const [id, pair] of Object.entries(dataset)) {
    const c1 = answers.get(id)?.im1 ?? '-';
    const c2 = answers.get(id)?.im2 ?? '-';
    const ok1 = c1 === pair.im_1_correct;
    const ok2 = c2 === pair.im_2_correct;
    const both = [...pair.category_1, ...pair.category_2];
    for (const c of both) add(stats, c);
    add(stats, 'total', 2);
    if (c1 === c2 && c1 !== '-') for (const c of [...both, 'total']) add(confused, c);
    if (ok1) for (const c of [...pair.category_1, 'total']) add(individual, c);
    if (ok2) for (const c of [...pair.category_2, 'total']) add(individual, c);
    if (c1 === '-') for (const c of [...pair.category_1, 'total']) add(invalid, c);
    if (c2 === '-') for (const c of [...pair.category_2, 'total']) add(invalid, c);
    if (c1 !== '-' && c2 !== '-') for (const c of [...both, 'total']) add(valids, c);
    if (ok1 && ok2) for (const c of [...both, 'total']) add(set, c);
  }
  const row = (c: string, setDenominator: number) => ({
    individual_accuracy: (individual.get(c) ?? 0) / (stats.get(c) ?? 1),
    set_accuracy: (set.get(c) ?? 0) / setDenominator,
    confusion: (valids.get(c) ?? 0) > 0 ? (confused.get(c) ?? 0) / (valids.get(c) ?? 1) : 0,
    invalid_rate: (invalid.get(c) ?? 0) / (stats.get(c) ?? 1),
  });
  const categories = [...stats.keys()].filter((c) => c !== 'total');
  return {
    total: row('total', Object.keys(dataset).length),
    perCategory: Object.fromEntries(categories.map((c) => [c, row(c, stats.get(c) ?? 1)])),
  };
}

describe('scoreAnswers agrees with MediConfusion’s evaluation arithmetic', () => {
  it('on random benchmarks and answers', () => {
    const categories = fc.uniqueArray(fc.constantFrom('Cerebral', 'Vascular', 'Spinal', 'Cardiac'), { maxLength: 3 });
    const answer = fc.constantFrom<unknown>('A', 'B', 'C', '', null, undefined);
    const pair = fc.record({
      first: fc.constantFrom<'A' | 'B'>('A', 'B'),
      category_1: categories,
      category_2: categories,
      im1: answer,
      im2: answer,
      answered: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(pair, { minLength: 1, maxLength: 12 }), (pairs) => {
        const dataset: MediConfusionDataset = {};
        const answers: Record<string, [unknown, unknown]> = {};
        pairs.forEach((p, i) => {
          const id = String(10001 + i);
          dataset[id] = pairEntry({
            im_1: `a${i}`,
            im_2: `b${i}`,
            im_1_local: 2 * i,
            im_2_local: 2 * i + 1,
            category_1: p.category_1,
            category_2: p.category_2,
            im_1_correct: p.first,
            im_2_correct: p.first === 'A' ? 'B' : 'A',
          });
          if (p.answered) answers[id] = [p.im1, p.im2];
        });
        const ours = scoreAnswers(dataset, sheet(answers));
        const reference = referenceScore(dataset, sheet(answers));
        for (const key of ['individual_accuracy', 'set_accuracy', 'confusion', 'invalid_rate'] as const) {
          expect(ours[key]).toBeCloseTo(reference.total[key], 12);
          for (const [category, row] of Object.entries(reference.perCategory)) {
            expect(ours.per_category[category][key], `${category} ${key}`).toBeCloseTo(row[key], 12);
          }
        }
        for (const value of [ours.individual_accuracy, ours.set_accuracy, ours.confusion, ours.invalid_rate]) {
          expect(value).toBeGreaterThanOrEqual(0);
          expect(value).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 300 },
    );
  });
});
