/**
 * Offline: after one online visit that used the encoders, the app reloads with the network off
 * and still ingests, embeds and mines new images (service worker shell + cached model files).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ARTIFACTS, openApp, type Session } from './browser.ts';
import { generateSampleSet, sampleImagePng } from '../../src/core/sample/phantoms.ts';

let session: Session;
const origin = inject('appOrigin');

function files(copies: number, size: number) {
  return generateSampleSet(copies, size).map((i) => ({ name: i.name, mimeType: 'image/png', buffer: Buffer.from(sampleImagePng(i)) }));
}

const mined = () => /confusing pair/.test(document.querySelector('[data-testid=confusing-count]')?.textContent ?? '');

describe('offline after one online visit', () => {
  beforeAll(async () => {
    session = await openApp(origin, '/?encoders=fixture-clip,fixture-dino');
  });
  afterAll(async () => session?.close());

  it('reloads with the network off, shows the stored work, and embeds and mines new images', async () => {
    const { page, context } = session;
    await page.setInputFiles('[data-testid=file-input]', files(1, 128).slice(0, 6));
    await page.waitForFunction(mined, null, { timeout: 120_000 });
    await page.waitForFunction(async () => !!(await navigator.serviceWorker.getRegistration())?.active, null, { timeout: 30_000 });
    // A visit after installation is controlled by the service worker (no clients.claim()).
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
    await page.waitForFunction(mined, null, { timeout: 60_000 });
    const online = await page.textContent('[data-testid=confusing-count]');
    expect(await page.evaluate(async () => (await caches.keys()).join(','))).toMatch(/mediconfusion-ort-/);

    await context.setOffline(true);
    try {
      await page.reload();
      await page.waitForSelector('[data-testid=drop-zone]', { timeout: 30_000 });
      await page.waitForFunction(mined, null, { timeout: 60_000 });
      expect(await page.textContent('[data-testid=item-count]')).toMatch(/^6 images · 6 embedded/);
      expect(await page.textContent('[data-testid=confusing-count]')).toBe(online);

      await page.setInputFiles('[data-testid=file-input]', files(2, 144).slice(15, 27));
      await page
        .waitForFunction(() => /^18 images · 18 embedded/.test(document.querySelector('[data-testid=item-count]')?.textContent ?? ''), null, { timeout: 120_000 })
        .catch(async (error: unknown) => {
          await page.screenshot({ path: `${ARTIFACTS}/offline-failed.png` });
          throw new Error(`${String(error)}\nbanner: ${await page.textContent('.banner')}`);
        });
      await page.waitForFunction(mined);
      await page.screenshot({ path: `${ARTIFACTS}/offline-journey.png` });
    } finally {
      await context.setOffline(false);
    }
  });
});
