/**
 * The main journey against the built app, with the fixture encoders: drop images (real files
 * through the file input) -> embeddings -> pairs -> move a threshold -> counts change in every
 * view -> reload keeps everything. Screenshots land in tests/.artifacts/e2e/.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ARTIFACTS, openApp, type Session } from './browser.ts';
import { generateSampleSet, sampleImagePng } from '../../src/core/sample/phantoms.ts';

let session: Session;
const origin = inject('appOrigin');

function sampleFiles() {
  return generateSampleSet(2, 192).map((image) => ({ name: image.name, mimeType: 'image/png', buffer: Buffer.from(sampleImagePng(image)) }));
}

async function text(testId: string): Promise<string> {
  return (await session.page.textContent(`[data-testid=${testId}]`)) ?? '';
}

async function confusingCount(): Promise<number> {
  const match = /([\d,]+) confusing pair/.exec(await text('confusing-count'));
  return match ? Number(match[1].replace(/,/g, '')) : -1;
}

describe('journey: drop -> embed -> mine -> slide -> reload', () => {
  beforeAll(async () => {
    session = await openApp(origin, '/?encoders=fixture-clip,fixture-dino');
  });
  afterAll(async () => session?.close());

  it('embeds dropped images with both fixture encoders and mines pairs', async () => {
    const { page } = session;
    await page.waitForSelector('[data-testid=drop-zone]');
    await page.setInputFiles('[data-testid=file-input]', [
      ...sampleFiles(),
      { name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not a png at all') },
    ]);
    await page.waitForFunction(() => /confusing pair/.test(document.querySelector('[data-testid=confusing-count]')?.textContent ?? ''), null, {
      timeout: 180_000,
    });
    expect(await text('item-count')).toMatch(/30 images · 30 embedded by both encoders/);
    expect(await text('skipped-count')).toMatch(/1/);
    expect(await confusingCount()).toBeGreaterThan(0);
    // SwiftShader is a fallback adapter, so 'auto' mines on the CPU; a hardware adapter would name itself.
    expect(await text('mining-kernel')).toMatch(/screened (in|against) .* s on (WebAssembly SIMD|WebGPU \(.+\))\.$/);
    await page.screenshot({ path: `${ARTIFACTS}/journey-explore.png` });
  });

  it('moving a threshold changes the count in every view', async () => {
    const { page } = session;
    const before = await confusingCount();
    await page.locator('[data-testid=dino-slider]').fill('0.95');
    await page.waitForFunction((n) => {
      const m = /([\d,]+) confusing pair/.exec(document.querySelector('[data-testid=confusing-count]')?.textContent ?? '');
      return m && Number(m[1].replace(/,/g, '')) !== n;
    }, before);
    const after = await confusingCount();
    expect(after).toBeGreaterThan(before);
    const quadrant = async () => Number(((await page.textContent('[data-testid=quadrant-count] strong')) ?? '').replace(/,/g, ''));
    await expect.poll(quadrant).toBe(after);
    await page.click('[data-testid=tab-pairs]');
    await expect.poll(async () => (await page.textContent('[data-testid=tab-pairs]')) ?? '').toContain(`(${after.toLocaleString('en-US')})`);
    await page.screenshot({ path: `${ARTIFACTS}/journey-pairs.png` });
  });

  it('comes back after a reload without recomputation', async () => {
    const { page } = session;
    const before = await confusingCount();
    await page.reload();
    await page.waitForFunction(() => /confusing pair/.test(document.querySelector('[data-testid=confusing-count]')?.textContent ?? ''), null, { timeout: 60_000 });
    expect(await confusingCount()).toBe(before);
    expect(await text('item-count')).toMatch(/30 images · 30 embedded by both encoders/);
    expect(session.consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });

  it('an imported dataset.json naming dropped images is explored in the Pairs tab, published beside computed', async () => {
    const { page } = session;
    const names = sampleFiles().map((f) => f.name);
    const pair = (i: number, j: number, clip: number, dino: number) => ({
      im_1: `roco/${names[i]}`, im_2: `roco/${names[j]}`, im_1_local: 20000 + i, im_2_local: 20000 + j,
      cap_1: 'First.', cap_2: 'Second.', category_1: ['Cerebral'], category_2: ['Cerebral'], BiomedCLIP_sim: clip, DINO_sim: dino,
      question: 'Is there a lesion?', option_A: 'Yes', option_B: 'No', im_1_correct: 'A', im_2_correct: 'B',
      AI_question: '', AI_option_A: '', AI_option_B: '',
    });
    const dataset = { '10001': pair(0, 1, 0.9312, 0.6125), '10002': pair(2, 3, 0.9101, 0.5533) };
    await page.click('[data-testid=tab-benchmark]');
    await page.setInputFiles('[data-testid=import-dataset] input[type=file]', { name: 'dataset.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(dataset)) });
    await page.waitForSelector('text=Loaded 2 pairs from dataset.json');
    await page.click('[data-testid=tab-pairs]');
    await page.getByRole('radio', { name: /^Imported \(dataset\.json, 2\)/ }).click();
    const rows = page.locator('[data-testid=pair-gallery] [role=option]');
    await expect.poll(() => rows.count()).toBe(2);
    // The images were dropped earlier under these names: similarities are computed here.
    await expect.poll(async () => rows.nth(0).locator('.sim.clip .here').textContent()).toMatch(/^-?\d\.\d{3}$/);
    expect(await rows.nth(0).locator('.sim.clip .pub').textContent()).toBe('0.931');
    expect(await rows.nth(1).locator('.sim.dino .pub').textContent()).toBe('0.553');
    await page.screenshot({ path: `${ARTIFACTS}/journey-imported-pairs.png` });
    expect(session.consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
