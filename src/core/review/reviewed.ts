/**
 * Turns a stored review decision (the store's `DecisionRecord` fields) into the benchmark
 * exporter's `ReviewedPair`. The store keeps the correct options as "" until chosen and refers
 * them to the smaller and larger hash; the exporter wants `null` and images in that same order.
 */
import type { Option } from '../benchmark/dataset.ts';
import type { ExportImage, ReviewDecision, ReviewedPair } from '../benchmark/export.ts';
import type { QuestionFields } from './question.ts';

/** The decision fields this conversion reads (a subset of the store's `DecisionRecord`). */
export interface StoredDecision extends QuestionFields {
  hashA: string;
  hashB: string;
  triage?: ReviewDecision;
  aiQuestion: string;
  aiOptionA: string;
  aiOptionB: string;
}

const asOption = (value: string): Option | null => (value === 'A' || value === 'B' ? value : null);

/**
 * Builds the exporter's view of one pair. `images` may be given in either order; they are put in
 * the decision's order (image 1 = `hashA`) so the correct options stay attached to the right image.
 */
export function toReviewedPair(
  decision: StoredDecision,
  images: readonly [ExportImage, ExportImage],
  similarity: { clip: number; dino: number },
): ReviewedPair {
  const [first, second] = images[0].sha256 === decision.hashA ? images : [images[1], images[0]];
  if (first.sha256 !== decision.hashA || second.sha256 !== decision.hashB) {
    throw new Error('The images given do not belong to this decision; pass the two images of the pair.');
  }
  return {
    image1: first,
    image2: second,
    clipSimilarity: similarity.clip,
    dinoSimilarity: similarity.dino,
    question: decision.question,
    optionA: decision.optionA,
    optionB: decision.optionB,
    image1Correct: asOption(decision.im1Correct),
    image2Correct: asOption(decision.im2Correct),
    aiQuestion: decision.aiQuestion,
    aiOptionA: decision.aiOptionA,
    aiOptionB: decision.aiOptionB,
    decision: decision.triage,
  };
}
