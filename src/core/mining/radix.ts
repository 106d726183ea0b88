/**
 * Stable LSD radix sorts of index permutations by 32-bit keys: O(n) orderings of millions of
 * candidate pairs without comparator calls. Multi-key orders are built by sorting from the least
 * significant key to the most significant one.
 */

const RADIX = 1 << 16;
const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Unsigned key whose ascending order is the ascending order of the float32 value. */
export function ascendingKeyF32(value: number): number {
  f32[0] = value;
  const bits = f32Bits[0];
  return (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;
}

/** Two unsigned words (high, low) whose lexicographic order is the order of the float64 value. */
export function ascendingKeyF64(value: number, out: Uint32Array, at: number): void {
  f64[0] = value;
  let hi = f64Words[LITTLE_ENDIAN ? 1 : 0];
  let lo = f64Words[LITTLE_ENDIAN ? 0 : 1];
  if (hi & 0x80000000) {
    hi = ~hi;
    lo = ~lo;
  } else {
    hi |= 0x80000000;
  }
  out[at] = hi >>> 0;
  out[at + 1] = lo >>> 0;
}

/**
 * Reorders `perm` (item ids) stably by `keyOf[item]` ascending. `keyOf` is read with a stride
 * and offset so the two words of a float64 key can live in one array.
 */
export function radixSortPermutation(
  perm: Uint32Array,
  keyOf: Uint32Array,
  scratch: Uint32Array,
  stride = 1,
  offset = 0,
): void {
  const n = perm.length;
  if (n < 2) return;
  // Small inputs: four 8-bit passes (cheap counts); large ones: two 16-bit passes.
  const bits = n < 1 << 15 ? 8 : 16;
  const radix = 1 << bits;
  const mask = radix - 1;
  const counts = bits === 8 ? (smallCounts ??= new Uint32Array(256)) : (largeCounts ??= new Uint32Array(RADIX));
  let src = perm;
  let dst = scratch.subarray(0, n);
  for (let shift = 0; shift < 32; shift += bits) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(keyOf[src[i] * stride + offset] >>> shift) & mask]++;
    let total = 0;
    for (let d = 0; d < radix; d++) {
      const c = counts[d];
      counts[d] = total;
      total += c;
    }
    for (let i = 0; i < n; i++) {
      const item = src[i];
      dst[counts[(keyOf[item * stride + offset] >>> shift) & mask]++] = item;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  // An even number of passes: the result is back in `perm`.
}

let smallCounts: Uint32Array | undefined;
let largeCounts: Uint32Array | undefined;

export function identityPermutation(n: number): Uint32Array {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  return perm;
}
