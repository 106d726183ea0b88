import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, cleanup } from 'vitest-browser-svelte';
import { userEvent } from 'vitest/browser';
import PairSpacePlot from '../../src/ui/views/PairSpacePlot.svelte';
import { host, pointerAt, random, screenshotBothThemes } from './views-support.ts';

afterEach(() => {
  cleanup();
  document.body.innerHTML = '';
});

/** Candidate pairs above a 0.8 CLIP floor with DINO loosely following CLIP. */
function candidates(count: number, seed = 2): { clip: Float32Array; dino: Float32Array } {
  const next = random(seed);
  const clip = new Float32Array(count);
  const dino = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    clip[i] = 0.8 + 0.2 * Math.sqrt(next()) * 0.999;
    dino[i] = Math.min(0.999, Math.max(0.2, clip[i] - 0.15 + (next() + next() + next() - 1.5) * 0.18));
  }
  return { clip, dino };
}

function brute(clip: Float32Array, dino: Float32Array, clipMin: number, dinoMax: number): number {
  let n = 0;
  for (let i = 0; i < clip.length; i++) if (clip[i] > clipMin && dino[i] < dinoMax) n++;
  return n;
}

describe('PairSpacePlot', () => {
  it('moves thresholds from the keyboard and updates the quadrant count', async () => {
    const { clip, dino } = candidates(400);
    const onthresholds = vi.fn();
    const target = await host(560);
    const screen = await render(PairSpacePlot, { target, props: { clip, dino, clipMin: 0.9, dinoMax: 0.75, floor: 0.8, onthresholds } });
    const count = screen.getByTestId('quadrant-count');
    await expect.element(count).toHaveTextContent(`${brute(clip, dino, 0.9, 0.75)} confusing of 400`);
    const clipHandle = screen.getByRole('slider', { name: /CLIP similarity threshold/ });
    await clipHandle.click();
    await userEvent.keyboard('{ArrowRight}{ArrowRight}');
    expect(onthresholds).toHaveBeenLastCalledWith(0.91, 0.75);
    await expect.element(count).toHaveTextContent(`${brute(clip, dino, 0.91, 0.75)} confusing of 400`);
    const dinoHandle = screen.getByRole('slider', { name: /DINO similarity threshold/ });
    (dinoHandle.element() as SVGGElement).focus();
    await userEvent.keyboard('{Shift>}{ArrowDown}{/Shift}');
    expect(onthresholds).toHaveBeenLastCalledWith(0.91, 0.7);
    await expect.element(dinoHandle).toHaveAttribute('aria-valuetext', 'DINO below 0.700');
    await expect.element(count).toHaveTextContent(`${brute(clip, dino, 0.91, 0.7)} confusing of 400`);
  });

  it('drags the CLIP line with the pointer', async () => {
    const { clip, dino } = candidates(400);
    const onthresholds = vi.fn();
    const target = await host(560);
    const screen = await render(PairSpacePlot, { target, props: { clip, dino, clipMin: 0.9, dinoMax: 0.75, floor: 0.8, onthresholds } });
    const svg = screen.container.querySelector('svg')!;
    const hit = screen.container.querySelector('.threshold.clip .hit')!;
    const lineBox = hit.getBoundingClientRect();
    const svgBox = svg.getBoundingClientRect();
    const startX = lineBox.left + lineBox.width / 2 - svgBox.left;
    pointerAt(hit, 'pointerdown', lineBox.width / 2, lineBox.height / 2);
    // x axis spans 0.80..1.00 over the plot width: moving right by a quarter of it adds 0.05.
    const plotWidth = svgBox.width - 48 - 16;
    pointerAt(svg, 'pointermove', startX + plotWidth / 4, 100);
    pointerAt(svg, 'pointerup', startX + plotWidth / 4, 100);
    const [clipMin, dinoMax] = onthresholds.mock.lastCall!;
    expect(clipMin).toBeCloseTo(0.95, 2);
    expect(dinoMax).toBe(0.75);
    await expect.element(screen.getByTestId('quadrant-count')).toHaveTextContent(`${brute(clip, dino, clipMin, 0.75)} confusing`);
    // A count from the miner (e.g. after per-image caps) is shown as given.
    await screen.rerender({ count: 12 });
    await expect.element(screen.getByTestId('quadrant-count')).toHaveTextContent('12 confusing of 400');
  });

  it('switches to hexagonal density for many pairs (screenshots)', async () => {
    const many = candidates(20_000, 5);
    const target = await host(560);
    const screen = await render(PairSpacePlot, { target, props: { ...many, clipMin: 0.9, dinoMax: 0.75, floor: 0.8 } });
    expect(screen.container.querySelectorAll('circle').length).toBe(0);
    expect(screen.container.querySelectorAll('path').length).toBeGreaterThan(50);
    await screenshotBothThemes(target, 'views-pairspace-hexbin');
    await screen.rerender({ ...candidates(600, 6) });
    expect(screen.container.querySelectorAll('circle').length).toBe(600);
    await screenshotBothThemes(target, 'views-pairspace-dots');
  });
});
