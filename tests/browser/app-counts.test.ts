/**
 * The app layer end to end in Chromium: the whole App mounted on its own database with the
 * fixture encoders and the synthetic sample set. Every view that shows the number of confusing
 * pairs must show the same number, equal to a brute force over the stored embeddings, under the
 * per-image cap, near-duplicate exclusion and same-category rule; the floor re-mines; a
 * threshold cannot go below the floor; the page never receives the candidate set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { userEvent } from 'vitest/browser';
import { ExplorerApp } from '../../src/app/app.svelte.ts';
import { VIEW_SHAPE } from '../../src/core/mining/pair-view.ts';
import { revisionKeyOf } from '../../src/app/encoders.svelte.ts';
import { openStore } from '../../src/store/index.ts';
import { bruteForceCandidates, referenceFilter } from '../unit/mining-reference.ts';
import { uniqueDbName } from './store-support.ts';
import { mountWithFixtureEncoders, until, type MountedApp } from './app-support.ts';

const storeName = uniqueDbName('app-counts');
/** Largest typed array in any message the workers sent the page, by element count. */
let largestFromWorker = 0;
const RealWorker = globalThis.Worker;

function largestArray(value: unknown, depth = 0): number {
  if (ArrayBuffer.isView(value)) return (value as unknown as { length?: number }).length ?? value.byteLength;
  if (!value || typeof value !== 'object' || depth > 8) return 0;
  let max = 0;
  for (const v of Object.values(value)) max = Math.max(max, largestArray(v, depth + 1));
  return max;
}

class ObservedWorker extends RealWorker {
  constructor(url: string | URL, options?: WorkerOptions) {
    super(url, options);
    if (String(url).includes('miner')) this.addEventListener('message', (e) => (largestFromWorker = Math.max(largestFromWorker, largestArray(e.data))));
  }
}

let app: ExplorerApp;
let root: HTMLElement;
let mounted: MountedApp | undefined;

const text = (selector: string) => root.querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const firstNumber = (value: string) => Number((value.match(/[\d,]+/)?.[0] ?? 'NaN').replace(/,/g, ''));

/** The count each view shows, read from the page. */
function shownCounts() {
  return {
    sidebar: firstNumber(text('[data-testid=confusing-count] strong')),
    tab: firstNumber(text('[data-testid=tab-pairs]')),
    pairSpace: firstNumber(text('[data-testid=quadrant-count] strong')),
    pairSpacePoints: root.querySelectorAll('[data-testid=pair-point].hot').length,
    histogramClip: firstNumber(text('[data-testid=histogram-count-clip]')),
    histogramDino: firstNumber(text('[data-testid=histogram-count-dino]')),
    heatMapCurrent: firstNumber(text('[data-testid=heatmap-status]').split(': ').at(-1) ?? ''),
  };
}

async function settle(): Promise<void> {
  flushSync();
  await app.mining.settled();
  await new Promise((r) => requestAnimationFrame(() => r(null)));
  flushSync();
}

/** Confusing pairs by brute force over the stored embeddings (the reference pipeline's rule). */
async function reference(filter: { clipMin: number; dinoMax: number; maxPerImage: number; excludeNearDuplicates: boolean; duplicateThreshold: number; sameCategoryOnly: boolean }) {
  const store = await openStore({ name: storeName });
  const rows = app.mining.rows;
  const load = async (id: string) => {
    const m = await store.embeddings.loadMatrix(id, revisionKeyOf(id)!, { rows });
    return { rows: rows.length, dim: m.dim, data: m.matrix };
  };
  const [clip, dino] = [await load('fixture-clip'), await load('fixture-dino')];
  store.close();
  const categories = filter.sameCategoryOnly ? app.library.categoriesOf(rows) : undefined;
  const all = bruteForceCandidates(clip, dino, app.mining.heldFloor!);
  const kept = filter.sameCategoryOnly ? all.filter((p) => categories![p.a] >= 0 && categories![p.a] === categories![p.b]) : all;
  return referenceFilter(kept, filter).pairs.length;
}

describe('the app layer in Chromium', () => {
  beforeAll(async () => {
    globalThis.Worker = ObservedWorker as typeof Worker;
    app = new ExplorerApp({ storeName });
    mounted = await mountWithFixtureEncoders(app);
    root = mounted.root;
    await app.loadSampleSet();
    await until(() => app.mining.answer !== null && !app.busy, 150_000);
    await settle();
  }, 180_000);

  afterAll(() => {
    globalThis.Worker = RealWorker;
    mounted?.unmount();
  });

  const cases = [
    { name: 'MediConfusion thresholds', clipMin: 0.9, dinoMax: 0.75, maxPerImage: 0, excludeNearDuplicates: true, sameCategoryOnly: false },
    { name: 'per-image cap 2', clipMin: 0.9, dinoMax: 0.75, maxPerImage: 2, excludeNearDuplicates: true, sameCategoryOnly: false },
    { name: 'cap 1, lower CLIP', clipMin: 0.85, dinoMax: 0.8, maxPerImage: 1, excludeNearDuplicates: true, sameCategoryOnly: false },
    { name: 'near-duplicates kept vs excluded', clipMin: 0.95, dinoMax: 0.99, maxPerImage: 0, excludeNearDuplicates: false, sameCategoryOnly: false },
    { name: 'near-duplicates excluded at high DINO', clipMin: 0.95, dinoMax: 0.99, maxPerImage: 0, excludeNearDuplicates: true, sameCategoryOnly: false },
    { name: 'same category with a cap', clipMin: 0.88, dinoMax: 0.8, maxPerImage: 2, excludeNearDuplicates: true, sameCategoryOnly: true },
  ];
  for (const c of cases) {
    it(`every view shows the same count, equal to a brute force: ${c.name}`, async () => {
      const s = app.session;
      s.setThresholds(c.clipMin, c.dinoMax);
      s.maxPerImage = c.maxPerImage;
      s.excludeNearDuplicates = c.excludeNearDuplicates;
      s.sameCategoryOnly = c.sameCategoryOnly;
      await settle();
      const expected = await reference({ ...c, duplicateThreshold: s.duplicateThreshold });
      const shown = shownCounts();
      expect(shown).toEqual({ sidebar: expected, tab: expected, pairSpace: expected, pairSpacePoints: expected, histogramClip: expected, histogramDino: expected, heatMapCurrent: expected });
      expect(app.pairs.count).toBe(expected);
      // The heat map's cells count by thresholds alone; when rules change the count it says so.
      if (app.mining.answer!.view.byThresholdsAlone !== expected) expect(text('[data-testid=heatmap-status]')).toMatch(/by thresholds alone/);
    });
  }

  it('the floor re-mines, and a threshold cannot go below it', async () => {
    const s = app.session;
    s.setThresholds(0.9, 0.75);
    await settle();
    const before = app.mining.answer!.view.candidates;
    s.setFloor(0.6);
    await expect.poll(() => app.mining.heldFloor, { timeout: 60_000 }).toBe(0.6);
    await settle();
    expect(app.mining.answer!.view.candidates).toBeGreaterThan(before);
    expect(text('[data-testid=confusing-count]')).toContain(app.mining.answer!.view.candidates.toLocaleString('en-US'));
    s.setThresholds(0.5, 0.75);
    expect(s.clipMin).toBe(0.6);
    await settle();
    expect(text('[data-testid=threshold-note]')).toMatch(/cannot go below the mining floor \(0\.600\)/);
    s.setFloor(0.8);
    expect(s.clipMin).toBe(0.8);
    await expect.poll(() => app.mining.heldFloor, { timeout: 60_000 }).toBe(0.8);
    await settle();
    expect(app.mining.answer!.view.candidates).toBe(before);
    expect(app.banner).toBe('');
  }, 120_000);

  it('the page never receives the candidate set: only bins, counts and pages cross the boundary', async () => {
    const { view } = app.mining.answer!;
    // The sample set is small enough that the pair space gets single points (at most pointsUpTo of
    // them); pages and bins are bounded whatever the number of candidates.
    expect(largestFromWorker).toBeLessThanOrEqual(Math.max(VIEW_SHAPE.pointsUpTo, VIEW_SHAPE.densityColumns * VIEW_SHAPE.densityRows));
    expect(view.page.count).toBeLessThanOrEqual(500);
    expect(Object.keys(app.mining)).not.toContain('candidateClip');
  });

  it('a pair has the same number in the gallery, the viewer and the review', async () => {
    app.session.setThresholds(0.85, 0.8);
    app.session.maxPerImage = 0;
    await settle();
    app.pairs.select(3);
    (root.querySelector('[data-testid=tab-pairs]') as HTMLElement).click();
    await expect.poll(() => text('[data-testid=pair-viewer]') || text('.viewer'), { timeout: 10_000 }).toMatch(/Pair 4 of/);
    const current = app.pairs.current!;
    (root.querySelector('[data-testid=tab-review]') as HTMLElement).click();
    await expect.poll(() => root.textContent ?? '', { timeout: 10_000 }).toMatch(/Pair 4 of/);
    expect(app.pairs.current).toEqual(current);
  });

  it('a session file imported in the Benchmark tab continues the review: decisions, thresholds, newer work kept', async () => {
    app.session.setThresholds(0.85, 0.8);
    await settle();
    const [first, second] = [app.pairs.at(0)!, app.pairs.at(1)!];
    const key = (p: { hashA?: string; hashB?: string }) => (p.hashA! < p.hashB! ? { a: p.hashA!, b: p.hashB! } : { a: p.hashB!, b: p.hashA! });
    // Decided here today: the file's older decision on this pair must not replace it.
    await app.review.update(second.hashA!, second.hashB!, { triage: 'reject', notes: 'decided here' });
    const session = {
      format: 'mediconfusion-explorer-session',
      version: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      thresholds: { clip: 0.93, dino: 0.7, perImageCap: 3 },
      encoders: [
        { role: 'clip', id: 'fixture-clip', revision: 'r', files: [] },
        { role: 'dino', id: 'other-dino', revision: 'r', files: [] },
      ],
      decisions: [
        { ...key(first), status: 'accept', notes: 'from the file', tags: ['vascular'], question: { question: 'Is there a stent?', optionA: 'Yes', optionB: 'No', image1Correct: 'A', image2Correct: 'B' }, updatedAt: '2026-01-01T00:00:00.000Z' },
        { ...key(second), status: 'accept', notes: 'older', tags: [], updatedAt: '2020-01-01T00:00:00.000Z' },
        { a: 'a'.repeat(64), b: 'b'.repeat(64), status: 'needs-edit', notes: '', tags: [] },
      ],
    };
    (root.querySelector('[data-testid=tab-benchmark]') as HTMLElement).click();
    await expect.poll(() => root.querySelector('[data-testid="import-session"] input[type="file"]'), { timeout: 10_000 }).not.toBeNull();
    await userEvent.upload(root.querySelector<HTMLInputElement>('[data-testid="import-session"] input[type="file"]')!, new File([JSON.stringify(session)], 'review-session.json'));
    await expect
      .poll(() => text('[data-testid=import-session-result]'), { timeout: 10_000 })
      .toBe(
        'Imported 2 decisions from review-session.json; its thresholds now apply. 1 pair kept the decision made here, which is newer. ' +
          '1 decision refer to images not added here yet; add them to see those pairs. The session used other-dino; choose the same encoders to reproduce its similarities.',
      );
    const imported = await app.review.decision(first.hashA!, first.hashB!);
    expect(imported).toMatchObject({ triage: 'accept', notes: 'from the file', tags: ['vascular'], question: 'Is there a stent?', im1Correct: 'A', im2Correct: 'B', updatedAt: Date.parse('2026-01-01T00:00:00.000Z') });
    expect(await app.review.decision(second.hashA!, second.hashB!)).toMatchObject({ triage: 'reject', notes: 'decided here' });
    expect(await app.review.decision('a'.repeat(64), 'b'.repeat(64))).toMatchObject({ triage: 'needs-edit' });
    expect([app.session.clipMin, app.session.dinoMax, app.session.maxPerImage]).toEqual([0.93, 0.7, 3]);
    app.session.maxPerImage = 0;
  });
});
