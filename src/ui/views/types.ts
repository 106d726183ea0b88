/** Types shared between the view components and the code that wires them. */

/** Rank 1 = nearest neighbour. `clipAB`: where B ranks among A's neighbours in CLIP space, and so on (computed by the miner). */
export type { PairRanks } from '../../core/mining/mining-service.ts';

/** A pair of an imported benchmark in the pair-space plot: where it lies here (NaN when unknown) and where it was published. */
export interface PairMark {
  clip: number;
  dino: number;
  publishedClip: number;
  publishedDino: number;
  label: string;
}

/** One row as the gallery draws it. */
export interface GalleryRow {
  nameA: string;
  nameB: string;
  thumbA: string | null;
  thumbB: string | null;
  clip: number;
  dino: number;
  /** Similarities published elsewhere (an imported benchmark), shown under the ones computed here. */
  published?: { clip: number; dino: number };
  /** Why the pair has no computed similarity (NaN), shown as the cell's tooltip. */
  reason?: string;
}
