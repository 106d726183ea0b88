/**
 * What crosses the miner worker's boundary, for the page and the tests. Views import these types,
 * never the worker entry.
 */
import type { MiningService } from '../core/mining/mining-service.ts';
import type { WebGpuKernelOptions } from './miner-webgpu.ts';

export type { MinerBuildOptions, MinerSummary, PairRanks, PairViewAnswer, ProgressCallback } from '../core/mining/mining-service.ts';
export type { MinerKernel, MinerKernelChoice } from '../core/mining/kernel-policy.ts';
export type { PairView, PairViewRequest, Bins } from '../core/mining/pair-view.ts';
export type { WebGpuKernelOptions } from './miner-webgpu.ts';

/** The miner worker's API: the core service with the browser's WebGPU kernel options. */
export type MinerApi = MiningService<WebGpuKernelOptions>;
