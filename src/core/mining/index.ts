/** Confusing-pair mining: one implementation for the CLI, the miner worker and the tests. */
export { PairMiner, DEFAULT_FLOOR, stateTransferables, type MinerOptions, type MinerState } from './engine.ts';
export {
  CandidateSet,
  DEFAULT_FILTER,
  marginOrderOf,
  type CandidateSetState,
  type FilterOptions,
  type FilterResult,
  type PairArrays,
} from './candidates.ts';
export { computeSensitivityGrid, type SensitivityGrid, type SensitivityGridOptions } from './grid.ts';
export { normalizeRows, rowDot, type EmbeddingMatrix } from './matrix.ts';
export { simdAvailable } from './screen.ts';
export { MEDICONFUSION_PRESET, MMVP_PRESET, THRESHOLD_PRESETS, type ThresholdPreset } from './presets.ts';
export { BlockKernelError, deviceMargin, type BlockPairs, type BlockScreenReport, type BlockSimilarityKernel } from './block-kernel.ts';
