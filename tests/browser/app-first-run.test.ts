/**
 * First run, as a new user meets it, on the whole App in Chromium: the Benchmark and Privacy tabs
 * work before any image; with the default encoders unavailable (BiomedCLIP not converted, the hub
 * out of reach) the sample set is stored but not embedded, and choosing other encoders loads them
 * and embeds and mines what is stored at once, without a reload; "Forget everything" shows its
 * report and the report stays readable once the app is empty again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flushSync, mount, unmount } from 'svelte';
import App from '../../src/ui/App.svelte';
import { ExplorerApp } from '../../src/app/app.svelte.ts';
import { uniqueDbName } from './store-support.ts';

let app: ExplorerApp;
let root: HTMLElement;
let mounted: ReturnType<typeof mount> | undefined;
const text = (selector: string) => root.querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
const click = (selector: string) => (root.querySelector(selector) as HTMLElement).click();

function choose(selector: string, value: string): void {
  const select = root.querySelector(selector) as HTMLSelectElement;
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
  flushSync();
}

describe('first run in Chromium', () => {
  beforeAll(async () => {
    app = new ExplorerApp({ storeName: uniqueDbName('app-first-run') });
    root = document.createElement('div');
    root.style.cssText = 'width: 1280px; height: 800px;';
    document.body.append(root);
    mounted = mount(App, { target: root, props: { app } });
  });

  afterAll(() => {
    if (mounted) void unmount(mounted);
    root.remove();
  });

  it('the Benchmark and Privacy tabs work before any image', async () => {
    await expect.poll(() => app.ready, { timeout: 30_000 }).toBe(true);
    expect(root.querySelector('#first-run-h')).not.toBeNull();
    click('[data-testid=tab-benchmark]');
    flushSync();
    expect(root.querySelector('[data-testid=import-dialog]')).not.toBeNull();
    expect(root.querySelector('#first-run-h')).toBeNull();
    click('[data-testid=tab-privacy]');
    flushSync();
    expect(root.textContent).toMatch(/Forget everything/);
    click('[data-testid=tab-pairs]');
    flushSync();
  });

  it('unavailable default encoders are no dead end: choosing others embeds and mines what is stored', async () => {
    await app.loadSampleSet();
    await expect.poll(() => app.busy, { timeout: 60_000 }).toBe(false);
    expect(app.library.items.length).toBe(45);
    expect(text('[data-testid=item-count]')).toMatch(/45 images · 0 embedded by both encoders/);
    expect(app.encoders.clip.phase).toBe('error');
    expect(app.banner).not.toBe('');
    choose('[data-testid=select-clipEncoderId]', 'fixture-clip');
    choose('[data-testid=select-dinoEncoderId]', 'fixture-dino');
    await expect.poll(() => text('[data-testid=item-count]'), { timeout: 120_000 }).toMatch(/45 images · 45 embedded by both encoders/);
    await expect.poll(() => app.mining.answer !== null && !app.busy, { timeout: 60_000 }).toBe(true);
    expect(app.encoders.clip.phase).toBe('ready');
    expect(app.encoders.dino.phase).toBe('ready');
    expect(app.banner).toBe('');
    expect(text('[data-testid=confusing-count]')).toMatch(/confusing pairs? of/);
  }, 240_000);

  it('"Forget everything" shows its report, which stays readable once the app is empty', async () => {
    click('[data-testid=tab-privacy]');
    flushSync();
    const forgetButton = [...root.querySelectorAll('button')].find((b) => b.textContent?.includes('Forget everything'))!;
    forgetButton.click();
    flushSync();
    const yes = [...root.querySelectorAll('button')].find((b) => b.textContent?.includes('Yes, forget everything'))!;
    yes.click();
    await expect.poll(() => root.querySelector('[data-testid=forget-report]') !== null, { timeout: 30_000 }).toBe(true);
    expect(app.library.items).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 300));
    flushSync();
    expect(text('[data-testid=forget-report]')).toMatch(/Forgotten: \d+ records?/);
    expect(text('[data-testid=item-count]')).toMatch(/^0 images/);
  });
});
