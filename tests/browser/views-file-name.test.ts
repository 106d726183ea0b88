import { afterEach, describe, expect, it } from 'vitest';
import { render, cleanup } from 'vitest-browser-svelte';
import { userEvent } from 'vitest/browser';
import FileName from '../../src/ui/components/FileName.svelte';
import PairGallery from '../../src/ui/views/PairGallery.svelte';
import type { GalleryRow } from '../../src/ui/views/types.ts';
import { splitFileName } from '../../src/ui/lib/format.ts';
import { frames, host, thumbnailUrl } from './views-support.ts';

afterEach(() => {
  cleanup();
  document.body.innerHTML = '';
});

const LONG = 'synthetic-us-calcification-with-acoustic-shadow-0193.png';

function parts(root: ParentNode) {
  const name = root.querySelector<HTMLElement>('.file-name')!;
  return { name, head: name.querySelector<HTMLElement>('.head')!, tail: name.querySelector<HTMLElement>('.tail')!, full: name.querySelector<HTMLElement>('.full')! };
}

describe('splitFileName', () => {
  it('keeps the end of the stem and the extension whole, and at most half the name', () => {
    expect(splitFileName(LONG)).toEqual({ head: LONG.slice(0, -12), tail: 'shadow-0193.png'.slice(-12) });
    expect(splitFileName('a.png')).toEqual({ head: 'a.p', tail: 'ng' });
    const { head, tail } = splitFileName('20192.jpg');
    expect(head + tail).toBe('20192.jpg');
  });
});

describe('FileName', () => {
  it('cuts a long name in the middle so its distinguishing end stays in sight, and names it whole on hover', async () => {
    const target = await host(180);
    await render(FileName, { target, props: { name: LONG } });
    const { name, head, tail } = parts(target);
    expect(name.title).toBe(LONG);
    expect(head.scrollWidth).toBeGreaterThan(head.clientWidth);
    const box = target.getBoundingClientRect();
    const tailBox = tail.getBoundingClientRect();
    expect(tailBox.width).toBeGreaterThan(0);
    expect(tailBox.right).toBeLessThanOrEqual(box.right);
    expect(tail.textContent).toBe('ow-0193.png'.padStart(12, 'd'));
    // Read as one name by assistive technology (the popover copy is hidden from it).
    expect(name.textContent!.startsWith(LONG)).toBe(true);
  });

  it('shows the whole name over the cut one while its button has keyboard focus, and not when it fits', async () => {
    const target = await host(600);
    const narrow = document.createElement('button');
    narrow.style.width = '150px';
    narrow.style.display = 'flex';
    const wide = document.createElement('button');
    target.append(narrow, wide);
    await render(FileName, { target: narrow, props: { name: LONG } });
    await render(FileName, { target: wide, props: { name: 'a.png' } });
    const cut = parts(narrow);
    const fits = parts(wide);
    expect(cut.full.matches(':popover-open')).toBe(false);
    await userEvent.keyboard('{Tab}');
    expect(document.activeElement).toBe(narrow);
    await frames();
    expect(cut.full.matches(':popover-open')).toBe(true);
    expect(cut.full.textContent).toBe(LONG);
    expect(cut.full.getBoundingClientRect().width).toBeGreaterThan(narrow.getBoundingClientRect().width);
    await userEvent.keyboard('{Tab}');
    await frames();
    expect(cut.full.matches(':popover-open')).toBe(false);
    expect(document.activeElement).toBe(wide);
    expect(fits.full.matches(':popover-open')).toBe(false);
  });

  it('in the gallery, names of the active row show whole while the list has keyboard focus', async () => {
    const target = await host(420);
    const row = (i: number): GalleryRow => ({ nameA: `${'study-long-folder-name/'.repeat(2)}case-${i}-left.dcm`, nameB: `${'study-long-folder-name/'.repeat(2)}case-${i}-right.dcm`, thumbA: thumbnailUrl(i), thumbB: thumbnailUrl(i + 1), clip: 0.95, dino: 0.5 });
    const screen = await render(PairGallery, { target, props: { count: 20, row, height: 300 } });
    const list = screen.getByRole('listbox').element() as HTMLElement;
    const open = () => [...target.querySelectorAll<HTMLElement>('.full')].filter((p) => p.matches(':popover-open')).map((p) => p.textContent);
    await userEvent.keyboard('{Tab}');
    expect(document.activeElement).toBe(list);
    await userEvent.keyboard('{ArrowDown}{ArrowDown}');
    await frames();
    expect(open()).toEqual([row(1).nameA, row(1).nameB]);
    await userEvent.keyboard('{ArrowDown}');
    await frames();
    expect(open()).toEqual([row(2).nameA, row(2).nameB]);
    list.blur();
    await frames();
    expect(open()).toEqual([]);
  });
});
