import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, cleanup } from 'vitest-browser-svelte';
import { userEvent } from 'vitest/browser';
import SimilarityHistograms from '../../src/ui/views/SimilarityHistograms.svelte';
import SensitivityHeatmap from '../../src/ui/views/SensitivityHeatmap.svelte';
import { binOf } from '../../src/core/mining/pair-view.ts';
import { candidateSetOf, host, pairViewOf, pointerAt, random, screenshotBothThemes } from './views-support.ts';

afterEach(() => {
  cleanup();
  document.body.innerHTML = '';
});

function candidates(count: number): { clip: Float32Array; dino: Float32Array } {
  const next = random(8);
  const clip = Float32Array.from({ length: count }, () => 0.8 + 0.2 * Math.sqrt(next()) * 0.999);
  const dino = Float32Array.from(clip, (c) => Math.max(0.3, Math.min(0.99, c - 0.15 + (next() - 0.5) * 0.4)));
  return { clip, dino };
}

/** The exact grid the miner is specified to produce, by brute force. */
function sensitivity(clip: Float32Array, dino: Float32Array, size: number, clipRange: [number, number], dinoRange: [number, number]): Uint32Array {
  const grid = new Uint32Array(size * size);
  for (let d = 0; d < size; d++) {
    const dinoMax = dinoRange[0] + (d * (dinoRange[1] - dinoRange[0])) / (size - 1);
    for (let c = 0; c < size; c++) {
      const clipMin = clipRange[0] + (c * (clipRange[1] - clipRange[0])) / (size - 1);
      for (let i = 0; i < clip.length; i++) if (clip[i] > clipMin && dino[i] < dinoMax) grid[d * size + c]++;
    }
  }
  return grid;
}

describe('SimilarityHistograms', () => {
  it("draws the miner's bins and confusing count at the thresholds and follows them", async () => {
    const { clip, dino } = candidates(3000);
    const set = candidateSetOf(clip, dino, 0.8);
    const view = pairViewOf(set, 0.9, 0.75);
    const target = await host(420);
    const screen = await render(SimilarityHistograms, { target, props: { view, clipMin: 0.9, dinoMax: 0.75 } });
    const confusing = (clipMin: number, dinoMax: number) => clip.filter((v, i) => v > clipMin && dino[i] < dinoMax).length;
    const both = confusing(0.9, 0.75);
    expect(view.total).toBe(both);
    const figures = screen.getByRole('img');
    await expect.element(figures.nth(0)).toHaveAccessibleName(new RegExp(`CLIP similarity histogram over 3,000 candidate pairs.*the ${both.toLocaleString('en-US')} confusing pairs are coloured`));
    await expect.element(figures.nth(1)).toHaveAccessibleName(new RegExp(`DINOv2 similarity histogram over 3,000 candidate pairs.*the ${both.toLocaleString('en-US')} confusing pairs are coloured`));
    await expect.element(screen.getByTestId('histogram-count-clip')).toHaveTextContent(`${both.toLocaleString('en-US')} confusing · > 0.900`);
    await expect.element(screen.getByTestId('histogram-count-dino')).toHaveTextContent(`${both.toLocaleString('en-US')} confusing · < 0.750`);
    expect(screen.container.querySelectorAll('.clip rect:not(.kept)').length).toBe(40);
    expect(screen.container.querySelectorAll('.dino rect:not(.kept)').length).toBe(40);
    // Each bar is the brute-force count of its bin: heights proportional to the counts, the tallest full height.
    for (const [key, values, bins] of [['clip', clip, view.clipHistogram], ['dino', dino, view.dinoHistogram]] as const) {
      const counts = new Array<number>(40).fill(0);
      const kept = new Array<number>(40).fill(0);
      values.forEach((v, i) => {
        const k = binOf(v, bins.lo, bins.hi, 40);
        if (k < 0) return;
        counts[k]++;
        if (clip[i] > 0.9 && dino[i] < 0.75) kept[k]++;
      });
      expect(counts.reduce((x, y) => x + y)).toBe(3000);
      const heights = [...screen.container.querySelectorAll(`.${key} rect:not(.kept)`)].map((r) => Number(r.getAttribute('height')));
      const max = Math.max(...counts);
      const full = Math.max(...heights);
      heights.forEach((h, k) => expect(h).toBeCloseTo((full * counts[k]) / max, 6));
      expect(screen.container.querySelectorAll(`.${key} rect.kept`).length).toBe(kept.filter((n) => n > 0).length);
    }
    await screenshotBothThemes(target, 'views-histograms');
    await screen.rerender({ view: pairViewOf(set, 0.95, 0.75), clipMin: 0.95 });
    const bothNow = confusing(0.95, 0.75);
    expect(bothNow).toBeLessThan(both);
    await expect.element(screen.getByTestId('histogram-count-clip')).toHaveTextContent(`${bothNow.toLocaleString('en-US')} confusing · > 0.950`);
    await expect.element(figures.nth(0)).toHaveAccessibleName(new RegExp(`the ${bothNow.toLocaleString('en-US')} confusing pairs are coloured`));
  });
});

describe('SensitivityHeatmap', () => {
  it('shows the count at the current thresholds and sets thresholds by click and arrow keys', async () => {
    const { clip, dino } = candidates(2000);
    const size = 50;
    const grid = sensitivity(clip, dino, size, [0.8, 1], [0.3, 1]);
    const onthresholds = vi.fn();
    const target = await host(420);
    const screen = await render(SensitivityHeatmap, {
      target,
      props: { grid, size, clipRange: [0.8, 1] as const, dinoRange: [0.3, 1] as const, clipMin: 0.91, dinoMax: 0.75, onthresholds },
    });
    // 0.91 is grid column 26.95 -> 27 (0.9102), 0.75 is row 32.14 -> 32 (0.757...).
    const expected = grid[32 * size + 27];
    await expect.element(screen.getByTestId('heatmap-status')).toHaveTextContent(`Current: CLIP > 0.910, DINO < 0.757: ${expected.toLocaleString('en-US')} pairs`);
    const slider = screen.getByRole('slider');
    (slider.element() as HTMLElement).focus();
    await userEvent.keyboard('{ArrowRight}');
    expect(onthresholds).toHaveBeenLastCalledWith(0.914, 0.757);
    await userEvent.keyboard('{ArrowDown}');
    expect(onthresholds).toHaveBeenLastCalledWith(0.91, 0.743);
    const surface = slider.element();
    const box = surface.getBoundingClientRect();
    // Bottom-left cell: lowest CLIP threshold, lowest DINO threshold.
    pointerAt(surface, 'pointermove', 2, box.height - 2);
    await expect.element(screen.getByTestId('heatmap-status')).toHaveTextContent(`Pointer: CLIP > 0.800, DINO < 0.300: ${grid[0]} pairs`);
    (surface as HTMLElement).dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: box.left + 2, clientY: box.bottom - 2 }));
    expect(onthresholds).toHaveBeenLastCalledWith(0.8, 0.3);
    pointerAt(surface, 'pointerleave', -5, -5);
    await screenshotBothThemes(target, 'views-heatmap');
  });

  it("shows the miner's exact counts at the current thresholds, and says when rules change them", async () => {
    const { clip, dino } = candidates(2000);
    const size = 50;
    const grid = sensitivity(clip, dino, size, [0.8, 1], [0.3, 1]);
    const set = candidateSetOf(clip, dino, 0.8);
    const exact = (view: ReturnType<typeof pairViewOf>) => ({ byThresholds: view.byThresholdsAlone, afterRules: view.total, rulesActive: view.byThresholdsAlone !== view.total });
    const plain = pairViewOf(set, 0.91, 0.75);
    const byThresholds = clip.filter((v, i) => v > 0.91 && dino[i] < 0.75).length;
    expect(plain.byThresholdsAlone).toBe(byThresholds);
    expect(plain.total).toBe(byThresholds);
    const target = await host(420);
    const screen = await render(SensitivityHeatmap, {
      target,
      props: { grid, size, clipRange: [0.8, 1] as const, dinoRange: [0.3, 1] as const, clipMin: 0.91, dinoMax: 0.75, current: exact(plain) },
    });
    // The exact thresholds, not the nearest cell's (0.9102, 0.757).
    await expect.element(screen.getByTestId('heatmap-status')).toHaveTextContent(new RegExp(`^Current: CLIP > 0.910, DINO < 0.750: ${byThresholds.toLocaleString('en-US')} pairs$`));
    const capped = pairViewOf(set, 0.91, 0.75, { maxPerImage: 1 });
    expect(capped.byThresholdsAlone).toBe(byThresholds);
    expect(capped.total).toBeLessThan(byThresholds);
    await screen.rerender({ current: exact(capped) });
    await expect.element(screen.getByTestId('heatmap-status')).toHaveTextContent(
      `Current: CLIP > 0.910, DINO < 0.750: ${capped.total.toLocaleString('en-US')} pairs (${byThresholds.toLocaleString('en-US')} by thresholds alone; cells count before the cap and exclusions)`,
    );
    // A cell under the pointer counts by thresholds alone, and says so.
    const surface = screen.getByRole('slider').element();
    const box = surface.getBoundingClientRect();
    pointerAt(surface, 'pointermove', 2, box.height - 2);
    await expect.element(screen.getByTestId('heatmap-status')).toHaveTextContent(`Pointer: CLIP > 0.800, DINO < 0.300: ${grid[0]} pairs by thresholds alone`);
  });
});
