/**
 * Scoring a model's answers against a MediConfusion-format benchmark, with the definitions of
 * MediConfusion's evaluation code (utils/answering.py):
 * - individual accuracy: correct answers / all answers (two per pair);
 * - set accuracy: pairs with both answers correct / pairs;
 * - confusion: pairs whose two valid answers are the same / pairs with both answers valid
 *   (0 when no pair has two valid answers, as MediConfusion prints it);
 * - invalid rate: invalid answers / all answers. An answer is valid only if it is "A" or "B";
 *   a pair without answers counts as two invalid answers.
 * Per category, as MediConfusion groups them: every image carrying the category counts once, so
 * a pair-level outcome (set, confusion) weighs 2 when both images carry the category and 1 when
 * one does; individual and invalid rates count the images carrying the category.
 */
import type { AnswerSheet } from './answers.ts';
import { MEDICONFUSION_CATEGORIES, type MediConfusionDataset, type Option } from './dataset.ts';

/** The four rates of one row of the score table, as fractions in [0, 1]. */
export interface ScoreRow {
  individual_accuracy: number;
  set_accuracy: number;
  confusion: number;
  invalid_rate: number;
}

/** A category's rates plus how many images and pairs carry the category. */
export interface CategoryScore extends ScoreRow {
  images: number;
  pairs: number;
}

export interface ScoreCounts {
  pairs: number;
  answers: number;
  correct_answers: number;
  invalid_answers: number;
  both_correct_pairs: number;
  both_valid_pairs: number;
  confused_pairs: number;
  /** Benchmark pairs with no entry at all in the answers. */
  missing_pairs: number;
}

export interface ScoreReport extends ScoreRow {
  per_category: Record<string, CategoryScore>;
  /** A model answering "A" or "B" uniformly at random, always validly. */
  random_guess: ScoreRow;
  counts: ScoreCounts;
  /** Answer ids that are not pairs of the benchmark (ignored). */
  unknown_answer_ids: string[];
}

/** What happened on one pair. */
export interface PairOutcome {
  id: string;
  answers: [Option | null, Option | null];
  correct: [boolean, boolean];
  invalid: [boolean, boolean];
  bothValid: boolean;
  confused: boolean;
  setCorrect: boolean;
  missing: boolean;
}

/** The expected rates of uniform random guessing between two options. */
export const RANDOM_GUESS: ScoreRow = Object.freeze({
  individual_accuracy: 0.5,
  set_accuracy: 0.25,
  confusion: 0.5,
  invalid_rate: 0,
});

const ratio = (numerator: number, denominator: number): number => (denominator > 0 ? numerator / denominator : 0);

/** Per-pair outcomes, in benchmark order. */
export function scorePairs(dataset: MediConfusionDataset, answers: AnswerSheet): PairOutcome[] {
  return Object.entries(dataset).map(([id, pair]) => {
    const entry = answers.get(id);
    const given: [Option | null, Option | null] = [entry?.im1 ?? null, entry?.im2 ?? null];
    const correct: [boolean, boolean] = [given[0] === pair.im_1_correct, given[1] === pair.im_2_correct];
    const invalid: [boolean, boolean] = [given[0] === null, given[1] === null];
    const bothValid = !invalid[0] && !invalid[1];
    return {
      id,
      answers: given,
      correct,
      invalid,
      bothValid,
      confused: bothValid && given[0] === given[1],
      setCorrect: correct[0] && correct[1],
      missing: entry === undefined,
    };
  });
}

function orderCategories(found: Set<string>): string[] {
  const known: string[] = MEDICONFUSION_CATEGORIES.filter((c) => found.has(c));
  const others = [...found].filter((c) => !known.includes(c));
  return [...known, ...others];
}

/** Scores answers against a benchmark. */
export function scoreAnswers(dataset: MediConfusionDataset, answers: AnswerSheet): ScoreReport {
  const outcomes = scorePairs(dataset, answers);
  const pairs = outcomes.length;
  const counts: ScoreCounts = {
    pairs,
    answers: 2 * pairs,
    correct_answers: 0,
    invalid_answers: 0,
    both_correct_pairs: 0,
    both_valid_pairs: 0,
    confused_pairs: 0,
    missing_pairs: 0,
  };
  interface Tally {
    images: number;
    pairs: number;
    correct: number;
    invalid: number;
    setCorrect: number;
    bothValid: number;
    confused: number;
  }
  const tallies = new Map<string, Tally>();
  const pairsById = Object.values(dataset);
  outcomes.forEach((outcome, index) => {
    counts.correct_answers += Number(outcome.correct[0]) + Number(outcome.correct[1]);
    counts.invalid_answers += Number(outcome.invalid[0]) + Number(outcome.invalid[1]);
    counts.both_correct_pairs += Number(outcome.setCorrect);
    counts.both_valid_pairs += Number(outcome.bothValid);
    counts.confused_pairs += Number(outcome.confused);
    counts.missing_pairs += Number(outcome.missing);

    const pair = pairsById[index];
    const first = new Set(pair.category_1);
    const second = new Set(pair.category_2);
    for (const category of new Set([...first, ...second])) {
      const w1 = Number(first.has(category));
      const w2 = Number(second.has(category));
      const weight = w1 + w2;
      const tally = tallies.get(category) ?? {
        images: 0,
        pairs: 0,
        correct: 0,
        invalid: 0,
        setCorrect: 0,
        bothValid: 0,
        confused: 0,
      };
      tally.images += weight;
      tally.pairs += 1;
      tally.correct += w1 * Number(outcome.correct[0]) + w2 * Number(outcome.correct[1]);
      tally.invalid += w1 * Number(outcome.invalid[0]) + w2 * Number(outcome.invalid[1]);
      tally.setCorrect += weight * Number(outcome.setCorrect);
      tally.bothValid += weight * Number(outcome.bothValid);
      tally.confused += weight * Number(outcome.confused);
      tallies.set(category, tally);
    }
  });

  const per_category: Record<string, CategoryScore> = {};
  for (const category of orderCategories(new Set(tallies.keys()))) {
    const t = tallies.get(category);
    if (!t) continue;
    per_category[category] = {
      individual_accuracy: ratio(t.correct, t.images),
      set_accuracy: ratio(t.setCorrect, t.images),
      confusion: ratio(t.confused, t.bothValid),
      invalid_rate: ratio(t.invalid, t.images),
      images: t.images,
      pairs: t.pairs,
    };
  }

  return {
    individual_accuracy: ratio(counts.correct_answers, counts.answers),
    set_accuracy: ratio(counts.both_correct_pairs, pairs),
    confusion: ratio(counts.confused_pairs, counts.both_valid_pairs),
    invalid_rate: ratio(counts.invalid_answers, counts.answers),
    per_category,
    random_guess: { ...RANDOM_GUESS },
    counts,
    unknown_answer_ids: [...answers.keys()].filter((id) => !Object.hasOwn(dataset, id)),
  };
}
