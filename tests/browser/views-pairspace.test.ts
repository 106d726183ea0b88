import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, cleanup } from 'vitest-browser-svelte';
import { userEvent } from 'vitest/browser';
import PairSpacePlot from '../../src/ui/views/PairSpacePlot.svelte';
import { PairViewer } from '../../src/core/mining/pair-view.ts';
import { candidateSetOf, host, pairViewOf, pointerAt, random, screenshotBothThemes } from './views-support.ts';

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

/** A plot over the miner's answer that asks for a new answer when a threshold moves, as the app does. */
async function plotOf(clip: Float32Array, dino: Float32Array) {
  const set = candidateSetOf(clip, dino, 0.8);
  const viewer = new PairViewer(set);
  const viewAt = (clipMin: number, dinoMax: number) => pairViewOf(set, clipMin, dinoMax, {}, viewer);
  const target = await host(560);
  const onthresholds = vi.fn((clipMin: number, dinoMax: number) => void screen.rerender({ view: viewAt(clipMin, dinoMax), clipMin, dinoMax }));
  const screen = await render(PairSpacePlot, { target, props: { view: viewAt(0.9, 0.75), clipMin: 0.9, dinoMax: 0.75, onthresholds } });
  return { screen, onthresholds };
}

describe('PairSpacePlot', () => {
  it('moves thresholds from the keyboard and updates the quadrant count', async () => {
    const { clip, dino } = candidates(400);
    const { screen, onthresholds } = await plotOf(clip, dino);
    const count = screen.getByTestId('quadrant-count');
    await expect.element(count).toHaveTextContent(`${brute(clip, dino, 0.9, 0.75)} confusing of 400`);
    // Few candidates: each is a point, coloured when it is in the list.
    expect(screen.container.querySelectorAll('circle').length).toBe(400);
    expect(screen.container.querySelectorAll('circle.hot').length).toBe(brute(clip, dino, 0.9, 0.75));
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
    expect(screen.container.querySelectorAll('circle.hot').length).toBe(brute(clip, dino, 0.91, 0.7));
  });

  it('drags the CLIP line with the pointer', async () => {
    const { clip, dino } = candidates(400);
    const { screen, onthresholds } = await plotOf(clip, dino);
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
    // The count is the miner's, after its rules (here a per-image cap), shown as given.
    const capped = pairViewOf(candidateSetOf(clip, dino, 0.8), 0.9, 0.75, { maxPerImage: 1 });
    expect(capped.total).toBeGreaterThan(0);
    expect(capped.total).toBeLessThan(brute(clip, dino, 0.9, 0.75));
    await screen.rerender({ view: capped, clipMin: 0.9, dinoMax: 0.75 });
    await expect.element(screen.getByTestId('quadrant-count')).toHaveTextContent(`${capped.total} confusing of 400`);
    expect(screen.container.querySelectorAll('circle.hot').length).toBe(capped.total);
  });

  it('switches to density cells for many pairs (screenshots)', async () => {
    const many = candidates(20_000, 5);
    const target = await host(560);
    const manyView = pairViewOf(candidateSetOf(many.clip, many.dino, 0.8), 0.9, 0.75);
    const screen = await render(PairSpacePlot, { target, props: { view: manyView, clipMin: 0.9, dinoMax: 0.75 } });
    expect(screen.container.querySelectorAll('circle').length).toBe(0);
    const cells = screen.container.querySelectorAll('rect.cell');
    expect(cells.length).toBeGreaterThan(50);
    // One cell per non-empty density bin, coloured where confusing pairs lie.
    expect(cells.length).toBe(manyView.density.candidates.filter((n) => n > 0).length);
    expect(screen.container.querySelectorAll('rect.cell.hot').length).toBe(manyView.density.confusing.filter((n) => n > 0).length);
    await expect.element(screen.getByTestId('quadrant-count')).toHaveTextContent(`${brute(many.clip, many.dino, 0.9, 0.75).toLocaleString('en-US')} confusing of 20,000`);
    await screenshotBothThemes(target, 'views-pairspace-density');
    const few = candidates(600, 6);
    await screen.rerender({ view: pairViewOf(candidateSetOf(few.clip, few.dino, 0.8), 0.9, 0.75) });
    expect(screen.container.querySelectorAll('circle').length).toBe(600);
    expect(screen.container.querySelectorAll('rect.cell').length).toBe(0);
    await screenshotBothThemes(target, 'views-pairspace-dots');
  });
});
