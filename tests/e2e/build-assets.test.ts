/**
 * The production build the e2e rig serves ships each large file once: the WASM runtime is served
 * from /ort/ only (scripts/vite-plugins.ts `ortWasmFromOrtFolder`), never also as a hashed asset.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const dist = 'tests/.artifacts/e2e-dist';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

describe('the production build', () => {
  it('holds no large file twice, and the encoders find the runtime under /ort/', () => {
    const large = files(dist).filter((f) => statSync(f).size > 1_000_000);
    const byContent = new Map<string, string[]>();
    for (const f of large) {
      const digest = createHash('sha256').update(readFileSync(f)).digest('hex');
      byContent.set(digest, [...(byContent.get(digest) ?? []), relative(dist, f)]);
    }
    const twice = [...byContent.values()].filter((paths) => paths.length > 1);
    expect(twice).toEqual([]);
    expect(large.map((f) => relative(dist, f))).toContain('ort/ort-wasm-simd-threaded.asyncify.wasm');
    expect(large.some((f) => /assets[\\/]ort-wasm/.test(f))).toBe(false);
  });
});
