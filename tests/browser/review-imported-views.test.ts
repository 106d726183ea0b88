/**
 * An imported benchmark zip across the app: the Benchmark tab's comparison column, the plots of
 * the Explore tab, the Review tab (triage and the imported question prefilled), a reload, and a
 * malformed dataset.json that changes nothing stored. (The published file, when present, is
 * checked in tests/unit/benchmark-link.test.ts.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'vitest-browser-svelte';
import { userEvent } from 'vitest/browser';
import { deleteDB } from 'idb';
import BenchmarkTab from '../../src/ui/panels/BenchmarkTab.svelte';
import ExploreTab from '../../src/ui/panels/ExploreTab.svelte';
import ReviewTab from '../../src/ui/panels/ReviewTab.svelte';
import { buildBenchmarkZip } from '../../src/core/benchmark/index.ts';
import type { ExplorerApp } from '../../src/app/app.svelte.ts';
import { closeApp, fixtureApp, generatedBenchmark, sha256, storedSimilarity } from './review-imported-support.ts';
import { host, screenshotBothThemes } from './review-support.ts';

const dbNames: string[] = [];
const apps: ExplorerApp[] = [];
afterEach(async () => {
  cleanup();
  document.body.innerHTML = '';
  for (const app of apps.splice(0)) closeApp(app);
  for (const name of dbNames.splice(0)) await deleteDB(name);
});

async function open(dbName?: string): Promise<ExplorerApp> {
  const { app, dbName: name } = await fixtureApp(dbName);
  if (!dbNames.includes(name)) dbNames.push(name);
  apps.push(app);
  return app;
}

/** The tabs' props as the app mounts them (src/ui/App.svelte). */
const benchmarkProps = (app: ExplorerApp) => ({ review: app.review, imported: app.imported, agreement: app.agreement, session: app.session, busy: false, onimportcaptions: (entries: Parameters<ExplorerApp['importCaptions']>[0]) => app.importCaptions(entries) });

function fileInput(root: ParentNode, section: string): HTMLInputElement {
  const element = root.querySelector<HTMLInputElement>(`[data-testid="${section}"] input[type="file"]`);
  if (!element) throw new Error(`no file input in ${section}`);
  return element;
}

/** Centre of each pair-space mark part ('.here' diamond or '.published' square), in SVG units. */
function markCentres(root: ParentNode, part: 'here' | 'published'): [number, number][] {
  return [...root.querySelectorAll<SVGGElement>('[data-testid="pair-mark"]')].map((mark) => {
    const element = mark.querySelector(`.${part}`);
    if (!element) return [Number.NaN, Number.NaN];
    if (part === 'published') return [Number(element.getAttribute('x')) + 3, Number(element.getAttribute('y')) + 3];
    const match = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(element.getAttribute('transform') ?? '');
    return [Number(match?.[1]), Number(match?.[2])];
  });
}

/** True when `screen` orders the points as `values` do (ascending), or the reverse when `reversed`. */
function sameOrder(screen: number[], values: number[], reversed = false): boolean {
  for (let i = 0; i < values.length; i++) {
    for (let j = 0; j < values.length; j++) {
      if (values[i] < values[j] && !(reversed ? screen[i] > screen[j] : screen[i] < screen[j])) return false;
    }
  }
  return true;
}

describe('imported benchmark across the app', () => {
  it('zip import: comparison column, plots, review with the imported question, reload, and a malformed file changes nothing', async () => {
    const app = await open();
    const { dataset, images } = await generatedBenchmark();
    const zip = buildBenchmarkZip(dataset, new Map(images.map((i) => [i.localId, i.jpeg])));
    const hashes = await Promise.all(images.map((i) => sha256(i.jpeg)));

    // Benchmark tab: import the zip; its images go through ingest, both encoders and the miner.
    const benchmarkHost = await host(1000);
    const benchmarkScreen = await render(BenchmarkTab, { target: benchmarkHost, props: benchmarkProps(app) });
    await userEvent.upload(fileInput(benchmarkHost, 'import-dataset'), new File([zip as Uint8Array<ArrayBuffer>], 'mediconfusion.zip', { type: 'application/zip' }));
    await expect.element(benchmarkScreen.getByTestId('import-dataset-result'), { timeout: 60_000 }).toHaveTextContent('Imported 3 pairs of 4 images and 4 images from mediconfusion.zip.');
    await expect.poll(() => app.imported.views.every((v) => v.computed !== null), { timeout: 60_000 }).toBe(true);
    expect(app.imported.views.map((v) => v.hashes)).toEqual([
      [hashes[0], hashes[1]],
      [hashes[0], hashes[2]],
      [hashes[2], hashes[3]],
    ]);
    const references = await Promise.all([
      storedSimilarity(app, hashes[0], hashes[1]),
      storedSimilarity(app, hashes[0], hashes[2]),
      storedSimilarity(app, hashes[2], hashes[3]),
    ]);
    // Computed by the miner with the one rule, from the stored embeddings of exactly these images.
    expect(app.imported.views.map((v) => v.computed)).toEqual(references);
    // The comparison column: published beside computed-from-stored-embeddings, per pair.
    const table = benchmarkHost.querySelector('[data-testid="imported-table"]') as HTMLDetailsElement;
    table.open = true;
    const tableRows = () => [...table.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? ''));
    await expect.poll(() => tableRows().map((r) => r[5])).toEqual(references.map((r) => `${r.clip.toFixed(3)} / ${r.dino.toFixed(3)}`));
    expect(tableRows().map((r) => [r[0], r[3], r[4]])).toEqual([
      ['10001', '0.931', '0.613'],
      ['10002', '0.910', '0.553'],
      ['10003', '0.946', '0.701'],
    ]);
    await screenshotBothThemes(benchmarkHost, 'review-imported-benchmark');
    cleanup();
    document.body.innerHTML = '';

    // Explore tab: the imported pairs are the links in both spaces, their images highlighted, and in
    // the pair space each pair sits at its computed (clip, dino), linked to its published point.
    app.imported.source = 'imported';
    app.imported.selected = -1;
    const exploreHost = await host(1200);
    const explore = await render(ExploreTab, {
      target: exploreHost,
      props: { session: app.session, mining: app.mining, pairs: app.pairs, library: app.library, imported: app.imported, onopen: () => {} },
    });
    await expect.poll(() => app.mining.clipPositions.length, { timeout: 30_000 }).toBe(8);
    const surfaces = explore.getByTestId('embedding-surface');
    await expect.element(surfaces.nth(0)).toHaveAttribute('aria-label', expect.stringMatching(/4 images, 4 highlighted, 3 imported pairs drawn as links/));
    await expect.element(surfaces.nth(1)).toHaveAttribute('aria-label', expect.stringMatching(/4 images, 4 highlighted, 3 imported pairs drawn as links/));
    await expect.element(explore.getByTestId('pair-space-legend')).toBeVisible();
    expect(exploreHost.querySelectorAll('[data-testid="pair-mark"]')).toHaveLength(3);
    const here = markCentres(exploreHost, 'here');
    const published = markCentres(exploreHost, 'published');
    expect(sameOrder(here.map((p) => p[0]), references.map((r) => r.clip))).toBe(true);
    expect(sameOrder(here.map((p) => p[1]), references.map((r) => r.dino), true)).toBe(true);
    expect(sameOrder(published.map((p) => p[0]), [0.9312, 0.9101, 0.9456])).toBe(true);
    expect(sameOrder(published.map((p) => p[1]), [0.6125, 0.5533, 0.7012], true)).toBe(true);
    // Opening one imported pair highlights just its two images.
    app.imported.selected = 1;
    await expect.element(surfaces.nth(0)).toHaveAttribute('aria-label', expect.stringMatching(/4 images, 2 highlighted, 3 imported pairs/));
    await screenshotBothThemes(exploreHost, 'review-imported-explore');
    cleanup();
    document.body.innerHTML = '';

    // Review tab: pair 10001 with its imported question prefilled; a triage stores both.
    app.imported.selected = 0;
    const reviewHost = await host(1100);
    const review = await render(ReviewTab, {
      target: reviewHost,
      props: { pairs: app.pairs, review: app.review, library: app.library, imported: app.imported, minedCount: app.mining.answer?.view.total ?? null },
    });
    await expect.element(review.getByLabelText('Question', { exact: true })).toHaveValue('Is the lesion in pair 01 enhancing?');
    const firstIsSmaller = hashes[0] < hashes[1];
    // Image 1 in the review is the smaller hash; the file's im_1 is correct with "A".
    const expected = firstIsSmaller ? { im1Correct: 'A', im2Correct: 'B' } : { im1Correct: 'B', im2Correct: 'A' };
    const radio = (legend: string, option: 'A' | 'B') =>
      [...reviewHost.querySelectorAll('fieldset')].find((f) => f.querySelector('legend')?.textContent === legend)!.querySelector<HTMLInputElement>(`input[value="${option}"]`)!;
    expect(radio('Correct for image 1', expected.im1Correct as 'A' | 'B').checked).toBe(true);
    expect(radio('Correct for image 2', expected.im2Correct as 'A' | 'B').checked).toBe(true);
    expect(await app.review.decision(hashes[0], hashes[1])).toBeUndefined();
    await review.getByRole('button', { name: /Accept/ }).click();
    await expect.poll(async () => (await app.review.decision(hashes[0], hashes[1]))?.triage).toBe('accept');
    const decision = (await app.review.decision(hashes[0], hashes[1]))!;
    expect(decision).toMatchObject({ question: 'Is the lesion in pair 01 enhancing?', optionA: 'Yes', optionB: 'No', aiQuestion: 'Draft question 01', ...expected });
    await screenshotBothThemes(reviewHost, 'review-imported-review');
    cleanup();
    document.body.innerHTML = '';

    // A reload: the imported pairs, their images and the computed similarities come back.
    const before = app.imported.views.map((v) => v.computed);
    const dbName = app.store.name;
    closeApp(app);
    const reloaded = await open(dbName);
    expect(reloaded.imported.file).toBe('mediconfusion.zip');
    expect(reloaded.imported.views.map((v) => v.hashes)).toEqual(app.imported.views.map((v) => v.hashes));
    await expect.poll(() => reloaded.imported.views.map((v) => v.computed), { timeout: 30_000 }).toEqual(before);

    // A malformed dataset.json: an error naming the field, and nothing stored changes.
    const countsBefore = await reloaded.store.counts();
    const pairsBefore = await reloaded.store.importedPairs.all();
    const againHost = await host(1000);
    const again = await render(BenchmarkTab, { target: againHost, props: benchmarkProps(reloaded) });
    const broken = JSON.parse(JSON.stringify(dataset)) as Record<string, Record<string, unknown>>;
    broken['10002'].DINO_sim = 'high';
    await userEvent.upload(fileInput(againHost, 'import-dataset'), new File([JSON.stringify(broken)], 'broken.json', { type: 'application/json' }));
    await expect.element(again.getByTestId('import-dataset-result')).toHaveTextContent(/Nothing was imported\. broken\.json: 10002\.DINO_sim/);
    expect(await reloaded.store.counts()).toEqual(countsBefore);
    expect(await reloaded.store.importedPairs.all()).toEqual(pairsBefore);
    expect(reloaded.imported.file).toBe('mediconfusion.zip');

    // Removing the imported benchmark drops its pairs, keeps its images, and survives a reload.
    const itemsBefore = countsBefore.items;
    await userEvent.click(again.getByTestId('remove-imported'));
    await expect.element(again.getByText(/Removed the pairs of mediconfusion\.zip/)).toBeVisible();
    expect(await reloaded.store.importedPairs.all()).toEqual([]);
    expect((await reloaded.store.counts()).items).toBe(itemsBefore);
    expect(reloaded.imported.source).toBe('mined');
    const afterRemoval = await open(dbName);
    expect(afterRemoval.imported.file).toBe('');
  });
});
