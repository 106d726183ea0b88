/**
 * The library: what is stored of the user's images — items, skipped files, captions, and the items
 * whose embedding waits for their file to be dropped again. Always re-read from the store, never
 * kept beside it, so a reload shows exactly what is stored.
 */
import type { CaptionRecord, DropCounts, DropRecord, ItemRecord, SkippedRecord, Store } from '../store/index.ts';
import type { RedropEntry } from './drop-ledger.ts';
import { frameIndexesOf } from './embed-queue.ts';
import { ThumbnailUrls } from './thumbnails.ts';

export type { RedropEntry };

const NO_DROPS: DropCounts = { dropped: 0, waiting: 0, stored: 0, duplicate: 0, skipped: 0 };

export class Library {
  items = $state.raw<ItemRecord[]>([]);
  skipped = $state.raw<SkippedRecord[]>([]);
  /** Items whose embedding waits for their file to be dropped again (pixels not kept). */
  needRedrop = $state.raw<RedropEntry[]>([]);
  /** The drop ledger: every dropped file by where it stands. */
  drops = $state.raw<DropCounts>(NO_DROPS);
  /** Dropped files not read yet (a reload, a crash or a full disk came first), in drop order. */
  stillToRead = $state.raw<DropRecord[]>([]);
  /** Dropped files whose image was already stored from another file. */
  duplicates = $state.raw<DropRecord[]>([]);
  readonly thumbnails = new ThumbnailUrls();
  /** Derived, so every lookup (`item`, `name`, …) follows a reload wherever it is read. */
  private readonly byHash = $derived(new Map(this.items.map((item) => [item.sha256, item] as const)));
  private captionsByKey = new Map<string, CaptionRecord>();

  constructor(private readonly store: () => Store) {}

  /** Re-reads items, skipped files and captions from the store. */
  async reload(): Promise<void> {
    const store = this.store();
    const items = await store.items.all();
    this.items = items;
    this.skipped = await store.skipped.list();
    this.captionsByKey = new Map((await store.captions.all()).map((c) => [c.key, c]));
    await this.refreshRedrop();
    await this.refreshDrops({ lists: true });
  }

  /** Re-reads the drop ledger's counts (cheap, while work runs) and, when asked, its lists. */
  async refreshDrops(options: { lists?: boolean } = {}): Promise<void> {
    const drops = this.store().drops;
    if (options.lists) {
      this.stillToRead = await drops.inState('waiting');
      this.duplicates = await drops.inState('duplicate');
    }
    this.drops = await drops.counts();
  }

  async refreshRedrop(): Promise<void> {
    this.needRedrop = (await this.store().jobs.pixelSources()).needRedrop;
  }

  item(sha256: string): ItemRecord | undefined {
    return this.byHash.get(sha256);
  }

  has(sha256: string): boolean {
    return this.byHash.has(sha256);
  }

  /** Display name of an item ('' when it is not stored). */
  name(sha256: string | undefined): string {
    return (sha256 && this.byHash.get(sha256)?.name) || '';
  }

  thumbnail(sha256: string | undefined): string | null {
    return sha256 ? this.thumbnails.url(sha256, this.byHash.get(sha256)?.thumbnail) : null;
  }

  /** Caption and categories of an item, looked up by hash, relative path, then file name. */
  caption(sha256: string): { caption: string; categories: string[] } {
    const item = this.byHash.get(sha256);
    const entry = this.captionsByKey.get(sha256) ?? (item ? (this.captionsByKey.get(item.relativePath) ?? this.captionsByKey.get(item.name)) : undefined);
    return { caption: entry?.caption ?? '', categories: entry?.categories ?? [] };
  }

  /** Stores captions (keyed by the names in the file); returns how many were stored. */
  async importCaptions(entries: readonly { name: string; caption: string; categories: readonly string[] }[]): Promise<number> {
    await this.store().captions.putMany(entries.map((e) => ({ key: e.name, caption: e.caption, categories: [...e.categories] })));
    this.captionsByKey = new Map((await this.store().captions.all()).map((c) => [c.key, c]));
    return entries.length;
  }

  /** Category id per row of `rows` (-1 unknown), or undefined when no row has a category. */
  categoriesOf(rows: readonly string[]): Int32Array | undefined {
    const names = new Map<string, number>();
    const categories = new Int32Array(rows.length).fill(-1);
    rows.forEach((sha, i) => {
      const category = this.caption(sha).categories[0];
      if (!category) return;
      if (!names.has(category)) names.set(category, names.size);
      categories[i] = names.get(category)!;
    });
    return names.size ? categories : undefined;
  }

  frameIndexes(): Record<string, number> {
    return frameIndexesOf(this.items);
  }

  /** Drops what is held after "Forget everything" removed the stored data. */
  forget(): void {
    this.thumbnails.clear();
    this.captionsByKey.clear();
    this.items = [];
    this.skipped = [];
    this.needRedrop = [];
    this.drops = NO_DROPS;
    this.stillToRead = [];
    this.duplicates = [];
  }
}
