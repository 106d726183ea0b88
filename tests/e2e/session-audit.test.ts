/**
 * A whole clinician/reviewer session against the built app, watched at the network level:
 * drop 50 files (46 synthetic images + 4 DICOM with patient identifiers), embed with the
 * fixture encoders, mine, triage and write a question from the keyboard, export dataset.json.
 * No request may leave the app's origin, none may carry a body, and the export may contain
 * neither DICOM identifiers nor original file names.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ARTIFACTS, openApp, type Session } from './browser.ts';
import { generateSampleSet, sampleImagePng } from '../../src/core/sample/phantoms.ts';
import { buildDicom, uint16Bytes } from '../support/hostile-builders.ts';

let session: Session;
const origin = inject('appOrigin');
const PATIENT_NAME = 'DOE^JANE';
const PATIENT_ID = 'PID-4711-SECRET';

function dicomFile(seed: number) {
  const rows = 64;
  const pixels = uint16Bytes(Array.from({ length: rows * rows }, (_, i) => ((i * (seed + 3)) % 997) + ((i % rows) * 7)));
  const bytes = buildDicom({
    rows,
    columns: rows,
    pixels,
    windowCenter: 500,
    windowWidth: 1000,
    extra: [
      { tag: [0x0010, 0x0010], vr: 'PN', value: PATIENT_NAME },
      { tag: [0x0010, 0x0020], vr: 'LO', value: PATIENT_ID },
      { tag: [0x0008, 0x0080], vr: 'LO', value: 'General Hospital' },
    ],
  });
  return { name: `ct-slice-${seed}.dcm`, mimeType: 'application/dicom', buffer: Buffer.from(bytes) };
}

describe('session audit: nothing leaves the machine', () => {
  beforeAll(async () => {
    session = await openApp(origin, '/?encoders=fixture-clip,fixture-dino');
  });
  afterAll(async () => session?.close());

  it('runs a full session with requests only to its own origin and no request bodies', async () => {
    const { page } = session;
    const images = generateSampleSet(4, 160).slice(0, 46);
    const files = [...images.map((i) => ({ name: i.name, mimeType: 'image/png', buffer: Buffer.from(sampleImagePng(i)) })), ...[1, 2, 3, 4].map(dicomFile)];
    expect(files).toHaveLength(50);
    await page.setInputFiles('[data-testid=file-input]', files);
    await page.waitForFunction(() => /confusing pair/.test(document.querySelector('[data-testid=confusing-count]')?.textContent ?? ''), null, { timeout: 200_000 });
    expect(await page.textContent('[data-testid=item-count]')).toMatch(/^50 images/);

    // Loosen the DINOv2 threshold so there is a pair to review whatever the fixture geometry.
    await page.locator('[data-testid=dino-slider]').fill('0.99');
    await page.click('[data-testid=tab-review]');
    await page.getByLabel("Paste the LLM's reply").fill(
      '```json\n{"question": "Is there a focal lesion?", "option_A": "Yes", "option_B": "No", "im_1_correct": "A", "im_2_correct": "B"}\n```',
    );
    await page.getByRole('button', { name: 'Fill fields from reply' }).click();
    await page.locator('h1').click();
    await page.keyboard.press('a');
    await page.click('[data-testid=tab-benchmark]');
    await expect.poll(async () => (await page.textContent('[data-testid=export-summary]')) ?? '', { timeout: 20_000 }).toMatch(/1/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'dataset.json' }).click()]);
    const exported = readFileSync((await download.path())!, 'utf8');
    await page.screenshot({ path: `${ARTIFACTS}/session-benchmark.png` });

    const dataset = JSON.parse(exported) as Record<string, Record<string, unknown>>;
    expect(Object.keys(dataset)).toEqual(['10001']);
    expect(dataset['10001'].question).toBe('Is there a focal lesion?');
    expect(exported).not.toContain(PATIENT_NAME);
    expect(exported).not.toContain(PATIENT_ID);
    expect(exported).not.toContain('General Hospital');
    expect(exported).not.toMatch(/synthetic-|ct-slice-/);

    const foreign = session.requests.filter((r) => new URL(r.url()).origin !== origin && !r.url().startsWith('blob:') && !r.url().startsWith('data:'));
    expect(foreign.map((r) => r.url())).toEqual([]);
    const withBodies = session.requests.filter((r) => r.postDataBuffer() !== null || !['GET', 'HEAD'].includes(r.method()));
    expect(withBodies.map((r) => `${r.method()} ${r.url()}`)).toEqual([]);
    expect(session.consoleErrors.filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
