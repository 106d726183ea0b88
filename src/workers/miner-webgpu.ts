/**
 * The WebGPU block kernel of the miner worker (see src/core/mining/block-kernel.ts): a tiled
 * float32 matrix product of a block of unit CLIP rows with every earlier row, in workgroup
 * shared memory, appending only the pairs at or above the cut to a storage buffer with an
 * atomic counter. The N x N product never exists: one block (blockRows x N) is computed at a
 * time and only its passing pairs come back. When more pairs pass than the output holds, the
 * block returns null (the engine screens it on the CPU) and the output grows for later blocks.
 */
import type { BlockPairs, EmbeddingMatrix } from '../core/mining/index.ts';
import type { GpuBlockKernel } from '../core/mining/kernel-policy.ts';
import { messageOf } from '../core/errors.ts';

/** Output tile per workgroup (rows x columns); each of its 16 x 16 invocations computes 4 x 4 (vec4 accumulators). */
const TILE = 64;
/** Dimensions per shared-memory step. */
const DEPTH = 16;
const MAX_BLOCK_ROWS = 1024;

const SHADER = /* wgsl */ `
struct Params { i0: u32, i1: u32, dim: u32, capacity: u32, cut: f32, pad0: u32, pad1: u32, pad2: u32 }

@group(0) @binding(0) var<storage, read> rows: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read_write> found: atomic<u32>;
@group(0) @binding(3) var<storage, read_write> pairs: array<u32>;

const TILE: u32 = ${TILE}u;
const DEPTH: u32 = ${DEPTH}u;
// [depth][slot]: tile row R sits at slot (R % 16) * 4 + R / 16, so invocation t finds its four
// rows (t, t + 16, t + 32, t + 48) side by side. Depth rows are STRIDE apart (TILE plus 4) so
// the 16 invocations that store one tile row's 16 depths do not all hit one memory bank.
const STRIDE: u32 = ${TILE + 4}u;
var<workgroup> tileA: array<f32, ${(TILE + 4) * DEPTH}>;
var<workgroup> tileB: array<f32, ${(TILE + 4) * DEPTH}>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) group: vec3u, @builtin(local_invocation_id) local: vec3u, @builtin(local_invocation_index) flat: u32) {
  let iBase = params.i0 + group.y * TILE;
  let jBase = group.x * TILE;
  // Pairs need j < i: a tile whose first column is at or past its last row holds none.
  // (Uniform per workgroup, so returning before the barriers is allowed.)
  if (jBase + 1u >= min(iBase + TILE, params.i1)) { return; }
  // acc[r][c]: row iBase + local.y + 16 r, column jBase + local.x + 16 c.
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k0 = 0u; k0 < params.dim; k0 += DEPTH) {
    for (var t = 0u; t < TILE * DEPTH / 256u; t++) {
      let e = flat + t * 256u;
      let r = e / DEPTH;
      let kk = e % DEPTH;
      let k = k0 + kk;
      var a = 0.0;
      var b = 0.0;
      if (k < params.dim) {
        if (iBase + r < params.i1) { a = rows[(iBase + r) * params.dim + k]; }
        if (jBase + r < params.i1) { b = rows[(jBase + r) * params.dim + k]; }
      }
      let slot = kk * STRIDE + (r % 16u) * 4u + r / 16u;
      tileA[slot] = a;
      tileB[slot] = b;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < DEPTH; kk++) {
      let ao = kk * STRIDE + local.y * 4u;
      let bo = kk * STRIDE + local.x * 4u;
      let b = vec4f(tileB[bo], tileB[bo + 1u], tileB[bo + 2u], tileB[bo + 3u]);
      acc0 += tileA[ao] * b;
      acc1 += tileA[ao + 1u] * b;
      acc2 += tileA[ao + 2u] * b;
      acc3 += tileA[ao + 3u] * b;
    }
    workgroupBarrier();
  }
  emitRow(iBase + local.y, jBase + local.x, acc0);
  emitRow(iBase + local.y + 16u, jBase + local.x, acc1);
  emitRow(iBase + local.y + 32u, jBase + local.x, acc2);
  emitRow(iBase + local.y + 48u, jBase + local.x, acc3);
}

fn emitRow(i: u32, j0: u32, sims: vec4f) {
  for (var c = 0u; c < 4u; c++) {
    let j = j0 + 16u * c;
    if (i < params.i1 && j < i && sims[c] >= params.cut) {
      let slot = atomicAdd(&found, 1u);
      if (slot < params.capacity) {
        pairs[2u * slot] = j;
        pairs[2u * slot + 1u] = i;
      }
    }
  }
}
`;

export interface WebGpuKernelOptions {
  /** Use a software (fallback) adapter too, e.g. SwiftShader in tests. Default false. */
  allowFallbackAdapter?: boolean;
  /** Pairs the output holds at first. Default 2^20. */
  outputCapacity?: number;
  /** The output never grows past this many pairs. Default 2^24 (or what the device allows). */
  maxOutputCapacity?: number;
  /** Tests: fail like a lost device after this many blocks (exercises the CPU fallback). */
  simulateFailureAfterBlocks?: number;
  /** Later rows per block, a multiple of 64. Default: up to 1024, fewer for large N x D so one dispatch stays short. */
  blockRows?: number;
}

/** The adapter as reported to the page and the benchmark. */
export interface GpuAdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
  isFallbackAdapter: boolean;
}

/** The adapter the miner would use, or null with the reason. */
export async function requestMiningAdapter(allowFallbackAdapter: boolean): Promise<{ adapter: GPUAdapter; summary: GpuAdapterSummary } | { adapter: null; reason: string }> {
  if (!globalThis.navigator?.gpu) return { adapter: null, reason: 'This browser has no WebGPU.' };
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (error) {
    return { adapter: null, reason: `WebGPU refused an adapter (${messageOf(error)}).` };
  }
  if (!adapter) return { adapter: null, reason: 'No WebGPU adapter is available in this browser.' };
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const summary: GpuAdapterSummary = {
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    isFallbackAdapter: info.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
  };
  if (summary.isFallbackAdapter && !allowFallbackAdapter) return { adapter: null, reason: 'Only a software WebGPU adapter is available; the CPU kernel is faster.' };
  return { adapter, summary };
}

const PARAMS_BYTES = 32;

/** Runs device calls under error scopes and throws a sentence when any of them failed. */
async function checked<T>(device: GPUDevice, what: string, run: () => T): Promise<T> {
  const filters: GPUErrorFilter[] = ['internal', 'out-of-memory', 'validation'];
  for (const filter of filters) device.pushErrorScope(filter);
  let outcome: { value: T } | { thrown: unknown };
  try {
    outcome = { value: run() };
  } catch (thrown) {
    outcome = { thrown };
  }
  // Pop every scope pushed above, whatever happened.
  const errors = await Promise.all(filters.map(() => device.popErrorScope()));
  if ('thrown' in outcome) throw outcome.thrown;
  const error = errors.find((e) => e !== null);
  if (error) throw new Error(`${what} failed on the GPU (${error.message})`);
  return outcome.value;
}

export class WebGpuBlockKernel implements GpuBlockKernel {
  readonly name = 'webgpu';
  readonly adapter: GpuAdapterSummary;
  readonly adapterLabel: string;
  private readonly device: GPUDevice;
  private readonly pipeline: GPUComputePipeline;
  private readonly params: GPUBuffer;
  private readonly counter: GPUBuffer;
  private readonly counterRead: GPUBuffer;
  private rows: GPUBuffer | null = null;
  /** Rows the `rows` buffer has room for, rows loaded, their dimension and whose they are. */
  private rowCapacity = 0;
  private loadedRows = 0;
  private dim = 0;
  private owner: object | null = null;
  private output: GPUBuffer;
  private outputRead: GPUBuffer;
  private capacity: number;
  private readonly maxCapacity: number;
  private lost: string | null = null;
  private readonly fixedBlockRows: number | undefined;
  private readonly failAfterBlocks: number;
  private blocksRun = 0;

  private constructor(device: GPUDevice, adapter: GpuAdapterSummary, options: WebGpuKernelOptions) {
    this.device = device;
    this.adapter = adapter;
    this.adapterLabel = labelOf(adapter);
    this.fixedBlockRows = options.blockRows;
    this.failAfterBlocks = options.simulateFailureAfterBlocks ?? Infinity;
    const deviceMaxPairs = Math.floor(Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize) / 8);
    this.maxCapacity = Math.max(1, Math.min(options.maxOutputCapacity ?? 2 ** 24, deviceMaxPairs));
    this.capacity = Math.max(1, Math.min(options.outputCapacity ?? 2 ** 20, this.maxCapacity));
    const module = device.createShaderModule({ code: SHADER, label: 'mining screen' });
    this.pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: 'mining screen' });
    this.params = device.createBuffer({ size: PARAMS_BYTES, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.counter = device.createBuffer({ size: 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    this.counterRead = device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    [this.output, this.outputRead] = this.createOutput(this.capacity);
    void device.lost.then((info) => {
      this.lost = info.message || 'the device was lost';
    });
  }

  /**
   * Rows per block for the loaded rows: about 2^33 multiply-adds per dispatch at most (tens of
   * milliseconds on a modest GPU), so no dispatch runs into the browser's GPU watchdog.
   */
  get blockRows(): number {
    if (this.fixedBlockRows !== undefined) return this.fixedBlockRows;
    const perRow = Math.max(1, this.loadedRows * this.dim);
    return Math.max(TILE, Math.min(MAX_BLOCK_ROWS, Math.floor(2 ** 33 / perRow / TILE) * TILE));
  }

  /** A kernel on the best adapter; throws a sentence when WebGPU cannot be used. */
  static async create(options: WebGpuKernelOptions = {}): Promise<WebGpuBlockKernel> {
    const blockRows = options.blockRows;
    if (blockRows !== undefined && !(Number.isInteger(blockRows) && blockRows > 0 && blockRows % TILE === 0)) {
      throw new Error(`blockRows must be a positive multiple of ${TILE}; got ${blockRows}.`);
    }
    const found = await requestMiningAdapter(options.allowFallbackAdapter ?? false);
    if (!found.adapter) throw new Error(found.reason);
    const { adapter, summary } = found;
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
        maxBufferSize: adapter.limits.maxBufferSize,
      },
    });
    try {
      return await checked(device, 'Setting up the WebGPU mining kernel', () => new WebGpuBlockKernel(device, summary, options));
    } catch (error) {
      device.destroy();
      throw error;
    }
  }

  async load(unit: EmbeddingMatrix, unchangedRows: number, owner: object): Promise<void> {
    this.checkDevice();
    const bytesPerRow = unit.dim * 4;
    const limit = Math.min(this.device.limits.maxStorageBufferBindingSize, this.device.limits.maxBufferSize);
    if (unit.rows * bytesPerRow > limit) {
      throw new Error(`${unit.rows} rows of ${unit.dim} dimensions exceed what this GPU can bind (${limit} bytes)`);
    }
    const keep = owner === this.owner && unit.dim === this.dim ? Math.min(unchangedRows, this.loadedRows) : 0;
    // Forget what was loaded until the upload is known to have worked.
    this.owner = null;
    this.loadedRows = 0;
    await checked(this.device, 'Uploading the rows', () => this.upload(unit, keep, limit));
    this.dim = unit.dim;
    this.loadedRows = unit.rows;
    this.owner = owner;
    await this.device.queue.onSubmittedWorkDone();
  }

  private upload(unit: EmbeddingMatrix, keep: number, limit: number): void {
    const bytesPerRow = unit.dim * 4;
    if (!this.rows || unit.rows > this.rowCapacity || unit.dim !== this.dim) {
      // Room for growth, so incremental additions upload only their rows.
      const rowCapacity = Math.max(unit.rows, Math.min(Math.floor(limit / bytesPerRow), Math.ceil(unit.rows * 1.5) + 256));
      this.rows?.destroy();
      this.rows = this.device.createBuffer({ size: Math.max(16, rowCapacity * bytesPerRow), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
      this.rowCapacity = rowCapacity;
      this.writeRows(unit, 0);
    } else {
      this.writeRows(unit, keep);
    }
  }

  async screenBlock(i0: number, i1: number, cut: number): Promise<BlockPairs | null> {
    this.checkDevice();
    if (!this.rows || i1 > this.loadedRows || i0 >= i1) throw new Error(`Block [${i0}, ${i1}) is outside the ${this.loadedRows} loaded rows.`);
    if (this.blocksRun++ >= this.failAfterBlocks) throw new Error('the GPU stopped (simulated for a test)');
    // A failed command (out of memory, an invalid buffer) would leave the counter at 0: a missed
    // block, so any error here fails the block instead.
    const rows = this.rows;
    await checked(this.device, 'Screening a block', () => this.submitBlock(rows, i0, i1, cut));
    await this.counterRead.mapAsync(GPUMapMode.READ);
    const count = new Uint32Array(this.counterRead.getMappedRange())[0];
    this.counterRead.unmap();
    if (count > this.capacity) {
      this.grow(count);
      return null;
    }
    const out: BlockPairs = { count, j: new Uint32Array(count), i: new Uint32Array(count) };
    if (count === 0) return out;
    const copy = this.device.createCommandEncoder();
    copy.copyBufferToBuffer(this.output, 0, this.outputRead, 0, count * 8);
    this.device.queue.submit([copy.finish()]);
    await this.outputRead.mapAsync(GPUMapMode.READ, 0, count * 8);
    const pairs = new Uint32Array(this.outputRead.getMappedRange(0, count * 8));
    for (let p = 0; p < count; p++) {
      out.j[p] = pairs[2 * p];
      out.i[p] = pairs[2 * p + 1];
    }
    this.outputRead.unmap();
    return out;
  }

  private submitBlock(rows: GPUBuffer, i0: number, i1: number, cut: number): void {
    const params = new ArrayBuffer(PARAMS_BYTES);
    new Uint32Array(params, 0, 4).set([i0, i1, this.dim, this.capacity]);
    new Float32Array(params, 16, 1)[0] = cut;
    this.device.queue.writeBuffer(this.params, 0, params);
    this.device.queue.writeBuffer(this.counter, 0, new Uint32Array(1));
    const bind = this.device.createBindGroup({
      layout: this.pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: rows, size: Math.max(16, this.loadedRows * this.dim * 4) } },
        { binding: 1, resource: { buffer: this.params } },
        { binding: 2, resource: { buffer: this.counter } },
        { binding: 3, resource: { buffer: this.output } },
      ],
    });
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(Math.ceil((i1 - 1) / TILE), Math.ceil((i1 - i0) / TILE));
    pass.end();
    encoder.copyBufferToBuffer(this.counter, 0, this.counterRead, 0, 4);
    this.device.queue.submit([encoder.finish()]);
  }

  destroy(): void {
    this.device.destroy();
  }

  private writeRows(unit: EmbeddingMatrix, from: number): void {
    if (from >= unit.rows) return;
    const start = from * unit.dim;
    this.device.queue.writeBuffer(this.rows!, start * 4, unit.data.buffer, unit.data.byteOffset + start * 4, (unit.rows - from) * unit.dim * 4);
  }

  /** A larger output for the next blocks, when the device allows it. */
  private grow(needed: number): void {
    if (this.capacity >= this.maxCapacity) return;
    const capacity = Math.min(this.maxCapacity, 2 ** Math.ceil(Math.log2(needed)));
    this.output.destroy();
    this.outputRead.destroy();
    [this.output, this.outputRead] = this.createOutput(capacity);
    this.capacity = capacity;
  }

  private createOutput(capacity: number): [GPUBuffer, GPUBuffer] {
    const size = Math.max(16, capacity * 8);
    return [
      this.device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC }),
      this.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
    ];
  }

  private checkDevice(): void {
    if (this.lost !== null) throw new Error(`the GPU stopped (${this.lost})`);
  }
}

/** "vendor architecture", marked when the adapter is a software fallback. */
function labelOf(adapter: GpuAdapterSummary): string {
  const name = [adapter.vendor, adapter.architecture || adapter.description].filter(Boolean).join(' ') || 'adapter';
  return adapter.isFallbackAdapter ? `${name} (software fallback)` : name;
}

/**
 * The kernel factory the mining policy calls: 'webgpu' may use a software adapter (tests),
 * 'auto' only when the options allow it.
 */
export function createGpuKernel(options: WebGpuKernelOptions | undefined, choice: 'auto' | 'webgpu'): Promise<WebGpuBlockKernel> {
  const allowFallbackAdapter = choice === 'webgpu' || options?.allowFallbackAdapter === true;
  return WebGpuBlockKernel.create({ ...options, allowFallbackAdapter });
}
