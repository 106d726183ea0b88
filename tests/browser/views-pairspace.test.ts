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

/** A theme variable's colour as [r, g, b]. */
function cssRgb(element: Element, variable: string): number[] {
  const probe = document.createElement('span');
  probe.style.color = `var(${variable})`;
  element.parentElement!.appendChild(probe);
  const match = getComputedStyle(probe).color.match(/\d+/g)!;
  probe.remove();
  return match.slice(0, 3).map(Number);
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
    // x axis spans 0.78..1.00 (from 0.02 under the 0.8 floor) over the plot width: a quarter of it adds 0.055.
    const plotWidth = svgBox.width - 48 - 16;
    pointerAt(svg, 'pointermove', startX + plotWidth / 4, 100);
    pointerAt(svg, 'pointerup', startX + plotWidth / 4, 100);
    const [clipMin, dinoMax] = onthresholds.mock.lastCall!;
    expect(clipMin).toBeCloseTo(0.955, 2);
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
    const canvas = screen.container.querySelector<HTMLCanvasElement>('[data-testid=pair-density]')!;
    const { columns, rows, candidates: all, confusing } = manyView.density;
    // One cell per non-empty density bin, coloured where confusing pairs lie.
    expect(Number(canvas.dataset.cells)).toBe(all.filter((n) => n > 0).length);
    expect(Number(canvas.dataset.cells)).toBeGreaterThan(50);
    expect(Number(canvas.dataset.hotCells)).toBe(confusing.filter((n) => n > 0).length);
    // What is painted: read a pixel at the centre of every cell (row 0 at the bottom).
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const [accent, pink] = [cssRgb(canvas, '--accent'), cssRgb(canvas, '--confusing')];
    let painted = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        const k = r * columns + c;
        const px = Math.floor(((c + 0.5) / columns) * canvas.width);
        const py = Math.floor(((rows - 1 - r + 0.5) / rows) * canvas.height);
        const at = (py * canvas.width + px) * 4;
        const rgba = Array.from(pixels.subarray(at, at + 4));
        if (all[k] === 0) {
          expect(rgba[3]).toBe(0);
          continue;
        }
        painted++;
        expect(rgba[3]).toBeGreaterThanOrEqual(Math.floor(255 * 0.18));
        // The canvas stores premultiplied colour, so faint cells read back a few levels off.
        const expected = confusing[k] > 0 ? pink : accent;
        for (let ch = 0; ch < 3; ch++) expect(Math.abs(rgba[ch] - expected[ch])).toBeLessThanOrEqual(6);
      }
    }
    expect(painted).toBe(Number(canvas.dataset.cells));
    await expect.element(screen.getByTestId('quadrant-count')).toHaveTextContent(`${brute(many.clip, many.dino, 0.9, 0.75).toLocaleString('en-US')} confusing of 20,000`);
    await screenshotBothThemes(target, 'views-pairspace-density');
    const few = candidates(600, 6);
    await screen.rerender({ view: pairViewOf(candidateSetOf(few.clip, few.dino, 0.8), 0.9, 0.75) });
    expect(screen.container.querySelectorAll('circle').length).toBe(600);
    expect(screen.container.querySelector<HTMLCanvasElement>('[data-testid=pair-density]')!.dataset.cells).toBe('0');
    await screenshotBothThemes(target, 'views-pairspace-dots');
  });
});
