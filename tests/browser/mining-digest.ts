/** A bit-exact fingerprint of pair arrays, so the browser can compare with values computed in Node. */
import type { PairArrays } from '../../src/core/mining/index.ts';

export function pairsDigest(p: PairArrays): string {
  let h = 0x811c9dc5;
  const mix = (v: number) => {
    h ^= v;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  const clipBits = new Uint32Array(p.clip.buffer, p.clip.byteOffset, p.count);
  const dinoBits = new Uint32Array(p.dino.buffer, p.dino.byteOffset, p.count);
  for (let r = 0; r < p.count; r++) {
    mix(p.a[r]);
    mix(p.b[r]);
    mix(clipBits[r]);
    mix(dinoBits[r]);
  }
  return `${p.count}:${h.toString(16)}`;
}
