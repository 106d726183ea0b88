import { describe, expect, it } from 'vitest';
import { PairMiner } from '../../src/core/mining/index.ts';
import { MiningService } from '../../src/core/mining/mining-service.ts';
import { PairViewer, binOf, type PairViewRequest } from '../../src/core/mining/pair-view.ts';
import { CandidateSet } from '../../src/core/mining/candidates.ts';
import { MINING_DEFAULTS, formatSimilarity, roundThreshold } from '../../src/core/mining/defaults.ts';
import { bruteForceCandidates, clusteredMatrix, prng, referenceFilter } from './mining-reference.ts';

const random = prng(31);
const clip = clusteredMatrix(random, 260, 32, 4, 0.3);
const dino = clusteredMatrix(random, 260, 24, 7, 0.55);
const floor = 0.7;
const shape = { pageSize: 25, histogramBins: 20, densityColumns: 40, densityRows: 20, pointsUpTo: 0 };
const sum = (a: Uint32Array) => a.reduce((s, v) => s + v, 0);

describe('pair view (what the miner sends the views)', () => {
  const all = bruteForceCandidates(clip, dino, floor);
  const settings: [string, Omit<PairViewRequest, keyof typeof shape>][] = [
    ['thresholds only', { clipMin: 0.8, dinoMax: 0.7, excludeNearDuplicates: false }],
    ['per-image cap', { clipMin: 0.75, dinoMax: 0.8, maxPerImage: 2, excludeNearDuplicates: false }],
    ['near-duplicates excluded', { clipMin: 0.72, dinoMax: 0.99, excludeNearDuplicates: true, duplicateThreshold: 0.9 }],
    ['cap and duplicates', { clipMin: 0.7, dinoMax: 0.95, maxPerImage: 1, excludeNearDuplicates: true, duplicateThreshold: 0.85 }],
    ['same category, cap and duplicates', { clipMin: 0.74, dinoMax: 0.9, maxPerImage: 2, excludeNearDuplicates: true, duplicateThreshold: 0.88, sameCategoryOnly: true }],
    // So few pairs above the CLIP cut that select gathers them instead of scanning the margin order.
    ['a CLIP cut near the top', { clipMin: 0.97, dinoMax: 0.99, excludeNearDuplicates: true, duplicateThreshold: 0.99 }],
  ];
  const categories = Int32Array.from({ length: 260 }, (_, i) => (i % 9 === 0 ? -1 : i % 3));
  for (const [name, filter] of settings) {
    it(`counts, bins and the page agree with a brute-force reference: ${name}`, async () => {
      const service = new MiningService();
      await service.build(clip, dino, { floor, kernel: 'js' });
      if (filter.sameCategoryOnly) await service.setCategories(categories);
      const { view, version } = await service.view({ ...filter, ...shape });
      const expected = referenceFilter(all, {
        clipMin: filter.clipMin!,
        dinoMax: filter.dinoMax!,
        maxPerImage: filter.maxPerImage,
        excludeNearDuplicates: filter.excludeNearDuplicates,
        duplicateThreshold: filter.duplicateThreshold,
        categories: filter.sameCategoryOnly ? categories : undefined,
      }).pairs;
      expect(expected.length).toBeGreaterThan(0);
      expect(view.total).toBe(expected.length);
      expect(view.candidates).toBe(all.length);
      // Every confusing pair lands in exactly one bin of each histogram and of the density.
      expect(sum(view.clipHistogram.confusing)).toBe(view.total);
      expect(sum(view.dinoHistogram.confusing)).toBe(view.total);
      expect(sum(view.density.confusing)).toBe(view.total);
      expect(sum(view.clipHistogram.candidates)).toBe(all.length);
      expect(sum(view.density.candidates)).toBe(all.length);
      const [lo, hi] = view.clipRange;
      const [dLo, dHi] = view.dinoRange;
      const bins = new Uint32Array(shape.histogramBins);
      const dinoBins = new Uint32Array(shape.histogramBins);
      const cells = new Uint32Array(shape.densityColumns * shape.densityRows);
      const allCells = new Uint32Array(cells.length);
      const cellOf = (p: { clip: number; dino: number }) =>
        binOf(p.dino, dLo, dHi, shape.densityRows) * shape.densityColumns + binOf(p.clip, lo, hi, shape.densityColumns);
      for (const p of expected) {
        bins[binOf(p.clip, lo, hi, shape.histogramBins)]++;
        dinoBins[binOf(p.dino, dLo, dHi, shape.histogramBins)]++;
        cells[cellOf(p)]++;
      }
      for (const p of all) allCells[cellOf(p)]++;
      expect(Array.from(view.clipHistogram.confusing)).toEqual(Array.from(bins));
      expect(Array.from(view.dinoHistogram.confusing)).toEqual(Array.from(dinoBins));
      expect(Array.from(view.density.confusing)).toEqual(Array.from(cells));
      expect(Array.from(view.density.candidates)).toEqual(Array.from(allCells));
      // The page is the head of the list; later pages continue it; positions resolve back.
      const head = expected.slice(0, shape.pageSize);
      expect(Array.from(view.page.a)).toEqual(head.map((p) => p.a));
      expect(Array.from(view.page.b)).toEqual(head.map((p) => p.b));
      const second = await service.page(version, shape.pageSize, shape.pageSize);
      expect(Array.from(second!.a)).toEqual(expected.slice(shape.pageSize, 2 * shape.pageSize).map((p) => p.a));
      if (expected.length > 30) expect(await service.positionOf(version, expected[30].b, expected[30].a)).toBe(30);
      expect(view.byThresholdsAlone).toBe(all.filter((p) => p.clip > filter.clipMin! && p.dino < filter.dinoMax!).length);
    });
  }

  it('bins a similarity a hair above 1 on the axis where it fits, exactly as binOf does', () => {
    // Rounding can put an identical pair's similarity just above 1: outside the grid, so its bars come from its own list.
    const clipValues = [1.0000001, 0.95, 0.85, 0.9, 0.99, 0.81];
    const dinoValues = [0.6, 1.0000002, 0.5, 0.7, 0.4, 0.55];
    const order = clipValues.map((_, i) => i).sort((x, y) => clipValues[y] - clipValues[x]);
    const set = new CandidateSet(
      7,
      0.8,
      Uint32Array.from(order, (i) => i),
      Uint32Array.from(order, (i) => i + 1),
      Float32Array.from(order, (i) => clipValues[i]),
      Float32Array.from(order, (i) => dinoValues[i]),
    );
    const viewer = new PairViewer(set);
    for (const [clipMin, dinoMax] of [[0.8, 1.1], [0.86, 0.65], [0.8, 0.58]]) {
      const request = { ...shape, clipMin, dinoMax, excludeNearDuplicates: false };
      const tally = viewer.tally(request);
      const view = viewer.view(request, set.select(request, tally), tally);
      const kept = clipValues.map((c, i) => [c, dinoValues[i]]).filter(([c, d]) => c > clipMin && d < dinoMax);
      expect(view.total).toBe(kept.length);
      const [lo, hi] = view.clipRange;
      const [dLo, dHi] = view.dinoRange;
      const bars = (values: number[], from: number, to: number) => {
        const out = new Array<number>(shape.histogramBins).fill(0);
        for (const v of values) if (binOf(v, from, to, shape.histogramBins) >= 0) out[binOf(v, from, to, shape.histogramBins)]++;
        return out;
      };
      expect(Array.from(view.clipHistogram.confusing)).toEqual(bars(kept.map(([c]) => c), lo, hi));
      expect(Array.from(view.dinoHistogram.confusing)).toEqual(bars(kept.map(([, d]) => d), dLo, dHi));
      expect(Array.from(view.clipHistogram.candidates)).toEqual(bars(clipValues.map((c) => Math.fround(c)), lo, hi));
    }
  });

  it('refuses pages of an older selection, so a stale page never mixes into a newer list', async () => {
    const service = new MiningService();
    await service.build(clip, dino, { floor, kernel: 'js' });
    const first = await service.view({ clipMin: 0.8, dinoMax: 0.7, ...shape });
    await service.view({ clipMin: 0.85, dinoMax: 0.7, ...shape });
    expect(await service.page(first.version, 0, 10)).toBeNull();
    expect(await service.positionOf(first.version, 0, 1)).toBe(-1);
  });

  it('sends points only for small sets, with the confusing ones marked', async () => {
    const service = new MiningService();
    await service.build(clip, dino, { floor, kernel: 'js' });
    const { view } = await service.view({ clipMin: 0.8, dinoMax: 0.7, ...shape, pointsUpTo: 1e9 });
    expect(view.points!.clip.length).toBe(view.candidates);
    expect(view.points!.confusing.reduce((s, v) => s + v, 0)).toBe(view.total);
    const big = await service.view({ clipMin: 0.8, dinoMax: 0.7, ...shape });
    expect(big.view.points).toBeNull();
  });

  it('neighbours, ranks and similarities use the same rule as the mined pairs', async () => {
    const service = new MiningService();
    await service.build(clip, dino, { floor, kernel: 'js' });
    const { view } = await service.view({ clipMin: floor, dinoMax: 1, ...shape, excludeNearDuplicates: false });
    const [a, b] = [view.page.a[0], view.page.b[0]];
    const sims = await service.similarities(Uint32Array.of(a, b, b, a));
    expect(sims.clip[0]).toBe(view.page.clip[0]);
    expect(sims.dino[1]).toBe(view.page.dino[0]);
    const near = await service.neighbours(a, 3);
    expect(near.clip[0].similarity).toBeGreaterThanOrEqual(near.clip[1].similarity);
    const ranks = await service.ranks(a, b);
    expect(ranks.clipAB).toBe(near.clip.findIndex((n) => n.index === b) + 1 || ranks.clipAB);
    expect(ranks.clipAB).toBeGreaterThanOrEqual(1);
  });

  it('restored candidates filter like the build they came from', async () => {
    const built = new MiningService();
    await built.build(clip, dino, { floor, kernel: 'js' });
    const state = await built.exportCandidates();
    const restored = new MiningService();
    await restored.importCandidates(structuredClone(state), { clip, dino });
    const request = { clipMin: 0.75, dinoMax: 0.8, maxPerImage: 3, ...shape };
    expect((await restored.view(request)).view).toEqual((await built.view(request)).view);
    expect(await restored.similarities(Uint32Array.of(0, 1))).toEqual(await built.similarities(Uint32Array.of(0, 1)));
    expect(PairMiner.build(clip, dino, { floor }).candidates.size).toBe(state.clip.length);
  });
});

describe('one defaults table and one rounding rule', () => {
  it('rounds thresholds to the step the labels show', () => {
    expect(roundThreshold(0.9004)).toBe(0.9);
    expect(roundThreshold(0.7496)).toBe(0.75);
    expect(Object.is(roundThreshold(-0.0001), 0)).toBe(true);
    expect(MINING_DEFAULTS).toMatchObject({ floor: 0.8, clipMin: 0.9, dinoMax: 0.75, excludeNearDuplicates: true, duplicateThreshold: 0.97 });
  });

  it('never prints a similarity on the wrong side of (or on) the threshold it is compared with', () => {
    expect(formatSimilarity(0.7496, 0.75)).toBe('0.7496');
    expect(formatSimilarity(0.90004, 0.9)).toBe('0.90004');
    expect(formatSimilarity(0.8123, 0.75)).toBe('0.812');
    expect(formatSimilarity(0.75, 0.75)).toBe('0.750');
    for (let k = 0; k < 2000; k++) {
      const t = Math.round(Math.random() * 1000) / 1000;
      const v = Math.fround(t + (Math.random() - 0.5) * 0.002);
      const shown = Number(formatSimilarity(v, t));
      if (v < t) expect(shown).toBeLessThan(t);
      if (v > t) expect(shown).toBeGreaterThan(t);
    }
  });
});
