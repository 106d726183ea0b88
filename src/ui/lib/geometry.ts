/** Screen-space selection helpers for the plots (no DOM). */
import { isConfusing } from '../../core/mining/defaults.ts';

export type Point = readonly [number, number];

/** Even-odd rule: is (x, y) inside the closed polygon? */
export function insidePolygon(x: number, y: number, polygon: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i];
    const [xj, yj] = polygon[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Indices of points (x, y interleaved, already in screen space via `project`) inside a
 * rectangle (two corners) or a lasso polygon (three or more vertices).
 */
export function selectIndices(
  positions: Float32Array,
  project: (x: number, y: number) => Point,
  shape: { kind: 'rect'; from: Point; to: Point } | { kind: 'lasso'; polygon: readonly Point[] },
): Uint32Array {
  const n = positions.length / 2;
  const hits: number[] = [];
  if (shape.kind === 'rect') {
    const x0 = Math.min(shape.from[0], shape.to[0]);
    const x1 = Math.max(shape.from[0], shape.to[0]);
    const y0 = Math.min(shape.from[1], shape.to[1]);
    const y1 = Math.max(shape.from[1], shape.to[1]);
    for (let i = 0; i < n; i++) {
      const [x, y] = project(positions[2 * i], positions[2 * i + 1]);
      if (x >= x0 && x <= x1 && y >= y0 && y <= y1) hits.push(i);
    }
  } else if (shape.polygon.length >= 3) {
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (const [x, y] of shape.polygon) {
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
    for (let i = 0; i < n; i++) {
      const [x, y] = project(positions[2 * i], positions[2 * i + 1]);
      if (x >= x0 && x <= x1 && y >= y0 && y <= y1 && insidePolygon(x, y, shape.polygon)) hits.push(i);
    }
  }
  return Uint32Array.from(hits);
}

/** Extent of interleaved x, y values as [xmin, xmax, ymin, ymax], padded so a single point still has area. */
export function extent2d(positions: Float32Array): [number, number, number, number] {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i + 1 < positions.length; i += 2) {
    const x = positions[i];
    const y = positions[i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  if (x0 > x1) return [-1, 1, -1, 1];
  const pad = Math.max(x1 - x0, y1 - y0, 1e-6) * 0.05;
  return [x0 - pad, x1 + pad, y0 - pad, y1 + pad];
}

/** The rows a virtualised list must render for a scroll offset, with `overscan` extra rows each side. */
export function visibleWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 4,
): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(viewportHeight / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end: Math.max(start, end) };
}

/** Scroll offset that brings row `index` fully into view, or the current offset if it already is. */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return scrollTop;
}

/** Counts of values in `bins` equal-width bins over [lo, hi]; values outside are clamped to the ends. */
export function histogram(values: Float32Array, lo: number, hi: number, bins: number): Uint32Array {
  const counts = new Uint32Array(bins);
  const width = (hi - lo) / bins;
  if (!(width > 0)) return counts;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]++;
  }
  return counts;
}

/** Number of pairs in the confusing quadrant: clip > clipMin and dino < dinoMax. */
export function countQuadrant(clip: Float32Array, dino: Float32Array, clipMin: number, dinoMax: number): number {
  let count = 0;
  for (let i = 0; i < clip.length; i++) if (isConfusing(clip[i], dino[i], clipMin, dinoMax)) count++;
  return count;
}
