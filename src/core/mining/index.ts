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
  type MarginOrdered,
  type Selection,
} from './candidates.ts';
export { computeSensitivityGrid, type SensitivityGrid, type SensitivityGridOptions } from './grid.ts';
export { normalizeRows, rowDot, type EmbeddingMatrix } from './matrix.ts';
export { simdAvailable } from './screen.ts';
export { MEDICONFUSION_PRESET, MMVP_PRESET, THRESHOLD_PRESETS, type ThresholdPreset } from './presets.ts';
export { BlockKernelError, deviceMargin, type BlockPairs, type BlockScreenReport, type BlockSimilarityKernel } from './block-kernel.ts';
export { MINING_DEFAULTS, THRESHOLD_STEP, formatSimilarity, roundThreshold } from './defaults.ts';
export { PairViewer, VIEW_SHAPE, axisRanges, binOf, copyPairs, pairBuffers, type Bins, type PairView, type PairViewRequest } from './pair-view.ts';
export { nearestRows, neighbourRank, type Neighbour } from './neighbours.ts';
export { pairSimilarity } from './matrix.ts';
export { KernelPolicy, type GpuBlockKernel, type GpuKernelFactory, type MinerKernel, type MinerKernelChoice } from './kernel-policy.ts';
export { MiningService, type MinerBuildOptions, type MinerSummary, type PairRanks, type PairViewAnswer } from './mining-service.ts';
