/**
 * The one list of current pairs that Explore, Pairs, Review and the export dialog read: mined
 * (the miner's answer, paged on demand) or imported (the benchmark's pairs). Order, numbering,
 * selection and hash resolution live here, so a pair has the same number in every view.
 */
import type { PairArrays } from '../core/mining/index.ts';
import { messageOf } from '../core/errors.ts';
import type { ImportedPairs, ImportedPairView } from './imported-pairs.svelte.ts';
import type { Mining } from './mining.svelte.ts';

/** One pair as every view shows it. */
export interface PairRow {
  /** 0-based position in the current list; views show position + 1. */
  position: number;
  hashA: string | undefined;
  hashB: string | undefined;
  /** Rows of the two images among the mined rows (-1 when not mined). */
  rowA: number;
  rowB: number;
  clip: number;
  dino: number;
  /** An imported pair: its view (published similarities, missing images, reason). */
  imported?: ImportedPairView;
}

const PAGE = 200;

export class PairList {
  /** Selected position in the mined list. */
  private minedSelected = $state(0);
  /** Pages of the mined answer beyond its first page, keyed by page number, for the answer `version`. */
  private pages = $state.raw<{ version: number; pages: ReadonlyMap<number, PairArrays> }>({ version: -1, pages: new Map() });
  private readonly requested = new Set<string>();

  constructor(
    private readonly mining: Mining,
    private readonly imported: ImportedPairs,
    private readonly say: (sentence: string) => void,
  ) {}

  /** Which pairs are listed: the imported benchmark's when chosen and present, else the mined ones. */
  get source(): 'mined' | 'imported' {
    return this.imported.source === 'imported' && this.imported.views.length > 0 ? 'imported' : 'mined';
  }

  get count(): number {
    return this.source === 'imported' ? this.imported.views.length : (this.mining.answer?.view.total ?? 0);
  }

  get selected(): number {
    const index = this.source === 'imported' ? this.imported.selected : this.minedSelected;
    return index >= 0 && index < this.count ? index : -1;
  }

  select(position: number): void {
    const clamped = Math.max(0, Math.min(this.count - 1, position));
    if (this.source === 'imported') this.imported.selected = clamped;
    else this.minedSelected = clamped;
    this.ensure(clamped, clamped + 1);
  }

  /** The selected pair, or undefined while there is none (or its page is on its way). */
  get current(): PairRow | undefined {
    const i = this.selected;
    return i >= 0 ? this.at(i) : undefined;
  }

  /** Pair `position`, or undefined while its page is on its way (call `ensure`). */
  at(position: number): PairRow | undefined {
    if (position < 0 || position >= this.count) return undefined;
    if (this.source === 'imported') return this.importedRow(position);
    const answer = this.mining.answer;
    if (!answer) return undefined;
    const first = answer.view.page;
    if (position < first.count) return this.minedRow(first, position, position);
    const pages = this.pages.version === answer.version ? this.pages.pages : undefined;
    const page = pages?.get(Math.floor(position / PAGE));
    return page ? this.minedRow(page, position % PAGE, position) : undefined;
  }

  /** Asks the miner for the pages covering positions start..end that are not here yet. */
  ensure(start: number, end: number): void {
    const answer = this.mining.answer;
    if (this.source !== 'mined' || !answer) return;
    const firstCount = answer.view.page.count;
    for (let p = Math.floor(Math.max(start, firstCount) / PAGE); p * PAGE < Math.min(end, answer.view.total); p++) {
      const key = `${answer.version}:${p}`;
      if (this.requested.has(key) || (this.pages.version === answer.version && this.pages.pages.has(p))) continue;
      this.requested.add(key);
      this.mining
        .page(answer.version, p * PAGE, PAGE)
        .then((page) => {
          if (!page) return;
          const base = this.pages.version === answer.version ? this.pages.pages : new Map<number, PairArrays>();
          this.pages = { version: answer.version, pages: new Map(base).set(p, page) };
        })
        .catch((error: unknown) => this.say(messageOf(error)))
        .finally(() => this.requested.delete(key));
    }
  }

  /** Selects the first listed pair that contains mined row `row`; false when none does. */
  async openImage(row: number): Promise<boolean> {
    if (this.source === 'imported') {
      const hash = this.mining.rows[row];
      const view = this.imported.views.find((v) => v.hashes.includes(hash));
      if (view) this.select(view.index);
      return view !== undefined;
    }
    const position = await this.mining.firstPairWith(row);
    if (position >= 0) this.select(position);
    return position >= 0;
  }

  /** Selects the pair of these two images when it is listed; false when it is not. */
  async openPair(hashA: string, hashB: string): Promise<boolean> {
    if (this.source === 'imported') {
      const view = this.imported.views.find((v) => (v.hashes[0] === hashA && v.hashes[1] === hashB) || (v.hashes[0] === hashB && v.hashes[1] === hashA));
      if (view) this.select(view.index);
      return view !== undefined;
    }
    const position = await this.mining.positionOf(hashA, hashB);
    if (position >= 0) this.select(position);
    return position >= 0;
  }

  private minedRow(page: PairArrays, i: number, position: number): PairRow {
    const rows = this.mining.rows;
    const [rowA, rowB] = [page.a[i], page.b[i]];
    return { position, hashA: rows[rowA], hashB: rows[rowB], rowA, rowB, clip: page.clip[i], dino: page.dino[i] };
  }

  private importedRow(position: number): PairRow {
    const view = this.imported.views[position];
    const rowOf = this.mining.rowOf;
    const [hashA, hashB] = view.hashes;
    return {
      position,
      hashA,
      hashB,
      rowA: hashA ? (rowOf.get(hashA) ?? -1) : -1,
      rowB: hashB ? (rowOf.get(hashB) ?? -1) : -1,
      clip: view.computed?.clip ?? Number.NaN,
      dino: view.computed?.dino ?? Number.NaN,
      imported: view,
    };
  }
}
