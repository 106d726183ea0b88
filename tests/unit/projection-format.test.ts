import { describe, expect, it } from 'vitest';
import { estimateRemaining, formatCount, formatDuration, formatMargin, formatPercent, formatRate, formatSimilarity } from '../../src/ui/lib/format.ts';
import { EtaSmoother, RateMeter } from '../../src/ui/lib/rate.ts';
import { countQuadrant, histogram, insidePolygon, scrollToReveal, visibleWindow } from '../../src/ui/lib/geometry.ts';
import { clampThreshold, thresholdKeyStep } from '../../src/ui/lib/thresholds.ts';
import { panBy, resetView, zoomAt } from '../../src/ui/lib/view-transform.ts';

describe('view formatting helpers', () => {
  it('formats counts, similarities, margins, rates, durations and percentages', () => {
    expect(formatCount(12345.4)).toBe('12,345');
    expect(formatSimilarity(0.91234)).toBe('0.912');
    expect(formatMargin(0.18)).toBe('+0.180');
    expect(formatMargin(-0.05)).toBe('−0.050');
    expect(formatRate(0.42)).toBe('0.42/s');
    expect(formatRate(37.5, 'images')).toBe('38 images/s');
    expect(formatRate(0)).toBe('–');
    expect(formatDuration(5)).toBe('5 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
    expect(formatDuration(7300)).toBe('2 h 01 min');
    expect(formatPercent(0.004)).toBe('0.4%');
    expect(formatPercent(0.999)).toBe('99%');
    expect(estimateRemaining(25, 100, 5)).toBe(15);
    expect(estimateRemaining(25, 100, Number.NaN)).toBeNaN();
  });

  it('measures a rate over a sliding window and restarts when done goes down', () => {
    const meter = new RateMeter(5000);
    expect(meter.sample(0, 0)).toBeNaN();
    // The wait for the first item is not throughput: measuring starts there.
    expect(meter.sample(10, 8000)).toBeNaN();
    expect(meter.sample(30, 9000)).toBe(20);
    expect(meter.sample(50, 10000)).toBe(20);
    expect(meter.sample(2, 11000)).toBeNaN();
    expect(meter.sample(6, 13000)).toBe(2);
  });

  it('smooths the time left: it counts down between updates and moves a third of the way to each new estimate', () => {
    const eta = new EtaSmoother();
    expect(eta.estimate(Number.NaN, 0)).toBeNaN();
    expect(eta.estimate(30, 1000)).toBe(30);
    // One slow batch says 90 s: shown 29 + (90 - 29) / 3, not 90.
    expect(eta.estimate(90, 2000)).toBeCloseTo(29 + 61 / 3, 9);
    // No new estimate: it keeps counting down.
    expect(eta.estimate(Number.NaN, 5000)).toBeCloseTo(29 + 61 / 3 - 3, 9);
  });

  it('a 21 s run whose first batch waited 8 s for a model never says more than about 20 s left', () => {
    const meter = new RateMeter(5000);
    const eta = new EtaSmoother();
    const shown: number[] = [];
    meter.sample(0, 0);
    // 8 s of start-up, then 8 images per second until 104 of 104 at 21 s.
    for (let t = 8; t <= 21; t++) {
      const done = Math.min(104, (t - 8) * 8 + 8);
      const left = eta.estimate(estimateRemaining(done, 104, meter.sample(done, t * 1000)), t * 1000);
      if (Number.isFinite(left)) shown.push(left);
    }
    expect(shown.length).toBeGreaterThan(5);
    expect(Math.max(...shown)).toBeLessThanOrEqual(13);
  });
});

describe('view geometry helpers', () => {
  it('selects inside polygons, windows virtual lists and bins histograms', () => {
    const triangle = [[0, 0], [10, 0], [0, 10]] as const;
    expect(insidePolygon(2, 2, triangle)).toBe(true);
    expect(insidePolygon(8, 8, triangle)).toBe(false);
    expect(visibleWindow(0, 400, 64, 5000, 4)).toEqual({ start: 0, end: 12 });
    expect(visibleWindow(64 * 100, 400, 64, 5000, 4)).toEqual({ start: 96, end: 112 });
    expect(visibleWindow(64 * 5000, 400, 64, 5000, 4).end).toBe(5000);
    expect(scrollToReveal(10, 0, 400, 64)).toBe(704 - 400);
    expect(scrollToReveal(2, 300, 400, 64)).toBe(128);
    expect(scrollToReveal(6, 300, 400, 64)).toBe(300);
    expect(Array.from(histogram(new Float32Array([0, 0.24, 0.25, 0.99, 1, 5]), 0, 1, 4))).toEqual([2, 1, 0, 3]);
    expect(countQuadrant(new Float32Array([0.95, 0.95, 0.85]), new Float32Array([0.5, 0.8, 0.5]), 0.9, 0.75)).toBe(1);
  });

  it('rounds thresholds, maps keys and keeps zoom around the pointer', () => {
    expect(clampThreshold(0.90500001, [0.8, 1])).toBe(0.905);
    expect(clampThreshold(1.2, [0.8, 1])).toBe(1);
    expect(thresholdKeyStep({ key: 'ArrowUp', shiftKey: false })).toBe(0.005);
    expect(thresholdKeyStep({ key: 'ArrowLeft', shiftKey: true })).toBe(-0.05);
    expect(thresholdKeyStep({ key: 'End', shiftKey: false })).toBe('max');
    expect(thresholdKeyStep({ key: 'a', shiftKey: false })).toBeNull();
    const zoomed = zoomAt(resetView(), 2, 100, 50);
    expect(zoomed).toEqual({ k: 2, x: -100, y: -50 });
    expect(panBy(zoomed, 5, 5)).toEqual({ k: 2, x: -95, y: -45 });
    expect(panBy(resetView(), 5, 5)).toEqual(resetView());
    expect(zoomAt(zoomed, 0.1, 0, 0)).toEqual(resetView());
  });
});
