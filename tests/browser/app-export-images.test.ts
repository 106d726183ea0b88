/**
 * "Zip with images" holds the images, not thumbnails: the app's own export path (the real ingest
 * worker, store and library, the Review's jpegOf behind the dialog) on a kept PNG, a kept 16-bit
 * DICOM and a PNG added without keeping its original. The zip is read back and every image decoded:
 * kept originals come out at full size, the DICOM rendered with its window, and only the image
 * whose original is not kept is a thumbnail, marked so in provenance.json.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { render } from 'vitest-browser-svelte';
import { ExplorerApp } from '../../src/app/app.svelte.ts';
import ExportDialog from '../../src/ui/review/ExportDialog.svelte';
import { readBenchmarkZip, type ReviewedPair } from '../../src/core/benchmark/index.ts';
import { buildDicom, buildPng } from '../support/hostile-builders.ts';
import { uniqueDbName } from './store-support.ts';
import { host } from './review-support.ts';

const DICOM_WIDTH = 300;
const DICOM_HEIGHT = 240;

/** Rows ramp from 0 to 4000; the window (centre 1000, width 2000) maps 0 to black and 2000 up to white. */
function windowedDicom(): File {
  const values = new Uint16Array(DICOM_WIDTH * DICOM_HEIGHT);
  for (let y = 0; y < DICOM_HEIGHT; y++) values.fill(Math.round((y / (DICOM_HEIGHT - 1)) * 4000), y * DICOM_WIDTH, (y + 1) * DICOM_WIDTH);
  const bytes = buildDicom({ rows: DICOM_HEIGHT, columns: DICOM_WIDTH, bitsAllocated: 16, bitsStored: 12, pixels: new Uint8Array(values.buffer), windowCenter: 1000, windowWidth: 2000 });
  return new File([bytes as Uint8Array<ArrayBuffer>], 'ramp.dcm');
}

function greyPng(width: number, height: number, name: string, seed: number): File {
  const raw = new Uint8Array(width * height).map((_, i) => (i * seed) % 251);
  return new File([buildPng({ width, height, raw }) as Uint8Array<ArrayBuffer>], name);
}

function pair(a: string, b: string, id: string): ReviewedPair {
  const image = (sha256: string) => ({ sha256, originalName: `${id}-${sha256.slice(0, 4)}.png`, caption: '', categories: ['Cerebral'] });
  return { image1: image(a), image2: image(b), decision: 'accept', question: 'Is there a lesion?', optionA: 'Yes', optionB: 'No', image1Correct: 'A', image2Correct: 'B', clipSimilarity: 0.95, dinoSimilarity: 0.6 };
}

/** Decoded width, height and the grey level at (x, y) of a JPEG's bytes. */
async function decoded(bytes: Uint8Array): Promise<{ width: number; height: number; grey: (x: number, y: number) => number }> {
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' }));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height);
  return { width: bitmap.width, height: bitmap.height, grey: (x, y) => data[(y * bitmap.width + x) * 4] };
}

let app: ExplorerApp;

beforeAll(async () => {
  app = new ExplorerApp({ storeName: uniqueDbName('app-export-images') });
  await app.boot({ encoders: ['fixture-clip', 'fixture-dino'] });
});

afterAll(() => app?.dispose());

describe('the benchmark zip', () => {
  it('holds kept originals at full size, DICOM windowed, and marks the one thumbnail', async () => {
    await app.addFiles([greyPng(320, 200, 'wide.png', 7), windowedDicom()], { keepOriginals: true });
    await app.addFiles([greyPng(400, 300, 'not-kept.png', 11)], { keepOriginals: false });
    const byName = new Map(app.library.items.map((item) => [item.name, item]));
    const [png, dicom, notKept] = ['wide.png', 'ramp.dcm', 'not-kept.png'].map((name) => byName.get(name)!.sha256);
    expect([png, dicom, notKept].every(Boolean)).toBe(true);

    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => (blobs.push(blob as Blob), `blob:test/${blobs.length}`));
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {});
    const screen = await render(ExportDialog, {
      target: await host(560),
      props: { pairs: [pair(png, dicom, 'p1'), pair(dicom, notKept, 'p2')], fetchJpeg: (sha: string) => app.review.jpegOf(sha), sourceOf: (sha: string) => app.review.sourceOf(sha), encoders: app.review.encoderRefs(), session: () => app.review.sessionFile() },
    });
    await expect.element(screen.getByTestId('export-thumbnails')).toHaveTextContent(/1 of the exported images is not kept in this browser at full size/);
    await screen.getByTestId('export-include-thumbnails').click();
    await screen.getByRole('button', { name: 'Zip with images' }).click();
    await expect.element(screen.getByTestId('export-status')).toHaveTextContent(/3 images \(1 as a 128 px thumbnail, marked so in provenance.json\)/);

    const zip = readBenchmarkZip(new Uint8Array(await blobs.at(-1)!.arrayBuffer()));
    const localOf = new Map(Object.entries(zip.provenance!.images).map(([local, entry]) => [entry.sha256, Number(local)]));
    expect(Object.fromEntries(Object.values(zip.provenance!.images).map((e) => [e.sha256, e.source]))).toEqual({ [png]: 'converted', [dicom]: 'converted', [notKept]: 'thumbnail' });
    // The fixture folders record no hub commit: the export says unknown, and so does the session file.
    expect(zip.provenance!.encoders.clip).toEqual({ id: 'fixture-clip', revision: 'self-hosted:fixture-clip@fixture-v1', commit: 'unknown' });
    expect((await app.review.sessionFile()).encoders.map((e) => e.commit)).toEqual(['unknown', 'unknown']);

    const wide = await decoded(zip.images.get(localOf.get(png)!)!);
    expect([wide.width, wide.height]).toEqual([320, 200]);
    const thumbnail = await decoded(zip.images.get(localOf.get(notKept)!)!);
    expect(Math.max(thumbnail.width, thumbnail.height)).toBe(128);

    const ramp = await decoded(zip.images.get(localOf.get(dicom)!)!);
    expect([ramp.width, ramp.height]).toEqual([DICOM_WIDTH, DICOM_HEIGHT]);
    // Value 0 is black, 1000 (the window's centre, a quarter of the way down) mid-grey, 2000 and up white.
    expect(ramp.grey(150, 2)).toBeLessThan(8);
    expect(Math.abs(ramp.grey(150, Math.round((DICOM_HEIGHT - 1) / 4)) - 128)).toBeLessThan(10);
    expect(ramp.grey(150, DICOM_HEIGHT - 3)).toBeGreaterThan(247);
  });
});
