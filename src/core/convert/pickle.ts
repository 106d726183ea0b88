/**
 * A minimal, safe pickle virtual machine for the `data.pkl` of PyTorch checkpoints (protocols
 * 2-5). It never executes code: the only globals it accepts are the handful torch.save emits
 * for a state dict (OrderedDict, tensor rebuild functions, storage types); anything else is
 * refused with a message. Tensors come out as {@link TensorRef}s pointing into storage files.
 */
import { CheckpointError } from './zip.ts';

export type StorageDtype = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool' | 'int8' | 'int16';

const STORAGE_TYPES: Record<string, StorageDtype> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

export const DTYPE_BYTES: Record<StorageDtype, number> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: StorageDtype,
    readonly elementCount: number,
  ) {}
}

/** A tensor as torch describes it: a strided view (in elements) into one storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly storageOffset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

/** A Python global that the VM accepts, e.g. `collections.OrderedDict`. */
class PyGlobal {
  constructor(readonly qualifiedName: string) {}
}

/** Anything else a reduce produced that we keep opaque (e.g. `torch.Size`). */
class PyObject {
  state: PickleValue = null;
  constructor(
    readonly type: string,
    readonly args: PickleValue[],
  ) {}
}

export class PyTuple {
  constructor(readonly items: PickleValue[]) {}
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PyTuple
  | Map<PickleValue, PickleValue>
  | Set<PickleValue>
  | StorageRef
  | TensorRef
  | PyGlobal
  | PyObject;

const ALLOWED_GLOBALS = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_parameter',
  'torch.Size',
  ...Object.keys(STORAGE_TYPES).map((s) => `torch.${s}`),
]);

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

function asNumbers(value: PickleValue, what: string): number[] {
  const items = value instanceof PyTuple ? value.items : Array.isArray(value) ? value : null;
  if (!items || !items.every((v) => typeof v === 'number')) throw new CheckpointError(`The checkpoint has a malformed tensor ${what}.`);
  return items as number[];
}

function reduce(callable: PickleValue, args: PickleValue): PickleValue {
  if (!(callable instanceof PyGlobal) || !(args instanceof PyTuple)) {
    throw new CheckpointError('The checkpoint contains an object this converter does not understand (a reduce of a non-global).');
  }
  const a = args.items;
  switch (callable.qualifiedName) {
    case 'collections.OrderedDict':
      return new Map();
    case 'torch._utils._rebuild_tensor':
    case 'torch._utils._rebuild_tensor_v2': {
      const [storage, offset, size, stride] = a;
      if (!(storage instanceof StorageRef) || typeof offset !== 'number') {
        throw new CheckpointError('The checkpoint has a tensor without a valid storage.');
      }
      return new TensorRef(storage, offset, asNumbers(size, 'size'), asNumbers(stride, 'stride'));
    }
    case 'torch._utils._rebuild_parameter':
      return a[0];
    default:
      return new PyObject(callable.qualifiedName, a);
  }
}

/** Runs the pickle program in `bytes` and returns the object it builds. */
export function unpickle(bytes: Uint8Array): PickleValue {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder();
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > bytes.length) throw new CheckpointError('The checkpoint index (data.pkl) is truncated. The file is damaged: download it again.');
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), dv.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), dv.getUint32(pos - 4, true));
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new CheckpointError('The checkpoint index (data.pkl) is truncated.');
    const s = decoder.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new CheckpointError('The checkpoint index (data.pkl) is malformed (stack underflow).');
    return v;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw new CheckpointError('The checkpoint index (data.pkl) is malformed.');
    return v;
  };
  const popMark = (): PickleValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new CheckpointError('The checkpoint index (data.pkl) is malformed (missing mark).');
    const items = stack.splice(i) as PickleValue[];
    return items.slice(1);
  };
  const global = (module: string, name: string): PickleValue => {
    const qualified = `${module}.${name}`;
    if (!ALLOWED_GLOBALS.has(qualified)) {
      throw new CheckpointError(`The checkpoint refers to the Python object ${qualified}, which a plain state dict never contains. It is not a supported open_clip checkpoint.`);
    }
    return new PyGlobal(qualified);
  };
  const setItems = (target: PickleValue, items: PickleValue[]) => {
    if (!(target instanceof Map)) throw new CheckpointError('The checkpoint index (data.pkl) is malformed (items set on a non-dict).');
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const append = (target: PickleValue, items: PickleValue[]) => {
    if (!Array.isArray(target)) throw new CheckpointError('The checkpoint index (data.pkl) is malformed (append to a non-list).');
    target.push(...items);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        take(8);
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(dv.getInt32(pos, true));
        pos += 4;
        break;
      case 0x8a: {
        // LONG1: little-endian two's complement
        const n = u8();
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(decoder.decode(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(decoder.decode(take(u8())));
        break;
      case 0x8d: {
        // BINUNICODE8
        const n = u32() + u32() * 2 ** 32;
        stack.push(decoder.decode(take(n)));
        break;
      }
      case 0x54: // BINSTRING
        stack.push(decoder.decode(take(u32())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(decoder.decode(take(u8())));
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new CheckpointError('The checkpoint index (data.pkl) is malformed (bad global).');
        stack.push(global(module, name));
        break;
      }
      case 0x51: {
        // BINPERSID: ('storage', StorageType, key, location, numel)
        const pid = pop();
        const items = pid instanceof PyTuple ? pid.items : [];
        const [kind, type, key, , numel] = items;
        const dtype = type instanceof PyGlobal ? STORAGE_TYPES[type.qualifiedName.replace(/^torch\./, '')] : undefined;
        if (kind !== 'storage' || !dtype || typeof key !== 'string' || typeof numel !== 'number') {
          throw new CheckpointError('The checkpoint refers to a storage this converter does not understand.');
        }
        stack.push(new StorageRef(key, dtype, numel));
        break;
      }
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x64: {
        // DICT
        const d = new Map<PickleValue, PickleValue>();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        stack.push(reduce(pop(), args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        stack.push(reduce(pop(), args));
        break;
      }
      case 0x62: {
        // BUILD: state is kept only on opaque objects (a state dict's `_metadata` is dropped).
        const state = pop();
        const target = top();
        if (target instanceof PyObject) target.state = state;
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        // APPEND
        const value = pop();
        append(top(), [value]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const target = top();
        if (target instanceof Set) for (const v of items) target.add(v);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const index = op === 0x68 ? u8() : u32();
        if (!memo.has(index)) throw new CheckpointError('The checkpoint index (data.pkl) is malformed (unknown memo entry).');
        stack.push(memo.get(index) as PickleValue);
        break;
      }
      case 0x30: // POP
        stack.pop();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      default:
        throw new CheckpointError(
          `The checkpoint index (data.pkl) uses pickle opcode 0x${op.toString(16)} at byte ${pos - 1}, which a torch.save state dict does not contain. The file is damaged or not a PyTorch checkpoint.`,
        );
    }
  }
}
