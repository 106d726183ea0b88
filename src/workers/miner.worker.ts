/** The miner worker: the core mining service, with the WebGPU screening kernel injected. */
import * as Comlink from 'comlink';
import { MiningService } from '../core/mining/mining-service.ts';
import { createGpuKernel } from './miner-webgpu.ts';

Comlink.expose(new MiningService(createGpuKernel));
