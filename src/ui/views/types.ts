/** Types shared between the view components and the code that wires them. */

/** Rank 1 = nearest neighbour. `clipAB`: where B ranks among A's neighbours in CLIP space, and so on. */
export interface PairRanks {
  clipAB: number;
  clipBA: number;
  dinoAB: number;
  dinoBA: number;
}
