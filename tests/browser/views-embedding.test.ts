import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, cleanup } from 'vitest-browser-svelte';
import EmbeddingPlot from '../../src/ui/views/EmbeddingPlot.svelte';
import { frames, host, pointerAt, random, screenshotBothThemes, thumbnailUrl } from './views-support.ts';

afterEach(() => {
  cleanup();
  document.body.innerHTML = '';
});

/** Four corners and the centre of a square. */
const square = new Float32Array([0, 0, 10, 0, 0, 10, 10, 10, 5, 5]);

describe('EmbeddingPlot', () => {
  it('reports the nearest point under the pointer and clears on leave', async () => {
    const onhover = vi.fn();
    const target = await host(480);
    const screen = await render(EmbeddingPlot, { target, props: { title: 'CLIP space', positions: square, onhover } });
    const surface = screen.getByTestId('embedding-surface').element();
    const box = surface.getBoundingClientRect();
    pointerAt(surface, 'pointermove', box.width / 2 + 2, box.height / 2 - 1);
    expect(onhover).toHaveBeenLastCalledWith(4);
    // Equal aspect: the square is centred, so (0, 10) is up and left of the centre.
    const side = Math.min(box.width, box.height) / 1.1;
    pointerAt(surface, 'pointermove', box.width / 2 - side / 2 + 3, box.height / 2 - side / 2 + 3);
    expect(onhover).toHaveBeenLastCalledWith(2);
    pointerAt(surface, 'pointermove', box.width / 2 - side / 4, box.height / 2);
    expect(onhover).toHaveBeenLastCalledWith(-1);
    expect(surface.getAttribute('aria-label')).toBe('CLIP space: 5 images.');
  });

  it('selects the points inside a dragged rectangle and inside a lasso', async () => {
    const onbrush = vi.fn();
    const target = await host(480);
    const screen = await render(EmbeddingPlot, { target, props: { title: 'DINO space', positions: square, onbrush } });
    await screen.getByRole('radio', { name: 'Box' }).click();
    const surface = screen.getByTestId('embedding-surface').element();
    const { width, height } = surface.getBoundingClientRect();
    // The right half of the plot holds (10, 0), (10, 10).
    pointerAt(surface, 'pointerdown', width / 2 + 10, 1);
    pointerAt(surface, 'pointermove', width - 1, height / 2);
    pointerAt(surface, 'pointerup', width - 1, height - 1);
    expect(Array.from(onbrush.mock.lastCall![0] as Uint32Array)).toEqual([1, 3]);

    await screen.getByRole('radio', { name: 'Lasso' }).click();
    // A triangle around the centre point only.
    pointerAt(surface, 'pointerdown', width / 2 - 20, height / 2 + 20);
    pointerAt(surface, 'pointermove', width / 2 + 20, height / 2 + 20);
    pointerAt(surface, 'pointerup', width / 2, height / 2 - 25);
    expect(Array.from(onbrush.mock.lastCall![0] as Uint32Array)).toEqual([4]);
  });

  it('draws 10,000 points with links, a highlight and a tooltip (screenshots)', async () => {
    const next = random(4);
    const n = 10_000;
    const positions = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const cluster = i % 7;
      const angle = (cluster / 7) * 2 * Math.PI;
      positions[2 * i] = Math.cos(angle) * 6 + (next() + next() + next() - 1.5) * 1.6;
      positions[2 * i + 1] = Math.sin(angle) * 4 + (next() + next() + next() - 1.5) * 1.6;
    }
    const links = Uint32Array.from({ length: 60 }, () => Math.floor(next() * n));
    const highlight = Uint32Array.from({ length: 300 }, (_, k) => k * 7);
    const labels = Array.from({ length: n }, (_, i) => `chest-xray-${String(i).padStart(5, '0')}.png`);
    const target = await host(560);
    const screen = await render(EmbeddingPlot, {
      target,
      props: { title: 'BiomedCLIP', color: 'var(--clip)', positions, links, labels, highlight, selected: 7, xLabel: 'PC 1', yLabel: 'PC 2', thumbnail: (i: number) => thumbnailUrl(i) },
    });
    const surface = screen.getByTestId('embedding-surface').element();
    expect(surface.getAttribute('aria-label')).toContain('10,000 images, 300 highlighted, 30 confusing pairs');
    const box = surface.getBoundingClientRect();
    const x = ((positions[14] - -9) / 18) * box.width;
    pointerAt(surface, 'pointermove', x, box.height / 2);
    await frames();
    await screenshotBothThemes(target, 'views-embedding');
    await screen.rerender({ highlight: undefined, color: 'var(--dino)', title: 'DINOv2' });
    await frames();
    await screenshotBothThemes(target, 'views-embedding-dino');
  });
});
