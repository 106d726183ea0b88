import { describe, expect, it } from 'vitest';
import { getEncoder, takeEmbedding } from '../../src/core/encoders/registry.ts';
import { halfToFloat as halfBitsToNumber } from '../../src/core/half.ts';
import { DEFAULT_SESSION, sanitiseSnapshot } from '../../src/app/session.svelte.ts';

/** IEEE half bits of a number (round to nearest even), written independently of the decoder under test. */
function toHalfBits(value: number): number {
  const f32 = new Float32Array([value]);
  const u32 = new Uint32Array(f32.buffer)[0];
  const sign = (u32 >>> 16) & 0x8000;
  const exponent = ((u32 >>> 23) & 0xff) - 127 + 15;
  const mantissa = u32 & 0x7fffff;
  if (exponent <= 0) return sign | Math.round((mantissa | 0x800000) / 2 ** (14 - exponent));
  const rounded = (exponent << 10) + Math.round(mantissa / 2 ** 13);
  return sign | rounded;
}

describe('precision', () => {
  it('decodes half-precision bits: normal, subnormal, zero, infinity', () => {
    expect(halfBitsToNumber(0x3c00)).toBe(1);
    expect(halfBitsToNumber(0xc000)).toBe(-2);
    expect(halfBitsToNumber(0x3555)).toBeCloseTo(0.33325, 5);
    expect(halfBitsToNumber(0x0001)).toBe(2 ** -24);
    expect(halfBitsToNumber(0x0000)).toBe(0);
    expect(halfBitsToNumber(0x7c00)).toBe(Infinity);
    expect(halfBitsToNumber(0x7bff)).toBe(65504);
  });

  it('reads an fp16 output given as Uint16Array bits as the numbers they encode (not the raw integers)', () => {
    const entry = getEncoder('dinov2-small');
    const dim = entry.dim;
    const values = Array.from({ length: 2 * dim }, (_, i) => Math.sin(i + 1) * 3);
    const half = Uint16Array.from(values.map(toHalfBits));
    const fp16 = takeEmbedding({ [entry.embedding.output]: { dims: [1, 2, dim], data: half, type: 'float16' } }, entry, 0);
    const fp32 = takeEmbedding({ [entry.embedding.output]: { dims: [1, 2, dim], data: Float32Array.from(values), type: 'float32' } }, entry, 0);
    let dot = 0;
    let maxDiff = 0;
    for (let i = 0; i < dim; i++) {
      dot += fp16[i] * fp32[i];
      maxDiff = Math.max(maxDiff, Math.abs(fp16[i] - fp32[i]));
    }
    expect(dot).toBeGreaterThan(0.99999);
    expect(maxDiff).toBeLessThan(1e-3);
  });

  it('is fp32 by default and restores only known precisions', () => {
    expect(DEFAULT_SESSION.precision).toBe('fp32');
    expect(sanitiseSnapshot({ precision: 'q8' }).precision).toBe('q8');
    expect(sanitiseSnapshot({ precision: 'int4' }).precision).toBe('fp32');
  });
});
