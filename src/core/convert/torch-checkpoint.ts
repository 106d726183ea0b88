/**
 * Reads a `torch.save`d state dict (the zip format of PyTorch >= 1.6: `<name>/data.pkl` plus one
 * `<name>/data/<key>` file per storage) without torch. Only the index is parsed up front; each
 * tensor's bytes are read on demand and converted to float32, one tensor at a time.
 */
import { DTYPE_BYTES, TensorRef, unpickle, type PickleValue } from './pickle.ts';
import { CheckpointError, ZipReader, type RandomAccessSource } from './zip.ts';
import { halfToFloat } from '../half.ts';

export { halfToFloat };

/** The magic number the legacy (pre-1.6, non-zip) torch.save format starts with, as a pickled int. */
const LEGACY_PREFIX = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

export class TorchCheckpoint {
  private constructor(
    private readonly zip: ZipReader,
    private readonly prefix: string,
    /** State-dict entries in file order. */
    readonly tensors: Map<string, TensorRef>,
  ) {}

  static async open(source: RandomAccessSource): Promise<TorchCheckpoint> {
    const head = await source.read(0, Math.min(source.size, 16));
    if (LEGACY_PREFIX.every((b, i) => head[i] === b)) {
      throw new CheckpointError(
        'This checkpoint uses the legacy (pre-PyTorch 1.6) non-zip format, which this converter does not read. Re-save it with torch.save(torch.load(path), path) on any recent PyTorch, or download the official file again.',
      );
    }
    if (head[0] !== 0x50 || head[1] !== 0x4b) {
      throw new CheckpointError('This file is not a PyTorch checkpoint (it is not a zip archive). Pass open_clip_pytorch_model.bin.');
    }
    const zip = await ZipReader.open(source);
    const pkl = [...zip.entries.keys()].find((name) => name.endsWith('data.pkl') && name.split('/').length === 2);
    if (!pkl) throw new CheckpointError('The zip archive has no data.pkl: it is not a PyTorch checkpoint.');
    const prefix = pkl.slice(0, -'data.pkl'.length);
    const root = unpickle(await zip.read(pkl));
    return new TorchCheckpoint(zip, prefix, flattenStateDict(root));
  }

  /** The tensor's values as contiguous row-major float32 (fp16/bf16/fp64 widened or narrowed). */
  async readFloat32(name: string): Promise<Float32Array> {
    const ref = this.tensors.get(name);
    if (!ref) throw new CheckpointError(`The checkpoint has no tensor ${name}.`);
    return this.readTensor(ref, name);
  }

  private async readTensor(ref: TensorRef, name: string): Promise<Float32Array> {
    const { storage, shape, stride, storageOffset } = ref;
    const count = shape.reduce((a, b) => a * b, 1);
    if (count === 0) return new Float32Array(0);
    // The span of storage elements this view touches.
    let last = storageOffset;
    for (let i = 0; i < shape.length; i++) last += (shape[i] - 1) * stride[i];
    if (storageOffset < 0 || last >= storage.elementCount) {
      throw new CheckpointError(`The checkpoint's tensor ${name} points past the end of its storage. The file is damaged.`);
    }
    const width = DTYPE_BYTES[storage.dtype];
    const spanLength = last - storageOffset + 1;
    const raw = await this.zip.read(`${this.prefix}data/${storage.key}`, storageOffset * width, spanLength * width);
    const span = toFloat32(raw, storage.dtype, spanLength, name);
    if (isContiguous(shape, stride)) return span;
    return gatherStrided(span, shape, stride);
  }
}

function flattenStateDict(root: PickleValue): Map<string, TensorRef> {
  // open_clip checkpoints are a bare state dict; training checkpoints wrap it in {"state_dict": ...}.
  let dict = root;
  if (dict instanceof Map && !(dict.values().next().value instanceof TensorRef) && dict.get('state_dict') instanceof Map) {
    dict = dict.get('state_dict') as PickleValue;
  }
  if (!(dict instanceof Map)) throw new CheckpointError('The checkpoint does not contain a state dict (a mapping of names to tensors).');
  const tensors = new Map<string, TensorRef>();
  for (const [key, value] of dict) {
    if (typeof key === 'string' && value instanceof TensorRef) {
      // DataParallel checkpoints prefix every key with "module.".
      tensors.set(key.startsWith('module.') ? key.slice(7) : key, value);
    }
  }
  return tensors;
}

function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && stride[i] !== expected) return false;
    expected *= shape[i];
  }
  return true;
}

function gatherStrided(span: Float32Array, shape: number[], stride: number[]): Float32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(count);
  const index = new Array<number>(shape.length).fill(0);
  let source = 0;
  for (let i = 0; i < count; i++) {
    out[i] = span[source];
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]++;
      source += stride[d];
      if (index[d] < shape[d]) break;
      source -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}

function toFloat32(raw: Uint8Array, dtype: string, count: number, name: string): Float32Array {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = new Float32Array(count);
  switch (dtype) {
    case 'float32':
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, true);
      return out;
    case 'float16': {
      const table = halfTable();
      for (let i = 0; i < count; i++) out[i] = table[dv.getUint16(i * 2, true)];
      return out;
    }
    case 'bfloat16': {
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = dv.getUint16(i * 2, true) << 16;
      return out;
    }
    case 'float64':
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(i * 8, true);
      return out;
    default:
      throw new CheckpointError(`The checkpoint's tensor ${name} holds ${dtype} values where floating-point weights are expected.`);
  }
}

let halfLookup: Float32Array | undefined;
function halfTable(): Float32Array {
  if (!halfLookup) {
    halfLookup = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) halfLookup[h] = halfToFloat(h);
  }
  return halfLookup;
}
