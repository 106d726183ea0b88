/**
 * The library's lookups (`item`, `name`, `thumbnail`) are derived from the items it re-reads, so a
 * view that reads them follows a reload: the export dialog's "not kept at full size" count clears
 * once the user adds the folder again with originals kept.
 */
import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { Library } from '../../src/app/library.svelte.ts';
import { fakeHash, freshStore, sampleItem } from './store-support.ts';

describe('library lookups', () => {
  it('follow a reload wherever they are read', async () => {
    const { store, cleanup } = await freshStore('library-lookups');
    try {
      const library = new Library(() => store);
      const hash = fakeHash(1);
      await store.items.put(sampleItem(hash));
      await library.reload();
      const seen: boolean[] = [];
      const stop = $effect.root(() => {
        $effect(() => {
          seen.push(library.item(hash)?.original !== undefined);
        });
      });
      flushSync();
      // The same bytes again, now with the original kept (what "Choose the image folder again" does).
      await store.items.put(sampleItem(hash, { original: new Blob([new Uint8Array(3)]) }));
      await library.reload();
      flushSync();
      stop();
      expect(seen).toEqual([false, true]);
    } finally {
      await cleanup();
    }
  });
});
