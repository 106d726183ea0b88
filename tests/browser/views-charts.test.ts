import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, cleanup } from 'vitest-browser-svelte';
import { userEvent } from 'vitest/browser';
import SimilarityHistograms from '../../src/ui/views/SimilarityHistograms.svelte';
import SensitivityHeatmap from '../../src/ui/views/SensitivityHeatmap.svelte';
import { host, pointerAt, random, screenshotBothThemes } from './views-support.ts';

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
  it('counts the pairs on the confusing side of each threshold and follows the thresholds', async () => {
    const { clip, dino } = candidates(3000);
    const target = await host(420);
    const screen = await render(SimilarityHistograms, { target, props: { clip, dino, clipMin: 0.9, dinoMax: 0.75, floor: 0.8 } });
    const above = clip.filter((v) => v > 0.9).length;
    const below = dino.filter((v) => v < 0.75).length;
    const figures = screen.getByRole('img');
    await expect.element(figures.nth(0)).toHaveAccessibleName(new RegExp(`${above.toLocaleString('en-US')} pairs are above the threshold 0.900`));
    await expect.element(figures.nth(1)).toHaveAccessibleName(new RegExp(`${below.toLocaleString('en-US')} pairs are below the threshold 0.750`));
    expect(screen.container.querySelectorAll('.clip rect').length).toBe(40);
    await screenshotBothThemes(target, 'views-histograms');
    await screen.rerender({ clipMin: 0.95 });
    const aboveNow = clip.filter((v) => v > 0.95).length;
    await expect.element(figures.nth(0)).toHaveAccessibleName(new RegExp(`${aboveNow.toLocaleString('en-US')} pairs are above`));
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
});
