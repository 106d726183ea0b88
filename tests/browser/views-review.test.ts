import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatMargin } from '../../src/ui/lib/format.ts';
import { render, cleanup } from 'vitest-browser-svelte';
import { userEvent } from 'vitest/browser';
import { createRawSnippet } from 'svelte';
import PairGallery from '../../src/ui/views/PairGallery.svelte';
import type { GalleryRow } from '../../src/ui/views/types.ts';
import PairViewer from '../../src/ui/views/PairViewer.svelte';
import ProgressBar from '../../src/ui/views/ProgressBar.svelte';
import { frames, host, random, screenshotBothThemes, thumbnailUrl } from './views-support.ts';

afterEach(() => {
  cleanup();
  document.body.innerHTML = '';
});

function pairs(count: number) {
  const next = random(3);
  const a = Uint32Array.from({ length: count }, (_, i) => i % 97);
  const b = Uint32Array.from({ length: count }, (_, i) => 97 + (i % 89));
  const clip = Float32Array.from({ length: count }, () => 0.9 + next() * 0.09);
  const dino = Float32Array.from({ length: count }, () => 0.4 + next() * 0.34);
  return { a, b, clip, dino };
}

const thumbs = Array.from({ length: 200 }, (_, i) => thumbnailUrl(i));

/** The gallery's props for a list of pairs: the count, and each row as the pair list resolves it. */
function gallery(count: number) {
  const p = pairs(count);
  const row = (i: number): GalleryRow | undefined =>
    i < count ? { nameA: `case-${p.a[i]}.dcm`, nameB: `case-${p.b[i]}.dcm`, thumbA: thumbs[p.a[i]], thumbB: thumbs[p.b[i]], clip: p.clip[i], dino: p.dino[i] } : undefined;
  return { count, row, pairs: p };
}

describe('PairGallery', () => {
  it('renders only a window of rows for 5,000 pairs and moves the selection from the keyboard', async () => {
    const onselect = vi.fn();
    const onopen = vi.fn();
    const onvisible = vi.fn();
    const target = await host(620);
    const { count, row, pairs: p } = gallery(5000);
    const asked = new Set<number>();
    const screen = await render(PairGallery, {
      target,
      props: { count, row: (i: number) => {
        asked.add(i);
        return row(i);
      }, onvisible, height: 400, onselect, onopen },
    });
    const list = screen.getByRole('listbox');
    await expect.element(list).toHaveAccessibleName(/5,000 in all/);
    const options = () => screen.container.querySelectorAll('[role="option"]');
    expect(options().length).toBeGreaterThan(5);
    expect(options().length).toBeLessThan(30);
    // Only the window is asked for, and the window is announced.
    expect(asked.size).toBe(options().length);
    const [start, end] = onvisible.mock.lastCall!;
    expect(start).toBe(0);
    expect(end).toBe(options().length);
    await expect.element(screen.getByRole('option', { name: /^Pair 1:/ })).toHaveAccessibleName(`Pair 1: case-${p.a[0]}.dcm and case-${p.b[0]}.dcm, CLIP ${p.clip[0].toFixed(3)}, DINO ${p.dino[0].toFixed(3)}, margin ${formatMargin(p.clip[0] - p.dino[0])}`);
    (list.element() as HTMLElement).focus();
    await userEvent.keyboard('{ArrowDown}{ArrowDown}{ArrowDown}');
    expect(onselect).toHaveBeenLastCalledWith(2);
    await expect.element(list).toHaveAttribute('aria-activedescendant', expect.stringMatching(/-2$/));
    await userEvent.keyboard('{PageDown}');
    expect(onselect).toHaveBeenLastCalledWith(7);
    await userEvent.keyboard('{End}');
    expect(onselect).toHaveBeenLastCalledWith(4999);
    await expect.element(screen.getByRole('option', { name: /^Pair 5000:/ })).toHaveAttribute('aria-selected', 'true');
    expect(onvisible.mock.lastCall![1]).toBe(5000);
    expect(options().length).toBeLessThan(30);
    expect(asked.size).toBeLessThan(100);
    await userEvent.keyboard('{Enter}');
    expect(onopen).toHaveBeenLastCalledWith(4999);
    await userEvent.keyboard('{Home}{ArrowDown}');
    expect(onselect).toHaveBeenLastCalledWith(1);
    await frames();
    await screenshotBothThemes(target, 'views-gallery');
  });

  it('shows rows still on their way as loading, then the rows once they arrive', async () => {
    const { count, row } = gallery(5000);
    const target = await host(620);
    const screen = await render(PairGallery, { target, props: { count, row: () => undefined, height: 400 } });
    await expect.element(screen.getByRole('option', { name: 'Pair 1: loading' })).toBeVisible();
    await screen.rerender({ row });
    await expect.element(screen.getByRole('option', { name: /^Pair 1: case-/ })).toBeVisible();
  });

  it('follows the selected prop and says so when there are no pairs', async () => {
    const target = await host(620);
    const { count, row } = gallery(5000);
    const screen = await render(PairGallery, { target, props: { count, row, selected: 3000, height: 400 } });
    await expect.element(screen.getByRole('option', { name: /^Pair 3001:/ })).toHaveAttribute('aria-selected', 'true');
    const none = gallery(0);
    await screen.rerender({ count: none.count, row: none.row, selected: -1 });
    await expect.element(screen.getByText(/No pairs pass the current thresholds/)).toBeVisible();
  });
});

describe('PairViewer', () => {
  it('shows both images, similarities and ranks, and answers keys', async () => {
    const onprev = vi.fn();
    const onnext = vi.fn();
    const target = await host(760);
    const screen = await render(PairViewer, {
      target,
      props: {
        srcA: thumbs[1], srcB: thumbs[2], labelA: 'chest-0001.png', labelB: 'chest-0042.png', clip: 0.947, dino: 0.612,
        ranks: { clipAB: 1, clipBA: 2, dinoAB: 412, dinoBA: 380 }, position: 2, total: 120, onprev, onnext, height: 420,
      },
    });
    const viewer = screen.getByTestId('pair-viewer');
    await expect.element(viewer).toHaveTextContent(/Pair 3 of 120/);
    await expect.element(viewer).toHaveTextContent(/0\.947/);
    await expect.element(viewer).toHaveTextContent(/\+0\.335/);
    await expect.element(viewer).toHaveTextContent(/other is #1 in CLIP, #412 in DINO/);
    await expect.element(screen.getByRole('img', { name: 'Image B: chest-0042.png' })).toBeVisible();
    (viewer.element() as HTMLElement).focus();
    await userEvent.keyboard('{ArrowRight}');
    expect(onnext).toHaveBeenCalledTimes(1);
    await userEvent.keyboard('{ArrowLeft}');
    expect(onprev).toHaveBeenCalledTimes(1);
    await userEvent.keyboard('++');
    await expect.element(viewer).toHaveTextContent(/156%/);
    // Both frames share one transform.
    const layers = [...screen.container.querySelectorAll<HTMLElement>('.layer')];
    expect(layers[0].style.transform).toContain('scale(1.5625)');
    expect(layers[1].style.transform).toBe(layers[0].style.transform);
    await screenshotBothThemes(target, 'views-viewer');
    await userEvent.keyboard('0');
    await expect.element(viewer).toHaveTextContent(/100%/);
    expect(layers[1].style.transform).toContain('scale(1)');
  });
});

describe('ProgressBar', () => {
  it('shows done/total, rate, time left and cancels', async () => {
    const oncancel = vi.fn();
    const badge = createRawSnippet(() => ({ render: () => '<span class="test-badge">WebGPU · Apple M2</span>' }));
    const target = await host(620);
    const screen = await render(ProgressBar, { target, props: { label: 'Embedding with BiomedCLIP', done: 250, total: 1000, rate: 12.5, badge, oncancel } });
    await expect.element(screen.getByTestId('progress-counts')).toHaveTextContent('250 / 1,000');
    await expect.element(screen.getByTestId('progress-rate')).toHaveTextContent('13 images/s');
    await expect.element(screen.getByTestId('progress-eta')).toHaveTextContent('1 min 00 s left');
    await expect.element(screen.getByRole('progressbar')).toHaveAttribute('aria-valuetext', '250 of 1,000 images, 25%, about 1 min 00 s left');
    await expect.element(screen.getByText('WebGPU · Apple M2')).toBeVisible();
    const before = screen.getByTestId('progress').element().getBoundingClientRect().height;
    await screen.getByRole('button', { name: 'Cancel' }).click();
    expect(oncancel).toHaveBeenCalledTimes(1);
    await screenshotBothThemes(target, 'views-progress');
    await screen.rerender({ done: 1000 });
    await expect.element(screen.getByTestId('progress-eta')).toHaveTextContent('done');
    expect(screen.getByTestId('progress').element().getBoundingClientRect().height).toBe(before);
  });

  it('compact, in the tab row: one 32 px line whose height does not change while it runs or finishes', async () => {
    const target = await host(360);
    const screen = await render(ProgressBar, { target, props: { label: 'Reading and embedding images', done: 3, total: 45, rate: 4, oncancel: () => {}, compact: true } });
    const bar = screen.getByTestId('progress').element();
    expect(bar.getBoundingClientRect().height).toBe(32);
    // Narrow: the rate gives way, counts and time left stay.
    await expect.element(screen.getByTestId('progress-rate')).not.toBeVisible();
    await expect.element(screen.getByTestId('progress-counts')).toHaveTextContent('3 / 45');
    await screen.rerender({ done: 45 });
    await expect.element(screen.getByTestId('progress-eta')).toHaveTextContent('done');
    expect(bar.getBoundingClientRect().height).toBe(32);
  });
});
