/**
 * Offline before the models are cached: the app shell is installed (one online visit that never
 * loaded an encoder), the network goes off, the user loads the sample set. The images are stored,
 * the banner says the network is off and which encoders are not cached yet (not a setup hint),
 * and when the network returns the stored work is embedded and mined without any click.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ARTIFACTS, openApp, type Session } from './browser.ts';

let session: Session;
const origin = inject('appOrigin');

const itemCount = () => document.querySelector('[data-testid=item-count]')?.textContent ?? '';
const mined = () => /confusing pair/.test(document.querySelector('[data-testid=confusing-count]')?.textContent ?? '');

describe('offline before the models are cached', () => {
  beforeAll(async () => {
    session = await openApp(origin, '/?encoders=fixture-clip,fixture-dino');
  });
  afterAll(async () => session?.close());

  it('stores the images, says the network is off and what is not cached, and resumes when it returns', async () => {
    const { page, context } = session;
    await page.waitForFunction(async () => !!(await navigator.serviceWorker.getRegistration())?.active, null, { timeout: 30_000 });
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
    // This visit loaded no encoder: nothing of the models is in any cache.
    expect(await page.evaluate(async () => (await caches.keys()).filter((k) => k.includes('transformers')).length)).toBe(0);

    await context.setOffline(true);
    try {
      await page.reload();
      await page.waitForSelector('[data-testid=drop-zone]', { timeout: 30_000 });
      await page.click('[data-testid=load-sample]');
      await page.waitForFunction(() => /network is off/.test(document.querySelector('.banner')?.textContent ?? ''), null, { timeout: 120_000 });
      const banner = (await page.textContent('.banner')) ?? '';
      expect(banner).toContain(
        'The network is off and Fixture CLIP (not meaningful) and Fixture DINOv2 (not meaningful) are not cached in this browser yet. Your images are stored; embedding starts by itself when the connection returns.',
      );
      expect(banner).not.toMatch(/npm run/);
      const stored = await page.evaluate(itemCount);
      expect(stored).toMatch(/^\d+ images · 0 embedded/);
      await page.screenshot({ path: `${ARTIFACTS}/offline-first-load.png` });
    } finally {
      await context.setOffline(false);
    }
    // No click: the "online" event resumes the stored work.
    await page.waitForFunction(() => /^(\d+) images · \1 embedded/.test(document.querySelector('[data-testid=item-count]')?.textContent ?? ''), null, { timeout: 180_000 });
    await page.waitForFunction(mined, null, { timeout: 120_000 });
    expect((await page.textContent('.banner').catch(() => '')) ?? '').not.toMatch(/network is off/);
  });
});
