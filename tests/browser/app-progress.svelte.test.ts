/**
 * The progress bar shows a step only once it has run for a moment, so work that ends at once
 * never flashes "0 / 45 pairs · estimating…"; controls wait on every running step, shown or not.
 */
import { describe, expect, it } from 'vitest';
import { ProgressReporter } from '../../src/app/progress.svelte.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('progress reporter', () => {
  it('never shows a step that ends before the delay, yet is busy while it runs', async () => {
    const progress = new ProgressReporter(60);
    const step = progress.start('Screening 1 new image against all', 45, 'pairs');
    expect(progress.busy).toBe(true);
    step.update(45);
    expect(progress.current).toBeNull();
    step.end();
    expect(progress.busy).toBe(false);
    await sleep(120);
    expect(progress.current).toBeNull();
  });

  it('shows a longer step after the delay, with its latest count, and hides it when it ends', async () => {
    const progress = new ProgressReporter(40);
    const step = progress.start('Embedding', 10, 'images');
    step.update(3);
    expect(progress.current).toBeNull();
    await sleep(100);
    expect(progress.current).toEqual({ label: 'Embedding', done: 3, total: 10, unit: 'images' });
    step.relabel('Embedding with Fixture CLIP');
    step.update(4, 12);
    expect(progress.current).toEqual({ label: 'Embedding with Fixture CLIP', done: 4, total: 12, unit: 'images' });
    step.end();
    expect(progress.current).toBeNull();
    expect(progress.busy).toBe(false);
  });

  it('shows the newest visible step and falls back to the older one when it ends', async () => {
    const progress = new ProgressReporter(30);
    const mining = progress.start('Mining', 100, 'pairs');
    await sleep(80);
    const projecting = progress.start('Projecting', 5, 'epochs');
    // The new step is not shown yet, so the older one stays on the bar instead of a blank.
    expect(progress.current?.label).toBe('Mining');
    await sleep(80);
    expect(progress.current?.label).toBe('Projecting');
    projecting.end();
    expect(progress.current?.label).toBe('Mining');
    expect(progress.busy).toBe(true);
    mining.end();
    expect(progress.busy).toBe(false);
  });
});
