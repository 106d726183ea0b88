import { describe, expect, it } from 'vitest';
import { toReviewedPair, type StoredDecision } from '../../src/core/review/reviewed.ts';
import { buildDataset } from '../../src/core/benchmark/export.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

const decision: StoredDecision = {
  hashA: A,
  hashB: B,
  triage: 'accept',
  question: 'Is there a lesion?',
  optionA: 'Yes',
  optionB: 'No',
  im1Correct: 'B',
  im2Correct: 'A',
  aiQuestion: 'Lesion?',
  aiOptionA: '',
  aiOptionB: '',
};

describe('toReviewedPair', () => {
  it('orders the images as the decision does, so the answers stay with their image', () => {
    const pair = toReviewedPair(decision, [{ sha256: B, caption: 'normal' }, { sha256: A, caption: 'lesion' }], { clip: 0.95, dino: 0.6 });
    expect(pair.image1).toEqual({ sha256: A, caption: 'lesion' });
    expect(pair).toMatchObject({ image1Correct: 'B', image2Correct: 'A', decision: 'accept', clipSimilarity: 0.95, aiQuestion: 'Lesion?' });
    const { dataset } = buildDataset([pair]);
    expect(dataset['10001']).toMatchObject({ cap_1: 'lesion', im_1_correct: 'B' });
  });

  it('maps unchosen answers to null and refuses images of another pair', () => {
    expect(toReviewedPair({ ...decision, im1Correct: '', triage: undefined }, [{ sha256: A }, { sha256: B }], { clip: 1, dino: 0 })).toMatchObject({
      image1Correct: null,
      decision: undefined,
    });
    expect(() => toReviewedPair(decision, [{ sha256: A }, { sha256: 'c'.repeat(64) }], { clip: 1, dino: 0 })).toThrow(/do not belong/);
  });
});
