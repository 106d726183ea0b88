/**
 * A bare ONNX session host: load a model by URL on a backend, run float32 batches.
 * The encoder workers build on the same ORT setup; this one serves engine tests and diagnostics.
 */
import * as Comlink from 'comlink';
import type { Backend } from '../core/backend.ts';
import { createOrtSession, ort } from './ort-web.ts';

export interface TensorResult {
  dims: number[];
  data: Float32Array;
}

export class OrtSessionHost {
  private sessions = new Map<string, ort.InferenceSession>();

  /** Loads a model from a URL, or from bytes already fetched (the bench times fetch and session creation apart). */
  async load(key: string, model: string | Uint8Array, backend: Backend, allowFallbackAdapter = false): Promise<{ inputs: string[]; outputs: string[] }> {
    let bytes = model;
    if (typeof bytes === 'string') {
      const response = await fetch(bytes);
      if (!response.ok) throw new Error(`Could not fetch ${bytes}: HTTP ${response.status}.`);
      bytes = new Uint8Array(await response.arrayBuffer());
    }
    const session = await createOrtSession(bytes, backend, { allowFallbackAdapter });
    this.sessions.set(key, session);
    return { inputs: [...session.inputNames], outputs: [...session.outputNames] };
  }

  async run(key: string, inputName: string, data: Float32Array, dims: number[]): Promise<Record<string, TensorResult>> {
    const session = this.sessions.get(key);
    if (!session) throw new Error(`No session named ${key} is loaded.`);
    const outputs = await session.run({ [inputName]: new ort.Tensor('float32', data, dims) });
    const result: Record<string, TensorResult> = {};
    for (const [name, tensor] of Object.entries(outputs)) {
      const values = tensor.location === 'gpu-buffer' ? await tensor.getData() : tensor.data;
      result[name] = { dims: [...tensor.dims], data: Float32Array.from(values as Float32Array) };
    }
    return Comlink.transfer(result, Object.values(result).map((r) => r.data.buffer));
  }

  async release(): Promise<void> {
    for (const s of this.sessions.values()) await s.release();
    this.sessions.clear();
  }
}

Comlink.expose(new OrtSessionHost());
