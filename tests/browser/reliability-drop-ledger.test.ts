/**
 * Issue #16, item 2: every dropped file is recorded before it is read, and the sidebar's account
 * holds: dropped = images + duplicates + skipped + still to read. Duplicates (the same bytes
 * under another name) are kept once and reported; a file dropped again is the same record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { ExplorerApp } from '../../src/app/app.svelte.ts';
import { dropKey, droppedFile } from '../../src/store/index.ts';
import { drawnPng, freshStore, sampleItem, fakeHash, uniqueDbName } from './store-support.ts';
import { mountWithFixtureEncoders, until, type MountedApp } from './app-support.ts';
import { screenshotBothThemes } from './review-support.ts';

describe('the drop ledger in the store', () => {
  it('records files as waiting, settles them with their image or skip in one transaction, and keys a file by path, size and time', async () => {
    const { store, cleanup } = await freshStore('drops-table');
    try {
      const files = [
        { name: 'a.png', relativePath: 'scans/a.png', size: 10, lastModified: 1 },
        { name: 'b.png', relativePath: 'scans/b.png', size: 10, lastModified: 1 },
        { name: 'c.txt', relativePath: 'scans/c.txt', size: 3, lastModified: 1 },
        { name: 'd.png', relativePath: 'scans/d.png', size: 12, lastModified: 2 },
      ];
      const keys = await store.drops.record(files);
      expect(keys).toEqual(files.map(dropKey));
      expect(await store.drops.counts()).toEqual({ dropped: 4, waiting: 4, stored: 0, duplicate: 0, skipped: 0 });

      const hash = fakeHash(1);
      expect((await store.drops.storeItem(keys[0], sampleItem(hash, { name: 'a.png', relativePath: 'scans/a.png' }))).state).toBe('stored');
      const second = await store.drops.storeItem(keys[1], sampleItem(hash, { name: 'b.png', relativePath: 'scans/b.png' }));
      expect([second.state, second.created]).toEqual(['duplicate', false]);
      await store.drops.skip(keys[2], { file: 'scans/c.txt', code: 'not-an-image', reason: 'This is a text file.' });
      expect(await store.drops.counts()).toEqual({ dropped: 4, waiting: 1, stored: 1, duplicate: 1, skipped: 1 });
      expect((await store.drops.inState('duplicate')).map((r) => [r.name, r.sameAs, r.sha256])).toEqual([['b.png', 'scans/a.png', hash]]);
      expect((await store.drops.inState('waiting')).map((r) => r.name)).toEqual(['d.png']);
      expect((await store.skipped.list()).map((s) => s.file)).toEqual(['scans/c.txt']);
      expect(await store.items.count()).toBe(1);

      // The same file dropped again is waiting again, not a second record; storing it is not a duplicate.
      await store.drops.record([files[0]]);
      expect(await store.drops.counts()).toMatchObject({ dropped: 4, waiting: 2, stored: 0 });
      expect((await store.drops.storeItem(keys[0], sampleItem(hash, { name: 'a.png', relativePath: 'scans/a.png' }))).state).toBe('stored');
      expect(await store.drops.counts()).toMatchObject({ dropped: 4, waiting: 1, stored: 1, duplicate: 1 });
    } finally {
      await cleanup();
    }
  });

  it('keeps the record waiting when storing the image fails (nothing half-written)', async () => {
    let fail = false;
    const { store, cleanup } = await freshStore('drops-atomic', {
      faults: {
        beforeCommit(names) {
          if (fail && names.includes('items')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        },
      },
    });
    try {
      const [key] = await store.drops.record([{ name: 'a.png', relativePath: '', size: 10, lastModified: 1 }]);
      fail = true;
      await expect(store.drops.storeItem(key, sampleItem(fakeHash(2)))).rejects.toThrow(/storage for this site is full/i);
      expect(await store.items.count()).toBe(0);
      expect(await store.drops.counts()).toMatchObject({ waiting: 1, stored: 0 });
    } finally {
      await cleanup();
    }
  });
});

describe('the drop ledger in the App', () => {
  let app: ExplorerApp;
  let mounted: MountedApp | undefined;
  const text = (selector: string) => mounted?.root.querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';

  beforeAll(async () => {
    app = new ExplorerApp({ storeName: uniqueDbName('drop-ledger-app') });
    mounted = await mountWithFixtureEncoders(app);
  }, 60_000);

  afterAll(() => mounted?.unmount());

  it('accounts for every dropped file: images, duplicates kept once, skipped, none still to read', async () => {
    const a = await drawnPng(1);
    const copy = new File([await a.arrayBuffer()], 'copy-of-a.png', { type: 'image/png', lastModified: a.lastModified });
    const d = await drawnPng(2);
    const text5 = new File(['not an image'], 'notes.txt', { type: 'text/plain' });
    // a.png twice in one drop is one file; copy-of-a.png is the same image under another name.
    await app.addFiles([a, copy, text5, a, d]);
    await until(() => !app.busy, 120_000);
    flushSync();
    expect(app.library.items).toHaveLength(2);
    expect(text('[data-testid=drop-account]')).toBe('4 files dropped: 2 images · 1 duplicate · 1 skipped');
    expect(app.banner).toBe('1 file is the same image as another file: kept once.');
    await screenshotBothThemes(mounted!.root, 'drop-ledger-sidebar');
    expect(text('[data-testid=duplicate-count]')).toBe('Duplicates (1): kept once');
    const entry = mounted!.root.querySelector('.duplicates li');
    expect([entry?.querySelector('.file')?.textContent, entry?.querySelector('.same')?.textContent]).toEqual(['copy-of-a.png', `same image as ${a.name}`]);
    expect(mounted!.root.querySelector('[data-testid=still-to-read]')).toBeNull();
    // The skipped count is in sight near the top of the sidebar and opens the list at its foot.
    const details = mounted!.root.querySelector<HTMLDetailsElement>('details.skipped')!;
    details.open = false;
    mounted!.root.querySelector<HTMLButtonElement>('[data-testid=show-skipped]')!.click();
    expect(text('[data-testid=show-skipped]')).toBe('Skipped files (1): why');
    expect(details.open).toBe(true);
    expect(document.activeElement).toBe(details.querySelector('summary'));
    // The notice floats and can be dismissed; it takes no room of its own.
    const banner = mounted!.root.querySelector<HTMLElement>('.banner')!;
    expect(getComputedStyle(banner).position).toBe('absolute');
    await screenshotBothThemes(banner, 'banner-notice');
    banner.querySelector<HTMLButtonElement>('.dismiss')!.click();
    expect(app.banner).toBe('');
    flushSync();
    expect(getComputedStyle(banner).display).toBe('none');
    const records = await app.store.drops.all();
    expect(records.map((r) => r.key).sort()).toEqual([a, copy, text5, d].map((f) => dropKey(droppedFile(f))).sort());
    expect(records.every((r) => !('original' in r) && !('thumbnail' in r))).toBe(true);
  }, 120_000);
});
