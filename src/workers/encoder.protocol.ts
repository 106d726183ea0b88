/** What crosses an encoder worker's boundary, for the page and the tests. */
import type { Backend, BackendPreference } from '../core/backend.ts';
import type { CustomEncoderOptions, EncoderDtype, EncoderEntry } from '../core/encoders/registry.ts';
import type { ResolvedCommit } from '../core/encoders/revision.ts';
import type { EncoderLoadOptions } from './encoder-loader.ts';

export type { EncoderWorker } from './encoder-host.ts';

/**
 * What to load: a registry id, a full registry-shaped entry (e.g. a hub repo pinned to another
 * revision), or user-picked ONNX bytes with their description.
 */
export type EncoderSpec = { encoderId: string } | { entry: EncoderEntry } | { custom: CustomEncoderOptions; model: Uint8Array };

export interface WorkerLoadOptions extends Omit<EncoderLoadOptions, 'backend' | 'onProgress' | 'dtype'> {
  /** 'auto' (default) follows `chooseBackend`: WebGPU only on a hardware adapter. */
  backend?: BackendPreference;
  /** Overrides the dtype `chooseBackend` picks (fp16 only where the adapter has shader-f16). */
  dtype?: EncoderDtype;
  batchSize?: number;
}

export interface LoadResult {
  entry: EncoderEntry;
  backend: Backend;
  label: string;
  /** Where the weights came from. */
  source: 'self-hosted' | 'hub' | 'custom';
  /** The revision part of the (sha256, encoderId, revision) embedding key. */
  revisionKey: string;
  /**
   * The hub commit the weights came from: 40 hex digits, or 'unknown' when no answer named it
   * (a self-hosted folder without `source.json`, a mirror without the header). Absent for
   * custom ONNX files, whose revision key is already the SHA-256 of their bytes.
   */
  commit?: ResolvedCommit;
  /** One sentence saying which commit that is and where it was read, for status lines. */
  commitNote?: string;
}

export interface PreviewImage {
  width: number;
  height: number;
  /** De-normalised RGBA of exactly the tensor the encoder receives. */
  rgba: Uint8ClampedArray;
}
