/**
 * First run with the default encoders: BiomedCLIP is not installed, so the app says what to run,
 * and the first-run screen offers the sample set with the fixture encoders instead.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ARTIFACTS, openApp, type Session } from './browser.ts';

let session: Session;
const origin = inject('appOrigin');

describe('first run without BiomedCLIP', () => {
  beforeAll(async () => {
    session = await openApp(origin, '/');
  });
  afterAll(async () => session?.close());

  it('says how to install BiomedCLIP when images arrive', async () => {
    const { page } = session;
    await page.waitForSelector('[data-testid=use-fixtures]');
    await page.setInputFiles('[data-testid=file-input]', [{ name: 'note.png', mimeType: 'image/png', buffer: Buffer.from('not an image') }]);
    await expect.poll(async () => (await page.textContent('.banner')) ?? '', { timeout: 30_000 }).toContain('npm run models -- biomedclip');
  });

  it('runs the sample set with the fixture encoders from the first-run screen', async () => {
    const { page } = session;
    await page.click('[data-testid=use-fixtures]');
    await page.waitForFunction(() => /confusing pair/.test(document.querySelector('[data-testid=confusing-count]')?.textContent ?? ''), null, { timeout: 180_000 });
    expect(await page.textContent('[data-testid=item-count]')).toMatch(/^45 images · 45 embedded/);
    expect(await page.textContent('.banner')).not.toContain('biomedclip');
    await page.screenshot({ path: `${ARTIFACTS}/first-run-fixtures.png` });
  });

  it('shows what each encoder receives for the first image of the selected pair', async () => {
    const { page } = session;
    await page.click('[data-testid=tab-pairs]');
    const clipInput = page.getByLabel('CLIP-side encoder input');
    await clipInput.waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByLabel('DINOv2 encoder input').count()).toBe(1);
    // The canvas holds the 224 x 224 de-normalised tensor, not a blank surface.
    const spread = await clipInput.evaluate((canvas) => {
      const data = (canvas as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 224, 224).data;
      let lo = 255;
      let hi = 0;
      for (let i = 0; i < data.length; i += 4) {
        lo = Math.min(lo, data[i]);
        hi = Math.max(hi, data[i]);
      }
      return hi - lo;
    });
    expect(spread).toBeGreaterThan(50);
    await page.screenshot({ path: `${ARTIFACTS}/encoder-inputs.png` });
  });
});
