/**
 * The agreement panel: similarities computed here against the ones an imported benchmark
 * publishes (Pearson r, mean and largest difference, pairs still confusing), and the DINO-side
 * size comparison, which embeds only the benchmark's images with each candidate into the store
 * and reads its table back after a reload. Real ingest and encoder workers, fixture encoders.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'vitest-browser-svelte';
import { deleteDB } from 'idb';
import BenchmarkTab from '../../src/ui/panels/BenchmarkTab.svelte';
import { ExplorerApp } from '../../src/app/app.svelte.ts';
import { revisionKeyOf } from '../../src/app/encoders.svelte.ts';
import { countPasses, summariseAgreement } from '../../src/core/benchmark/agreement.ts';
import { closeApp, generatedBenchmark, sha256, storedSimilarity } from './review-imported-support.ts';
import { host, screenshotBothThemes } from './review-support.ts';
import { uniqueDbName } from './store-support.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  cleanup();
  document.body.innerHTML = '';
  for (const done of cleanups.splice(0)) await done();
});

/** The size comparison tries the DINO fixture (in use) and the CLIP fixture (a second DINO-side candidate). */
const CANDIDATES = ['fixture-dino', 'fixture-clip'];

async function appOn(storeName: string, keepOriginals: boolean): Promise<ExplorerApp> {
  const app = new ExplorerApp({ dinoSizes: CANDIDATES });
  await app.boot({ encoders: ['fixture-clip', 'fixture-dino'], storeName });
  app.session.keepOriginals = keepOriginals;
  cleanups.push(async () => closeApp(app));
  return app;
}

function benchmarkProps(app: ExplorerApp) {
  return { review: app.review, imported: app.imported, agreement: app.agreement, session: app.session, busy: false, onimportcaptions: async () => {} };
}

/** Imports the generated benchmark with its four images and waits for all three pairs' similarities. */
async function importWithImages(app: ExplorerApp) {
  const benchmark = await generatedBenchmark();
  const images = new Map(benchmark.images.map((i) => [i.localId, i.jpeg] as const));
  await app.imported.importBenchmark(benchmark.dataset, 'dataset.json', images);
  await expect.poll(() => app.imported.views.every((v) => v.computed !== null), { timeout: 60_000 }).toBe(true);
  const hashes = await Promise.all(benchmark.images.map((i) => sha256(i.jpeg)));
  return { ...benchmark, hashes };
}

const text = (root: ParentNode, testId: string) => root.querySelector(`[data-testid="${testId}"]`)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

describe('agreement with the published similarities', () => {
  it('summarises computed against published per encoder, draws both scatters, and compares DINO-side candidates from the store', async () => {
    const dbName = uniqueDbName('agreement');
    cleanups.push(() => deleteDB(dbName));
    const app = await appOn(dbName, true);
    const { dataset, hashes } = await importWithImages(app);

    // Reference: the stored embeddings by the miner's rule, against the published columns.
    const pairHashes: [string, string][] = [
      [hashes[0], hashes[1]],
      [hashes[0], hashes[2]],
      [hashes[2], hashes[3]],
    ];
    const computed = await Promise.all(pairHashes.map(([a, b]) => storedSimilarity(app, a, b)));
    const published = Object.values(dataset).map((p) => ({ clip: p.BiomedCLIP_sim, dino: p.DINO_sim }));
    const clipReference = summariseAgreement(computed.map((c, k) => ({ computed: c.clip, published: published[k].clip })));
    const dinoReference = summariseAgreement(computed.map((c, k) => ({ computed: c.dino, published: published[k].dino })));
    expect(app.agreement.clip.summary).toEqual(clipReference);
    expect(app.agreement.dino.summary).toEqual(dinoReference);
    expect(clipReference.pairs).toBe(3);
    // Fixture encoders are random: their similarities are far from the published ones, and r is defined.
    expect(clipReference.meanAbsDifference).toBeGreaterThan(1e-3);
    expect(clipReference.pearson).not.toBeNull();
    const thresholds = { clipMin: app.session.clipMin, dinoMax: app.session.dinoMax };
    expect(app.agreement.passes).toEqual(countPasses(computed, thresholds));
    expect(app.agreement.publishedPasses).toEqual({ pairs: 3, clip: 3, dino: 3, both: 3 });

    const target = await host(1180);
    const screen = await render(BenchmarkTab, { target, props: benchmarkProps(app) });
    await expect.element(screen.getByTestId('agreement-clip')).toHaveTextContent(clipReference.pearson!.toFixed(4));
    expect(text(target, 'agreement-clip')).toContain(clipReference.meanAbsDifference!.toFixed(4));
    expect(text(target, 'agreement-dino')).toContain(dinoReference.maxAbsDifference!.toFixed(4));
    expect(text(target, 'agreement-passes')).toContain(`${countPasses(computed, thresholds).both} of 3`);
    expect(target.querySelectorAll('[data-testid="agreement-scatter-clip"] circle')).toHaveLength(3);
    expect(target.querySelectorAll('[data-testid="agreement-scatter-dino"] circle')).toHaveLength(3);

    // The candidate in use is read from the store and equals the miner's numbers exactly.
    await expect.poll(() => app.agreement.sizes[0].embedded).toBe(4);
    expect(app.agreement.sizes[0].summary).toEqual(dinoReference);
    expect(app.agreement.sizes[0].belowThreshold).toBe(computed.filter((c) => c.dino < thresholds.dinoMax).length);
    expect(text(target, 'size-fixture-dino')).toContain('in use');

    // The second candidate has nothing stored under its key (its rows are removed to make it so):
    // Compare embeds the four images in a worker of its own and stores them.
    await app.store.embeddings.deleteEncoder('fixture-clip', revisionKeyOf('fixture-clip')!);
    await app.agreement.refreshSizes();
    expect(app.agreement.sizes[1].embedded).toBe(0);
    await expect.element(screen.getByTestId('size-fixture-clip')).toHaveTextContent('–');
    await screen.getByTestId('compare-sizes').click();
    await expect.element(screen.getByTestId('sizes-status'), { timeout: 60_000 }).toHaveTextContent('Embedded 4 images for the comparison.');
    expect(app.agreement.sizes[1].embedded).toBe(4);
    // Its similarities are the CLIP fixture's, recomputed from scratch: the same numbers as before.
    expect(app.agreement.sizes[1].summary).toEqual(summariseAgreement(computed.map((c, k) => ({ computed: c.clip, published: published[k].dino }))));
    expect(await app.store.embeddings.hashes('fixture-clip', revisionKeyOf('fixture-clip')!)).toHaveLength(4);
    const closest = app.agreement.sizes.reduce((a, b) => (b.summary.meanAbsDifference! < a.summary.meanAbsDifference! ? b : a));
    expect(text(target, `size-${closest.encoderId}`)).toContain('closest');
    await screenshotBothThemes(target.querySelector<HTMLElement>('[data-testid="agreement"]')!.parentElement!, 'agreement-panel');

    // A second Compare embeds nothing again.
    await screen.getByTestId('compare-sizes').click();
    await expect.element(screen.getByTestId('sizes-status')).toHaveTextContent('Every size that could be compared is up to date.');

    // After a reload the table is read back from the store.
    cleanup();
    closeApp(app);
    const reloaded = await appOn(dbName, true);
    await expect.poll(() => reloaded.agreement.sizes[1]?.embedded, { timeout: 30_000 }).toBe(4);
    expect(reloaded.agreement.sizes[1].summary).toEqual(app.agreement.sizes[1].summary);
  }, 180_000);

  it('says which images cannot be compared when their originals are not kept, and compares nothing for them', async () => {
    const dbName = uniqueDbName('agreement-unkept');
    cleanups.push(() => deleteDB(dbName));
    const app = await appOn(dbName, false);
    await importWithImages(app);
    await app.store.embeddings.deleteEncoder('fixture-clip', revisionKeyOf('fixture-clip')!);
    await app.agreement.compareSizes();
    expect(app.agreement.status).toBe(
      'Every size that could be compared is up to date. 4 images have no original kept in this browser: choose the images folder again (its originals are then kept) and compare again.',
    );
    expect(app.agreement.sizes[1].embedded).toBe(0);
    expect(app.agreement.sizes[0].embedded).toBe(4);
  }, 120_000);
});
