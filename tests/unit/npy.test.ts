import { describe, expect, it } from 'vitest';
import { decodeNpy, decodeNpyMatrix, encodeNpy } from '../../src/core/formats/npy.ts';

describe('.npy v1', () => {
  it('round-trips float32 matrices with a 64-byte aligned header', () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i / 3);
    const bytes = encodeNpy({ dtype: '<f4', shape: [3, 4], data });
    expect((bytes.length - data.byteLength) % 64).toBe(0);
    const back = decodeNpyMatrix(bytes);
    expect(back.rows).toBe(3);
    expect(back.cols).toBe(4);
    expect([...back.data]).toEqual([...data]);
  });

  it('rejects what it cannot read with a sentence', () => {
    expect(() => decodeNpy(new Uint8Array([1, 2, 3]))).toThrow(/Not a \.npy file/);
    const bad = encodeNpy({ dtype: '<f4', shape: [2, 2], data: new Float32Array(4) }).slice(0, 70);
    expect(() => decodeNpy(bad)).toThrow(/truncated/);
  });
});

/** A float32 .npy whose header claims `shape` (written as Python would), with `values` floats of data. */
function npyWithShape(shape: string, values = 4): Uint8Array {
  const good = encodeNpy({ dtype: '<f4', shape: [values], data: new Float32Array(values) });
  const text = new TextDecoder('latin1').decode(good.subarray(10, good.length - values * 4));
  const header = text.replace(/'shape': \([^)]*\)/, `'shape': ${shape}`).padEnd(text.length, ' ');
  const out = good.slice();
  out.set(new TextEncoder().encode(header.slice(0, text.length - 1) + '\n'), 10);
  return out;
}

describe('.npy shapes', () => {
  it('refuses a negative size with a sentence naming the shape, not a RangeError', () => {
    expect(() => decodeNpy(npyWithShape('(-1, 4)'))).toThrow(
      'The .npy header gives the shape (-1, 4) with the negative size -1; every size must be a whole number of 0 or more. Save the array again with numpy.save.',
    );
    expect(() => decodeNpyMatrix(npyWithShape('(2, -2)'))).toThrow(/negative size -2/);
  });

  it('refuses a size that is not a whole number', () => {
    expect(() => decodeNpy(npyWithShape('(1.5, 2)'))).toThrow(/the size "1\.5"; every size must be a whole number/);
  });

  it('still reads a valid shape written the same way', () => {
    expect(decodeNpy(npyWithShape('(2, 2)')).shape).toEqual([2, 2]);
  });
});

describe('.npy from a Node Buffer', () => {
  it('reads the right bytes when the input is a pooled Buffer view', () => {
    const data = Float32Array.from([1.5, -2, 3.25, 4]);
    const encoded = encodeNpy({ dtype: '<f4', shape: [2, 2], data });
    // Buffer.from(string-ish small data) lives in Node's shared pool at a non-zero offset.
    const pooled = Buffer.concat([Buffer.from('xx'), Buffer.from(encoded)]).subarray(2);
    expect([...decodeNpyMatrix(pooled).data]).toEqual([1.5, -2, 3.25, 4]);
  });
});
