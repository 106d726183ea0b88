/** Shared helpers for the view component tests: a sized host, theme switching and screenshots. */
import { page } from 'vitest/browser';
import '../../src/ui/theme.css';
import { CandidateSet, marginOrderOf } from '../../src/core/mining/candidates.ts';
import { PairViewer, type PairView, type PairViewRequest } from '../../src/core/mining/pair-view.ts';
import { VIEW_SHAPE } from '../../src/app/mining.svelte.ts';

/** A fixed-size host element so layouts are the same on every run. */
export async function host(width: number, height?: number): Promise<HTMLElement> {
  await page.viewport(Math.max(1000, width + 40), Math.max(800, (height ?? 0) + 40));
  const element = document.createElement('div');
  element.style.width = `${width}px`;
  if (height) element.style.height = `${height}px`;
  element.style.padding = '12px';
  element.style.background = 'var(--bg)';
  document.body.appendChild(element);
  return element;
}

export function setTheme(theme: 'light' | 'dark'): void {
  document.documentElement.dataset.theme = theme;
}

/** Two animation frames: enough for canvas redraws scheduled with requestAnimationFrame. */
export function frames(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
}

/** Screenshot of `element` in light and dark themes into tests/.artifacts/ (git-ignored). */
export async function screenshotBothThemes(element: HTMLElement, name: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    setTheme(theme);
    await frames();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await frames();
    await page.screenshot({ element, path: `../.artifacts/${name}-${theme}.png` });
  }
  setTheme('light');
}

/** Dispatches a pointer event at a position relative to `element`'s top-left corner. */
export function pointerAt(element: Element, type: string, x: number, y: number, extra: PointerEventInit = {}): void {
  const box = element.getBoundingClientRect();
  element.dispatchEvent(
    new PointerEvent(type, { bubbles: true, cancelable: true, clientX: box.left + x, clientY: box.top + y, pointerId: 1, isPrimary: true, button: 0, ...extra }),
  );
}

/** Deterministic pseudo-random numbers for synthetic data. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A small grey gradient image as a data URL, standing in for a thumbnail. */
export function thumbnailUrl(seed: number): string {
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 64;
  const context = canvas.getContext('2d')!;
  const gradient = context.createRadialGradient(32, 32, 4, 32, 32, 30);
  gradient.addColorStop(0, `hsl(0 0% ${70 + (seed % 5) * 5}%)`);
  gradient.addColorStop(1, '#111');
  context.fillStyle = '#000';
  context.fillRect(0, 0, 64, 64);
  context.fillStyle = gradient;
  context.beginPath();
  context.ellipse(32, 32, 18 + (seed % 7), 26, 0, 0, 2 * Math.PI);
  context.fill();
  return canvas.toDataURL();
}

/**
 * A candidate set holding these (CLIP, DINO) similarities, one distinct pair of rows each, in the
 * engine's order (CLIP descending, ties by a then b): what the miner holds, built from raw arrays.
 */
export function candidateSetOf(clip: Float32Array, dino: Float32Array, floor: number): CandidateSet {
  const n = clip.length;
  let rows = 2;
  while ((rows * (rows - 1)) / 2 < n) rows++;
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => clip[y] - clip[x] || x - y);
  const a = new Uint32Array(n);
  const b = new Uint32Array(n);
  const sortedClip = new Float32Array(n);
  const sortedDino = new Float32Array(n);
  let [i, j] = [0, 1];
  order.forEach((from, k) => {
    [a[k], b[k], sortedClip[k], sortedDino[k]] = [i, j, clip[from], dino[from]];
    if (++j === rows) [i, j] = [i + 1, i + 2];
  });
  return CandidateSet.fromState({ version: 1, rows, floor, a, b, clip: sortedClip, dino: sortedDino, marginOrder: marginOrderOf(a, b, sortedClip, sortedDino) });
}

/**
 * The miner's answer for a set at these thresholds, as the miner worker computes it (the core
 * PairViewer over the set's selection, in the app's view shape): what the views draw from.
 */
export function pairViewOf(set: CandidateSet, clipMin: number, dinoMax: number, extra: Partial<PairViewRequest> = {}, viewer = new PairViewer(set)): PairView {
  const request: PairViewRequest = { clipMin, dinoMax, ...VIEW_SHAPE, ...extra };
  return viewer.view(request, set.select(request));
}
