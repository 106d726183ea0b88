/** Shared helpers for the store's browser tests (not a test file itself). */
import { deleteDB } from 'idb';
import { openStore, type NewItem, type OpenOptions, type Store } from '../../src/store/index.ts';

/** A fresh database name per test, so tests never see each other's data. */
export function uniqueDbName(label: string): string {
  return `store-test-${label}-${crypto.randomUUID()}`;
}

/** Opens a store on a fresh database; `cleanup` closes and deletes it. */
export async function freshStore(label: string, options: OpenOptions = {}): Promise<{ store: Store; cleanup: () => Promise<void> }> {
  const name = uniqueDbName(label);
  const store = await openStore({ ...options, name });
  return {
    store,
    cleanup: async () => {
      store.close();
      await deleteDB(name);
    },
  };
}

/** A deterministic fake SHA-256 (64 hex digits) for index `i`. */
export function fakeHash(i: number, salt = 0): string {
  let h = (i * 2654435761 + salt * 97) >>> 0;
  let out = '';
  for (let k = 0; k < 8; k++) {
    h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0;
    h = (h + k + i) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}

/** An item as ingest would hand it over. */
export function sampleItem(sha256: string, overrides: Partial<NewItem> = {}): NewItem {
  return {
    sha256,
    name: `${sha256.slice(0, 6)}.png`,
    relativePath: `folder/${sha256.slice(0, 6)}.png`,
    size: 1234,
    width: 64,
    height: 48,
    kind: 'image',
    format: 'png',
    thumbnail: new Blob([new Uint8Array([137, 80, 78, 71, 1, 2, 3])], { type: 'image/png' }),
    ...overrides,
  };
}

/** A random vector with a fixed seed (not normalised). */
export function seededVector(dim: number, seed: number): Float32Array {
  const v = new Float32Array(dim);
  let s = (seed * 747796405 + 2891336453) >>> 0;
  for (let i = 0; i < dim; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 32 - 0.5;
  }
  return v;
}

/** The L2 norm of a vector. */
export function norm(v: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  return Math.sqrt(sum);
}

/** A distinct picture per seed: a few bright rectangles on dark noise-free ground, as PNG. */
export async function drawnPng(seed: number): Promise<File> {
  const canvas = new OffscreenCanvas(64, 64);
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#111';
  context.fillRect(0, 0, 64, 64);
  let state = seed * 2654435761;
  const next = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let k = 0; k < 4; k++) {
    context.fillStyle = `hsl(0 0% ${Math.round(30 + next() * 70)}%)`;
    context.fillRect(next() * 48, next() * 48, 6 + next() * 24, 6 + next() * 24);
  }
  const blob = await canvas.convertToBlob({ type: 'image/png' });
  return new File([blob], `scan-${seed}.png`, { type: 'image/png' });
}
