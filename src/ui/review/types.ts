/** Types shared by the review components and the code that wires them to the store. */
import type { DecisionFields } from '../../store/review.ts';

/**
 * The reviewer's fields of one pair, as stored (`store.decisions`). Image 1 is the pair's
 * smaller hash (`hashA`), image 2 the larger, so `im1Correct`/`im2Correct` match the store.
 */
export type ReviewFields = DecisionFields;

/** What the review components show about the pair under review. */
export interface ReviewPairInfo {
  /** Display names (file name or relative path); shown as text, never exported unless opted in. */
  name1: string;
  name2: string;
  caption1: string;
  caption2: string;
  categories1?: readonly string[];
  categories2?: readonly string[];
  /** Cosine similarities of the pair in the CLIP-side and DINOv2-side encoders. */
  clip: number;
  dino: number;
  /** Names of the encoders that computed them ("BiomedCLIP", "Fixture CLIP"). */
  clipLabel?: string;
  dinoLabel?: string;
  /** 0-based position of the pair and the number of pairs, for "Pair 3 of 120". */
  position?: number;
  total?: number;
}
