/**
 * An imported MediConfusion benchmark as a pair source: dataset.json (or a benchmark zip) plus its
 * images go through the normal ingest -> embed -> mine path, and every view shows its pairs with
 * the published similarities beside the ones computed here from the stored embeddings.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'vitest-browser-svelte';
import { userEvent } from 'vitest/browser';
import { deleteDB } from 'idb';
import PairsTab from '../../src/ui/panels/PairsTab.svelte';
import BenchmarkTab from '../../src/ui/panels/BenchmarkTab.svelte';
import { formatSimilarity } from '../../src/ui/lib/format.ts';
import type { ExplorerApp } from '../../src/app/app.svelte.ts';
import { closeApp, drawJpeg, fixtureApp, generatedBenchmark, sha256, storedSimilarity } from './review-imported-support.ts';
import { PROVENANCE_FORMAT, type ExportProvenance } from '../../src/core/benchmark/index.ts';
import { host, screenshotBothThemes } from './review-support.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  cleanup();
  document.body.innerHTML = '';
  for (const done of cleanups.splice(0)) await done();
});

async function appFor(): Promise<ExplorerApp> {
  const { app, dbName } = await fixtureApp();
  cleanups.push(async () => {
    closeApp(app);
    await deleteDB(dbName);
  });
  return app;
}

/** The Pairs tab as the app mounts it. */
function pairsTabProps(app: ExplorerApp) {
  return { pairs: app.pairs, library: app.library, mining: app.mining, session: app.session, imported: app.imported, inputs: app, busy: app.busy };
}

function input(root: ParentNode, selector: string): HTMLInputElement {
  const element = root.querySelector<HTMLInputElement>(selector);
  if (!element) throw new Error(`no ${selector}`);
  return element;
}

const rowsOf = (root: ParentNode) => [...root.querySelectorAll<HTMLElement>('[data-testid="pair-gallery"] [role="option"]')];
const cell = (row: HTMLElement, kind: 'clip' | 'dino', part: 'here' | 'pub') => row.querySelector(`.sim.${kind} .${part}`)?.textContent ?? '';

describe('imported benchmark pairs', () => {
  it('a zip with provenance.json links images whose source is already stored, adding no copy', async () => {
    const app = await appFor();
    const { dataset, images } = await generatedBenchmark();
    const sources = await Promise.all(images.map((i) => sha256(i.jpeg)));
    // The sources of 20000 and 20001 are stored here; the zip holds other bytes for them (their thumbnails).
    await app.addFiles([0, 1].map((k) => new File([images[k].jpeg as Uint8Array<ArrayBuffer>], `source-${k}.jpg`, { type: 'image/jpeg' })));
    expect(app.library.items).toHaveLength(2);
    const zipped = new Map([
      [20000, await drawJpeg(4)],
      [20001, await drawJpeg(5)],
      [20002, images[2].jpeg],
      [20003, images[3].jpeg],
    ]);
    const provenance: ExportProvenance = {
      format: PROVENANCE_FORMAT,
      version: 1 as const,
      encoders: { clip: { id: 'fixture-clip', revision: 'r' }, dino: { id: 'fixture-dino', revision: 'r' } },
      images: Object.fromEntries(images.map((i, k) => [String(i.localId), { sha256: sources[k], source: k < 2 ? ('thumbnail' as const) : ('original' as const) }])),
    };
    const report = await app.imported.importBenchmark(dataset, 'export.zip', zipped, provenance);
    expect(report).toMatchObject({ linked: 2, matched: 2, stillMissing: 0 });
    // Four items, not six: no thumbnail copy pairs with its own original.
    expect(app.library.items.map((i) => i.sha256).sort()).toEqual([...sources].sort());
    const stored = await app.store.importedPairs.all();
    expect(stored.map((r) => [r.hash1, r.hash2])).toEqual([
      [sources[0], sources[1]],
      [sources[0], sources[2]],
      [sources[2], sources[3]],
    ]);
  }, 120_000);

  it('a dataset.json plus some of its images: pairs in the gallery and viewer with published and computed similarities; missing images listed', async () => {
    const app = await appFor();
    const { json, images, dataset } = await generatedBenchmark();
    const benchmarkHost = await host(900);
    await render(BenchmarkTab, { target: benchmarkHost, props: { review: app.review, imported: app.imported, agreement: app.agreement, session: app.session, busy: false, onimportcaptions: (entries: Parameters<typeof app.importCaptions>[0]) => app.importCaptions(entries) } });
    await userEvent.upload(input(benchmarkHost, '[data-testid="import-dataset"] input[type="file"]'), new File([json], 'dataset.json', { type: 'application/json' }));
    await expect.poll(() => app.imported.views.length).toBe(3);
    expect(app.imported.file).toBe('dataset.json');
    expect(app.imported.incomplete).toHaveLength(3);
    cleanup();
    document.body.innerHTML = '';

    app.imported.source = 'imported';
    const target = await host(1180);
    const screen = await render(PairsTab, { target, props: pairsTabProps(app) });
    await expect.element(screen.getByTestId('imported-missing')).toHaveTextContent('3 of 3 pairs miss images');
    await expect.element(screen.getByTestId('fetch-command')).toHaveTextContent('npx mediconfusion fetch-benchmark-images --image-dict image_dict.json --out images/');
    expect(rowsOf(target)).toHaveLength(3);
    expect(cell(rowsOf(target)[0], 'clip', 'here')).toBe('–');
    expect(cell(rowsOf(target)[0], 'clip', 'pub')).toBe('0.931');

    // Three of the four images: two under their source-collection names, one under its local id; plus a stray file.
    const files = [
      new File([images[0].jpeg as Uint8Array<ArrayBuffer>], 'PMC100.jpg', { type: 'image/jpeg' }),
      new File([images[1].jpeg as Uint8Array<ArrayBuffer>], 'PMC101.jpg', { type: 'image/jpeg' }),
      new File([images[2].jpeg as Uint8Array<ArrayBuffer>], '20002.jpg', { type: 'image/jpeg' }),
      new File(['not part of it'], 'notes.txt', { type: 'text/plain' }),
    ];
    await userEvent.upload(input(target, '[data-testid="imported-images"] input:not([webkitdirectory])'), files);
    await expect.element(screen.getByTestId('imported-images-result'), { timeout: 60_000 }).toHaveTextContent(
      'Added 3 images. 1 file matched no image of the benchmark and was left out. 1 image still missing.',
    );
    await expect.poll(() => app.imported.views[1]?.computed, { timeout: 60_000 }).not.toBeNull();

    // The pairs link to exactly the files given, by SHA-256.
    const hashes = await Promise.all(images.map((i) => sha256(i.jpeg)));
    expect(app.imported.views.map((v) => v.hashes)).toEqual([
      [hashes[0], hashes[1]],
      [hashes[0], hashes[2]],
      [hashes[2], undefined],
    ]);
    const stored = await app.store.importedPairs.all();
    expect(stored.map((r) => [r.hash1, r.hash2])).toEqual([
      [hashes[0], hashes[1]],
      [hashes[0], hashes[2]],
      [hashes[2], undefined],
    ]);

    // Computed similarities equal the cosine of the stored embeddings, in the state and on screen.
    const references = [await storedSimilarity(app, hashes[0], hashes[1]), await storedSimilarity(app, hashes[0], hashes[2])];
    for (const [k, reference] of references.entries()) {
      const computed = app.imported.views[k].computed!;
      expect(computed.clip).toBe(reference.clip);
      expect(computed.dino).toBe(reference.dino);
    }
    // The two pairs differ, so a value copied from the wrong pair would show.
    expect(Math.abs(references[0].clip - references[1].clip)).toBeGreaterThan(1e-4);
    const { clipMin, dinoMax } = app.session;
    await expect.poll(() => cell(rowsOf(target)[0], 'clip', 'here')).toBe(formatSimilarity(references[0].clip, clipMin));
    const rows = rowsOf(target);
    expect(cell(rows[0], 'dino', 'here')).toBe(formatSimilarity(references[0].dino, dinoMax));
    expect(cell(rows[1], 'clip', 'here')).toBe(formatSimilarity(references[1].clip, clipMin));
    expect(cell(rows[1], 'dino', 'pub')).toBe(formatSimilarity(dataset['10002'].DINO_sim));
    expect(cell(rows[2], 'clip', 'here')).toBe('–');
    expect(rows[2].querySelector('.sim.clip')?.getAttribute('title')).toBe("Image 2 (20003.jpg, PMC103.jpg in the source collection) is not here yet: add the benchmark's images folder (files under either name are found).");
    expect(rows[0].textContent).toContain('PMC100.jpg');
    expect(rows[2].textContent).toContain('20003.jpg (missing)');
    await expect.element(screen.getByTestId('imported-missing')).toHaveTextContent("1 of 3 pairs misses images");
    await expect.element(screen.getByTestId('imported-missing')).toHaveTextContent("10003 Image 2 (20003.jpg, PMC103.jpg in the source collection) is not here yet");

    // The viewer: computed here beside published, and the reason when a pair cannot be computed.
    rows[1].click();
    await expect.element(screen.getByTestId('viewer-clip')).toHaveTextContent(formatSimilarity(references[1].clip, clipMin));
    await expect.element(screen.getByTestId('viewer-dino')).toHaveTextContent(formatSimilarity(references[1].dino, dinoMax));
    await expect.element(screen.getByTestId('viewer-published-clip')).toHaveTextContent('0.910');
    await expect.element(screen.getByTestId('viewer-published-dino')).toHaveTextContent('0.553');
    await expect.element(screen.getByTestId('pair-viewer')).toHaveTextContent('Pair 2 of 3');
    await screenshotBothThemes(target, 'review-imported-pairs');
    rowsOf(target)[2].click();
    await expect.element(screen.getByTestId('viewer-clip')).toHaveTextContent('–');
    await expect.element(screen.getByTestId('pair-viewer')).toHaveTextContent('Image 2 (20003.jpg, PMC103.jpg in the source collection) is not here yet');

    // The last image dropped on the main drop zone (not through the importer) is found by its name.
    await app.addFiles([new File([images[3].jpeg as Uint8Array<ArrayBuffer>], 'PMC103.jpg', { type: 'image/jpeg' })]);
    await expect.poll(() => app.imported.views[2]?.computed, { timeout: 60_000 }).not.toBeNull();
    expect(app.imported.views[2].hashes).toEqual([hashes[2], hashes[3]]);
    const last = await storedSimilarity(app, hashes[2], hashes[3]);
    expect(app.imported.views[2].computed!.clip).toBe(last.clip);
    expect(app.imported.views[2].computed!.dino).toBe(last.dino);
    await expect.poll(() => target.querySelector('[data-testid="imported-missing"]')).toBeNull();

    // Switching back shows the mined pairs: the imported images were mined like any other.
    await screen.getByRole('radio', { name: /^Mined/ }).click();
    expect(app.imported.source).toBe('mined');
    expect(app.mining.rows).toHaveLength(4);
  });
});
