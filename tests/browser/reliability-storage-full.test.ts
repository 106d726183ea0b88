/**
 * Storage full, in the mounted App: the store's commit hook raises the browser's
 * QuotaExceededError for item writes once five have been stored, as a quota that runs out would.
 * (Chromium's `Storage.overrideQuotaForOrigin` did not stop IndexedDB writes in this rig, so the
 * quota is injected where the browser would report it.) The files that fit are stored and
 * embedded, the rest are listed as "storage full" with what to do, nothing is thrown at the page,
 * and "Retry skipped" adds them once space is freed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { ExplorerApp } from '../../src/app/app.svelte.ts';
import { STORAGE_FULL_CODE } from '../../src/app/storage-full.svelte.ts';
import { CANDIDATES_NOT_SAVED } from '../../src/app/mining.svelte.ts';
import { drawnPng } from './store-support.ts';
import { generateSampleSet, sampleImagePng } from '../../src/core/sample/phantoms.ts';
import { uniqueDbName } from './store-support.ts';
import { mountWithFixtureEncoders, until, type MountedApp } from './app-support.ts';

let app: ExplorerApp;
let root: HTMLElement;
let mounted: MountedApp | undefined;
let full = false;
let candidatesFull = false;
let itemsStored = 0;
const unhandled: unknown[] = [];
const onUnhandled = (event: PromiseRejectionEvent) => unhandled.push(event.reason);

const text = (selector: string) => root.querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

describe('storage full in the App', () => {
  beforeAll(async () => {
    addEventListener('unhandledrejection', onUnhandled);
    app = new ExplorerApp({
      storeName: uniqueDbName('storage-full'),
      faults: {
        beforeCommit(names) {
          if (candidatesFull && names.includes('candidates')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          // Item writes only (claiming jobs also touches the items store, to look for kept originals).
          if (!names.includes('items') || names.includes('jobs')) return;
          if (full && itemsStored >= 5) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
          itemsStored++;
        },
      },
    });
    mounted = await mountWithFixtureEncoders(app);
    root = mounted.root;
  }, 60_000);

  afterAll(() => {
    removeEventListener('unhandledrejection', onUnhandled);
    mounted?.unmount();
  });

  it('stores what fits, lists the rest as storage full, throws nothing, and retries once space is freed', async () => {
    const images = generateSampleSet().slice(0, 12);
    const files = images.map((i) => new File([sampleImagePng(i) as Uint8Array<ArrayBuffer>], i.name, { type: 'image/png' }));
    full = true;
    await app.addFiles(files);
    await until(() => !app.busy, 120_000);
    flushSync();
    expect(app.library.items.length).toBe(5);
    const skipped = app.library.skipped.filter((s) => s.code === STORAGE_FULL_CODE);
    expect(skipped.map((s) => s.file).sort()).toEqual(files.slice(5).map((f) => f.name).sort());
    expect(skipped[0].reason).toMatch(/^Storage for this site is full: (about [\d.]+ [kMG]B more is needed for this image|this image did not fit)\. Free space .* then press "Retry skipped"\.$/);
    // Every dropped file is accounted for, the banner says what happened, the page saw no rejection.
    expect(app.library.items.length + skipped.length).toBe(files.length);
    expect(app.banner).toMatch(/storage for this site is full/i);
    expect(unhandled).toEqual([]);
    expect(text('[data-testid=item-count]')).toBe('5 images · 5 embedded by both encoders');
    // The ledger recorded all twelve before reading; those that did not fit are still to read.
    expect(text('[data-testid=drop-account]')).toBe('12 files dropped: 5 images · 7 still to read');
    const retry = root.querySelector<HTMLButtonElement>('[data-testid=retry-skipped]');
    expect(retry?.textContent).toBe('Retry skipped (7)');

    full = false; // the user freed space
    retry!.click();
    await until(() => app.library.items.length === 12 && !app.busy, 120_000);
    flushSync();
    expect(app.library.skipped.filter((s) => s.code === STORAGE_FULL_CODE)).toEqual([]);
    expect(root.querySelector('[data-testid=retry-skipped]')).toBeNull();
    await until(() => app.mining.embeddedCount === 12, 60_000);
    flushSync();
    expect(text('[data-testid=drop-account]')).toBe('12 files dropped: 12 images');
    expect(app.banner).toBe('');
    expect(unhandled).toEqual([]);
  });

  it('keeps the stored candidate set whole when the new one does not fit, and shows the mined pairs', async () => {
    // The retry above ends with a mining pass whose set is written last: wait for it.
    await until(() => !app.busy && app.mining.rows.length === 12, 120_000);
    await app.mining.settled();
    const before = await app.store.candidates.keys();
    expect(before).toHaveLength(1);
    await expect.poll(async () => (await app.store.candidates.get(before[0]))?.rows.length, { timeout: 30_000 }).toBe(12);
    const stored = await app.store.candidates.get(before[0]);
    expect(stored?.rows).toHaveLength(12);
    candidatesFull = true;
    try {
      await app.addFiles(await Promise.all([101, 102].map(drawnPng)));
      await until(() => !app.busy && app.mining.rows.length === 14, 120_000);
    } finally {
      candidatesFull = false;
    }
    expect(app.banner).toBe(CANDIDATES_NOT_SAVED);
    expect(app.mining.answer).not.toBeNull();
    // The derived store was never emptied: the set of twelve is still there, whole.
    const after = await app.store.candidates.get(before[0]);
    expect(after?.rows).toEqual(stored?.rows);
    expect(after?.a.length).toBe(stored?.a.length);
    expect(unhandled).toEqual([]);
  }, 120_000);
});
