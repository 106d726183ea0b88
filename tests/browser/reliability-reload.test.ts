/**
 * Issue #16, item 1: state rebuilt from the store on every load. A "reload" is a second
 * ExplorerApp on the same database after the first one was stopped (dispose terminates its
 * workers and closes nothing but its own connection), as a tab reload leaves it:
 *
 * - during the first mining pass (the candidate set deleted after the fact, or the app stopped
 *   the moment mining starts): the page shows "N embedded" equal to what is stored and the mined
 *   pairs, equal to a brute force over the stored embeddings, without any re-drop;
 * - during embedding: with kept originals the rest is embedded by itself; without them the
 *   unembedded items are listed by name for a re-drop, and dropping them finishes the work.
 *
 * The App is mounted for the reloaded page, so the count is read from what the user sees.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import { deleteDB } from 'idb';
import App from '../../src/ui/App.svelte';
import { ExplorerApp } from '../../src/app/app.svelte.ts';
import { openStore } from '../../src/store/index.ts';
import { closeApp, fixtureApp } from './review-imported-support.ts';
import { drawnPng, uniqueDbName } from './store-support.ts';
import { bruteForcePairs, expectAllEmbeddedOnce, storedPairs, storedWork, until } from './reliability-support.ts';

const FLOOR = 0.3;
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A first page on a new database with the fixture encoders and a low floor (so pairs exist), persisted. */
async function firstPage(label: string): Promise<{ app: ExplorerApp; dbName: string }> {
  const dbName = uniqueDbName(label);
  cleanups.push(() => deleteDB(dbName));
  const { app } = await fixtureApp(dbName);
  cleanups.push(() => closeApp(app));
  app.session.setFloor(FLOOR);
  flushSync();
  // The session is saved debounced (300 ms); the reloaded page must find the encoders and floor.
  await new Promise((r) => setTimeout(r, 500));
  return { app, dbName };
}

/** The reloaded page: the whole App mounted on the same database, nothing dropped. */
async function reloadedPage(dbName: string): Promise<{ app: ExplorerApp; root: HTMLElement }> {
  const app = new ExplorerApp({ storeName: dbName });
  const root = document.createElement('div');
  root.style.cssText = 'width: 1400px; height: 900px;';
  document.body.append(root);
  const mounted = mount(App, { target: root, props: { app } });
  cleanups.push(() => {
    void unmount(mounted);
    root.remove();
    closeApp(app);
  });
  await until(() => app.ready, 30_000, 'the reloaded app to boot');
  expect(app.session.clipEncoderId).toBe('fixture-clip');
  expect(app.session.floor).toBe(FLOOR);
  return { app, root };
}

const shown = (root: HTMLElement, selector: string) => root.querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

/** The reloaded page shows exactly what is stored: N embedded by both, and the pairs mined over them. */
async function expectRebuiltFromStore(app: ExplorerApp, root: HTMLElement, itemCount: number): Promise<void> {
  await until(() => app.mining.answer !== null && !app.busy && app.mining.rows.length === itemCount, 60_000, 'the mined pairs');
  await app.mining.settled();
  flushSync();
  const work = await storedWork(app.store);
  const both = work.perEncoder[0].embedded.filter((h) => work.perEncoder[1].embedded.includes(h));
  expect(both).toHaveLength(itemCount);
  expect(shown(root, '[data-testid=item-count]')).toBe(`${itemCount} images · ${both.length} embedded by both encoders`);
  expect([...app.mining.rows].sort()).toEqual(both);
  const stored = await storedPairs(app.store);
  expect([...stored.rows].sort()).toEqual(both);
  expect(stored.pairs.length).toBeGreaterThan(0);
  expect(stored.pairs).toEqual(await bruteForcePairs(app, both, FLOOR));
  expect(app.mining.answer?.view.candidates).toBe(stored.pairs.length);
  expect(shown(root, '[data-testid=tab-pairs]')).toBe(`Confusing pairs (${app.mining.answer!.view.total})`);
  expect(app.library.needRedrop).toEqual([]);
  await expectAllEmbeddedOnce(app.store, itemCount);
}

describe('a reload during the first mining pass', () => {
  for (const keepOriginals of [true, false]) {
    const kept = keepOriginals ? 'with kept originals' : 'without originals';

    it(`re-mines from the stored embeddings when the candidate set is missing (${kept})`, async () => {
      const { app: first, dbName } = await firstPage('reload-mined');
      const files = await Promise.all([0, 1, 2, 3, 4, 5].map(drawnPng));
      await first.addFiles(files, { keepOriginals });
      expect(first.mining.rows).toHaveLength(6);
      // What a reload before the set was written leaves: items and embeddings, no candidate set.
      await first.store.candidates.clear();
      closeApp(first);

      const { app, root } = await reloadedPage(dbName);
      await expectRebuiltFromStore(app, root, 6);
    }, 120_000);

    it(`re-mines when the page stops the moment mining starts (${kept})`, async () => {
      const { app: first, dbName } = await firstPage('reload-mid-mine');
      const files = await Promise.all([0, 1, 2, 3, 4, 5, 6].map(drawnPng));
      // Stopped as a reload would: the first mining pass has just begun, nothing of it is stored.
      const start = first.progress.start.bind(first.progress);
      let stopped = false;
      first.progress.start = (label, total, unit) => {
        const handle = start(label, total, unit);
        if (label === 'Mining confusing pairs' && !stopped) {
          stopped = true;
          closeApp(first);
        }
        return handle;
      };
      await first.addFiles(files, { keepOriginals });
      expect(stopped).toBe(true);
      const check = await openStore({ name: dbName });
      const before = await storedWork(check);
      check.close();
      expect(before.items).toHaveLength(7);
      for (const encoder of before.perEncoder) expect(encoder.count).toBe(7);
      expect(before.candidateKeys).toEqual([]);

      const { app, root } = await reloadedPage(dbName);
      await expectRebuiltFromStore(app, root, 7);
    }, 120_000);
  }
});

describe('a reload mid-embedding', () => {
  /**
   * Drops 12 files and stops the page while the 10th is being stored: 8 are embedded (one batch),
   * the 9th is queued, the 10th is stored without its jobs, the last two were never read.
   */
  async function stoppedMidEmbedding(label: string, keepOriginals: boolean) {
    const { app: first, dbName } = await firstPage(label);
    const files = await Promise.all(Array.from({ length: 12 }, (_, i) => drawnPng(20 + i)));
    const hashOf = new Map<string, string>();
    await first.addFiles(files, {
      keepOriginals,
      onIngested: (file, sha256) => {
        hashOf.set(sha256, file.name);
        if (hashOf.size === 10) closeApp(first);
      },
    });
    const check = await openStore({ name: dbName });
    const before = await storedWork(check);
    check.close();
    expect(before.items).toHaveLength(10);
    // The 10th item was stored but its jobs never queued: the reloaded page must queue it itself.
    for (const encoder of before.perEncoder) expect([encoder.count, encoder.jobs.length]).toEqual([8, 9]);
    const unembedded = before.items.filter((h) => !before.perEncoder[0].embedded.includes(h));
    expect(unembedded).toHaveLength(2);
    return { dbName, files, hashOf, unembedded };
  }

  /** The two files never read are named as still to read, and the account adds up. */
  function expectStillToRead(app: ExplorerApp, root: HTMLElement, files: File[]): void {
    flushSync();
    expect(app.library.stillToRead.map((r) => r.name)).toEqual([files[10].name, files[11].name]);
    const list = shown(root, '[data-testid=still-to-read]');
    expect(list).toContain('2 files still to read');
    for (const file of files.slice(10)) expect(list).toContain(file.name);
    expect(shown(root, '[data-testid=drop-account]')).toBe('12 files dropped: 10 images · 2 still to read');
  }

  it('resumes by itself with kept originals, and names the files never read', async () => {
    const { dbName, files } = await stoppedMidEmbedding('reload-embed-kept', true);
    const { app, root } = await reloadedPage(dbName);
    await expectRebuiltFromStore(app, root, 10);
    expectStillToRead(app, root, files);

    // Choosing all twelve again reads only the two: the banner says so, and nothing is done twice.
    await app.readAgain(files);
    expect(app.banner).toBe('Reading 2 of the 12 files chosen; the other 10 were read before.');
    await expectRebuiltFromStore(app, root, 12);
    flushSync();
    expect(shown(root, '[data-testid=drop-account]')).toBe('12 files dropped: 12 images');
    expect(root.querySelector('[data-testid=still-to-read]')).toBeNull();
  }, 120_000);

  it('lists the unembedded items for a re-drop without originals, and the re-drop finishes them', async () => {
    const { dbName, files, hashOf, unembedded } = await stoppedMidEmbedding('reload-embed-redrop', false);
    const { app, root } = await reloadedPage(dbName);
    // The embedded ones are mined from the store; the others are listed by name.
    await until(() => app.mining.answer !== null && !app.busy, 60_000, 'the stored pairs');
    expect(app.mining.rows).toHaveLength(8);
    expect(app.library.needRedrop.map((entry) => entry.sha256).sort()).toEqual(unembedded);
    expect(app.library.needRedrop.map((entry) => entry.name).sort()).toEqual(unembedded.map((h) => hashOf.get(h)).sort());
    flushSync();
    for (const entry of app.library.needRedrop) expect(root.textContent).toContain(entry.name);
    expectStillToRead(app, root, files);

    // One action finishes both: the two items waiting for their pixels and the two never read.
    const read: string[] = [];
    const addFiles = app.addFiles.bind(app);
    app.addFiles = (chosen, options) => {
      read.push(...chosen.map((f) => f.name));
      return addFiles(chosen, options);
    };
    await app.readAgain(files);
    expect(read.sort()).toEqual([...unembedded.map((h) => hashOf.get(h)!), files[10].name, files[11].name].sort());
    await expectRebuiltFromStore(app, root, 12);
    flushSync();
    expect(shown(root, '[data-testid=drop-account]')).toBe('12 files dropped: 12 images');
  }, 120_000);
});
