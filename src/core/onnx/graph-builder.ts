/**
 * A small typed builder for ONNX graphs on top of onnx-proto. Used by the fixture encoders,
 * the random-weight benchmark graphs and the BiomedCLIP converter, in Node and in workers.
 */
import onnxProto from 'onnx-proto';
import { seededRandom } from '../random.ts';

const { onnx } = onnxProto;

export type Dim = number | string;

export interface AttributeValues {
  [name: string]: number | number[] | string | Float32Array | undefined;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const UINT8 = onnx.TensorProto.DataType.UINT8;

function valueInfo(name: string, dims: Dim[], elemType = FLOAT) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

function attribute(name: string, value: number | number[] | string) {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) {
    return Number.isInteger(value[0]) || value.length === 0
      ? { name, type: A.INTS, ints: value }
      : { name, type: A.FLOATS, floats: value };
  }
  return Number.isInteger(value) && !name.match(/^(epsilon|alpha|beta)$/)
    ? { name, type: A.INT, i: value }
    : { name, type: A.FLOAT, f: value };
}

/**
 * Produces a weight's float32 values only when the model is serialised, so a large model
 * (ViT-B/16: ~344 MB) is streamed tensor by tensor and never held twice in memory.
 */
export type WeightSource = () => Float32Array | Promise<Float32Array>;

/** Quantised weights (uint8), produced the same way. */
export type ByteWeightSource = () => Uint8Array | Promise<Uint8Array>;

interface LazyInitializer {
  name: string;
  dims: number[];
  source: WeightSource | ByteWeightSource;
  dataType: number;
  bytesPerElement: number;
}

/** The raw little-endian bytes of a tensor's values. */
function rawBytes(values: Float32Array | Uint8Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

export class GraphBuilder {
  private readonly nodes: ReturnType<typeof onnx.NodeProto.create>[] = [];
  private readonly initializers: ReturnType<typeof onnx.TensorProto.create>[] = [];
  private readonly lazyInitializers: LazyInitializer[] = [];
  private readonly inputs: ReturnType<typeof onnx.ValueInfoProto.create>[] = [];
  private readonly outputs: ReturnType<typeof onnx.ValueInfoProto.create>[] = [];
  private counter = 0;

  constructor(private readonly name: string) {}

  /** A graph input; float32 unless `type` says int64 (token ids, attention masks). */
  input(name: string, dims: Dim[], type: 'float32' | 'int64' = 'float32'): string {
    this.inputs.push(valueInfo(name, dims, type === 'int64' ? INT64 : FLOAT));
    return name;
  }

  output(name: string, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, dims));
  }

  /** A float32 constant stored as raw little-endian bytes. */
  weight(name: string, dims: number[], values: Float32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`Weight ${name}: ${values.length} values for shape [${dims}].`);
    const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    this.initializers.push(onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: raw.slice() }));
    return name;
  }

  /** A float32 constant whose values are produced while streaming the model (see {@link toChunks}). */
  lazyWeight(name: string, dims: number[], source: WeightSource): string {
    this.lazyInitializers.push({ name, dims, source, dataType: FLOAT, bytesPerElement: 4 });
    return name;
  }

  /** A uint8 constant produced while streaming (quantised weights and their zero points). */
  lazyUint8(name: string, dims: number[], source: ByteWeightSource): string {
    this.lazyInitializers.push({ name, dims, source, dataType: UINT8, bytesPerElement: 1 });
    return name;
  }

  int64(name: string, values: number[]): string {
    this.initializers.push(onnx.TensorProto.create({ name, dims: [values.length], dataType: INT64, int64Data: values }));
    return name;
  }

  /** Adds a node and returns the name of its (first) output. */
  op(opType: string, inputs: string[], attrs: AttributeValues = {}, outputName?: string): string {
    const out = outputName ?? `${opType.toLowerCase()}_${this.counter++}`;
    const attribute_ = Object.entries(attrs)
      .filter((e): e is [string, number | number[] | string] => e[1] !== undefined && !(e[1] instanceof Float32Array))
      .map(([k, v]) => attribute(k, v));
    this.nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: [out], name: out, attribute: attribute_ }));
    return out;
  }

  /** Adds a node with several outputs (DynamicQuantizeLinear) and returns their names. */
  opOutputs(opType: string, inputs: string[], count: number, attrs: AttributeValues = {}): string[] {
    const base = `${opType.toLowerCase()}_${this.counter++}`;
    const outputs = Array.from({ length: count }, (_, k) => `${base}_${k}`);
    const attribute_ = Object.entries(attrs)
      .filter((e): e is [string, number | number[] | string] => e[1] !== undefined && !(e[1] instanceof Float32Array))
      .map(([k, v]) => attribute(k, v));
    this.nodes.push(onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: base, attribute: attribute_ }));
    return outputs;
  }

  /**
   * Serialises the model (IR version 8, default opset 17) in one piece. Lazy weights are produced
   * here when their source is synchronous (small seeded fixtures); streamed ones need toChunks().
   */
  toBytes(opset = 17): Uint8Array {
    const materialised = this.lazyInitializers.map((w) => {
      const values = w.source();
      if (values instanceof Promise) throw new Error('This graph has asynchronous weights: serialise it with toChunks().');
      return onnx.TensorProto.create({ name: w.name, dims: w.dims, dataType: w.dataType, rawData: rawBytes(values).slice() });
    });
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'mediconfusion-explorer',
      opsetImport: [{ domain: '', version: opset }],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: [...this.initializers, ...materialised],
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  /**
   * Streams the serialised model: the header and graph structure first, then one lazy weight at a
   * time as its own `initializer` field. Protobuf readers merge repeated fields in any order, so
   * the bytes equal a normal ModelProto; lengths are known before any weight is produced.
   */
  async *toChunks(opset = 17): AsyncGenerator<Uint8Array> {
    const header = onnx.ModelProto.encode(
      onnx.ModelProto.create({ irVersion: 8, producerName: 'mediconfusion-explorer', opsetImport: [{ domain: '', version: opset }] }),
    ).finish();
    const graphBody = onnx.GraphProto.encode(
      onnx.GraphProto.create({
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      }),
    ).finish();
    const tensorHeads = this.lazyInitializers.map((w) => {
      const head = onnx.TensorProto.encode(onnx.TensorProto.create({ name: w.name, dims: w.dims, dataType: w.dataType })).finish();
      const rawLength = w.dims.reduce((a, b) => a * b, 1) * w.bytesPerElement;
      const rawPrefix = concatBytes([Uint8Array.of(0x4a), varint(rawLength)]); // field 9 (raw_data), length-delimited
      return { head, rawPrefix, rawLength, tensorLength: head.length + rawPrefix.length + rawLength };
    });
    let graphLength = graphBody.length;
    for (const t of tensorHeads) graphLength += 1 + varint(t.tensorLength).length + t.tensorLength;
    yield concatBytes([header, Uint8Array.of(0x3a), varint(graphLength), graphBody]); // field 7 (graph)
    for (let i = 0; i < this.lazyInitializers.length; i++) {
      const w = this.lazyInitializers[i];
      const t = tensorHeads[i];
      const values = await w.source();
      if (values.byteLength !== t.rawLength) throw new Error(`Weight ${w.name}: ${values.length} values for shape [${w.dims}].`);
      yield concatBytes([Uint8Array.of(0x2a), varint(t.tensorLength), t.head, t.rawPrefix]); // field 5 (initializer)
      yield rawBytes(values);
    }
  }
}

function varint(value: number): Uint8Array {
  const bytes: number[] = [];
  let v = value;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Uint8Array.from(bytes);
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Deterministic uniform floats in [-scale, scale] (the shared generator), so fixtures are reproducible. */
export function seededUniform(seed: number, count: number, scale: number): Float32Array {
  const next = seededRandom(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (next() * 2 - 1) * scale;
  return out;
}
