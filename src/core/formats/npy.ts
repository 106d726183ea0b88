/**
 * NumPy .npy v1.0 reading and writing for the formats this tool exchanges:
 * float32 (`<f4`) matrices and tensors, plus uint8/uint16 arrays for golden inputs.
 */

export type NpyArray =
  | { dtype: '<f4'; shape: number[]; data: Float32Array }
  | { dtype: '|u1'; shape: number[]; data: Uint8Array }
  | { dtype: '<u2'; shape: number[]; data: Uint16Array };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

export function encodeNpy(array: NpyArray): Uint8Array {
  const shape = array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  let header = `{'descr': '${array.dtype}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Header is padded with spaces so data starts on a 64-byte boundary, ending in '\n'.
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const headerBytes = new TextEncoder().encode(header);
  const data = new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength);
  const out = new Uint8Array(10 + headerBytes.length + data.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerBytes.length, true);
  out.set(headerBytes, 10);
  out.set(data, 10 + headerBytes.length);
  return out;
}

export function decodeNpy(bytes: Uint8Array): NpyArray {
  if (bytes.length < 10 || !MAGIC.every((m, i) => bytes[i] === m)) {
    throw new Error('Not a .npy file: the NumPy magic bytes are missing.');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new Error('The .npy header could not be read.');
  if (fortran === 'True') throw new Error('Fortran-ordered .npy arrays are not supported; save with C order.');
  const sizes = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const shape = sizes.map(Number);
  // Checked before any size is used: a negative or fractional size would reach a typed-array
  // constructor and surface as a bare RangeError ("Invalid typed array length: -4").
  const bad = sizes.find((size) => !/^\d+$/.test(size));
  if (bad !== undefined) {
    const what = /^-\d+$/.test(bad) ? `the negative size ${bad}` : `the size "${bad}"`;
    throw new Error(
      `The .npy header gives the shape (${sizes.join(', ')}) with ${what}; every size must be a whole number of 0 or more. Save the array again with numpy.save.`,
    );
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(count)) {
    throw new Error(`The .npy header gives the shape (${sizes.join(', ')}), too many values to read; check that the file is an embedding matrix.`);
  }
  const start = headerStart + headerLength;
  // A fresh Uint8Array copy: aligned, and independent of the input (a Node Buffer's slice() shares its pool).
  const body = new Uint8Array(bytes.subarray(start));
  const need = (n: number) => {
    if (body.byteLength < count * n) throw new Error(`The .npy file is truncated: ${count} values expected.`);
  };
  switch (descr) {
    case '<f4':
      need(4);
      return { dtype: '<f4', shape, data: new Float32Array(body.buffer, 0, count) };
    case '|u1':
      need(1);
      return { dtype: '|u1', shape, data: new Uint8Array(body.buffer, 0, count) };
    case '<u2':
      need(2);
      return { dtype: '<u2', shape, data: new Uint16Array(body.buffer, 0, count) };
    case '<f8': {
      need(8);
      const f64 = new Float64Array(body.buffer, 0, count);
      return { dtype: '<f4', shape, data: Float32Array.from(f64) };
    }
    default:
      throw new Error(`The .npy dtype ${descr} is not supported; use float32 (<f4).`);
  }
}

/** Reads a 2-D float32 matrix ([N, D]); float64 input is converted. */
export function decodeNpyMatrix(bytes: Uint8Array): { rows: number; cols: number; data: Float32Array } {
  const array = decodeNpy(bytes);
  if (array.dtype !== '<f4') throw new Error(`Expected a float32 matrix, found dtype ${array.dtype}.`);
  if (array.shape.length !== 2) throw new Error(`Expected a 2-D [N, D] matrix, found shape [${array.shape.join(', ')}].`);
  return { rows: array.shape[0], cols: array.shape[1], data: array.data };
}
