import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render } from 'vitest-browser-svelte';
import ExportDialog from '../../src/ui/review/ExportDialog.svelte';
import {
  parseDatasetJson,
  parseSessionJson,
  readBenchmarkZip,
  SESSION_FORMAT,
  type ReviewedPair,
  type SessionInput,
} from '../../src/core/benchmark/index.ts';
import { host, screenshotBothThemes } from './review-support.ts';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

const sha = (c: string) => c.repeat(64);
const image = (c: string, name: string, caption: string) => ({ sha256: sha(c), originalName: name, caption, categories: ['Cerebral'] });

function reviewed(): ReviewedPair[] {
  const complete = { question: 'Is there a lesion?', optionA: 'Yes', optionB: 'No', image1Correct: 'A', image2Correct: 'B', clipSimilarity: 0.95, dinoSimilarity: 0.61 } as const;
  return [
    { ...complete, image1: image('a', 'Smith_John_1957/ct-0042.png', 'Lesion.'), image2: image('b', 'Doe_Jane/ct-0107.png', 'Normal.'), decision: 'accept', aiQuestion: 'Lesion?', aiOptionA: 'Yes', aiOptionB: 'No' },
    { ...complete, image1: image('a', 'Smith_John_1957/ct-0042.png', 'Lesion.'), image2: image('c', 'ct-0200.png', 'Stent.'), decision: 'accept' },
    { ...complete, image1: image('d', 'mri-1.png', ''), image2: image('e', 'mri-2.png', ''), image2Correct: 'A', decision: 'accept' },
    { ...complete, image1: image('f', 'x-1.png', ''), image2: image('0', 'x-2.png', ''), question: ' ', decision: 'accept' },
    { ...complete, image1: image('1', 'r-1.png', ''), image2: image('2', 'r-2.png', ''), decision: 'reject' },
    { ...complete, image1: image('3', 'u-1.png', ''), image2: image('4', 'u-2.png', '') },
  ];
}

/** Captures what the dialog downloads instead of letting the browser save it. */
function captureDownloads() {
  const blobs: Blob[] = [];
  const names: string[] = [];
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    blobs.push(blob as Blob);
    return `blob:test/${blobs.length}`;
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => {});
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    names.push(this.download);
  });
  return { blobs, names, last: () => blobs[blobs.length - 1] };
}

const JPEG = (seed: number) => Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, seed, 0xff, 0xd9]);

describe('ExportDialog', () => {
  it('lists the accepted pairs that are not ready with their first problem', async () => {
    const target = await host(560);
    const screen = await render(ExportDialog, { target, props: { pairs: reviewed(), fetchJpeg: async () => ({ bytes: JPEG(1), source: 'original' as const }) } });
    await expect.element(screen.getByTestId('export-summary')).toHaveTextContent('2 of 4 accepted pairs are ready to export.');
    await expect.element(screen.getByTestId('export-summary')).toHaveTextContent('(1 rejected, 0 need edits, 1 undecided');
    const items = screen.getByTestId('export-invalid').getByRole('listitem');
    await expect.element(items.nth(0)).toHaveTextContent('mri-1.png ↔ mri-2.png');
    await expect.element(items.nth(0)).toHaveTextContent('The correct answers for image 1 and image 2 must differ (both are A)');
    await expect.element(items.nth(1)).toHaveTextContent('x-1.png ↔ x-2.png');
    await expect.element(items.nth(1)).toHaveTextContent('Write the question before exporting.');
    expect(items.all()).toHaveLength(2);
    await expect.element(screen.getByRole('checkbox', { name: 'Include original file names' })).not.toBeChecked();
    await expect.element(screen.getByRole('button', { name: 'Session file' })).toBeDisabled();
    await screenshotBothThemes(target, 'review-export');
  });

  it('downloads a dataset.json that validates, without original names unless opted in', async () => {
    const downloads = captureDownloads();
    const target = await host(560);
    const screen = await render(ExportDialog, { target, props: { pairs: reviewed(), fetchJpeg: async () => ({ bytes: JPEG(1), source: 'original' as const }) } });
    await screen.getByRole('button', { name: 'dataset.json' }).click();
    await expect.element(screen.getByTestId('export-status')).toHaveTextContent('Saved dataset.json with 2 pairs.');
    expect(downloads.names).toEqual(['mediconfusion-dataset.json']);
    const text = await downloads.last().text();
    const dataset = parseDatasetJson(text);
    expect(Object.keys(dataset)).toEqual(['10001', '10002']);
    expect(dataset['10001']).toMatchObject({ im_1: 'images/20000.jpg', im_2: 'images/20001.jpg', im_1_correct: 'A', im_2_correct: 'B', AI_question: 'Lesion?', cap_1: 'Lesion.' });
    expect(dataset['10002']).toMatchObject({ im_1_local: 20000, im_2_local: 20002 });
    for (const secret of ['Smith', 'Doe', 'ct-0042', 'ct-0200', '.png']) expect(text).not.toContain(secret);

    await screen.getByRole('checkbox', { name: 'Include original file names' }).click();
    await expect.element(screen.getByText(/File names can identify patients/)).toBeVisible();
    await screen.getByRole('button', { name: 'dataset.json' }).click();
    await vi.waitFor(() => expect(downloads.blobs).toHaveLength(2));
    const named = parseDatasetJson(await downloads.last().text());
    expect(named['10001']).toMatchObject({ im_1: 'Smith_John_1957/ct-0042.png', im_2: 'Doe_Jane/ct-0107.png' });
  });

  it('downloads a zip with every image, a pairs CSV and a session file', async () => {
    const downloads = captureDownloads();
    const fetchJpeg = vi.fn(async (hash: string) => ({ bytes: JPEG(hash.charCodeAt(0)), source: hash.startsWith('c') ? ('thumbnail' as const) : ('original' as const) }));
    const session = (): SessionInput => ({
      format: SESSION_FORMAT,
      version: 1,
      createdAt: '2025-01-01T00:00:00.000Z',
      thresholds: { clip: 0.9, dino: 0.75 },
      encoders: [],
      decisions: [{ a: sha('a'), b: sha('b'), status: 'accept' }],
    });
    const target = await host(560);
    const encoders = { clip: { id: 'biomedclip', revision: 'r-clip' }, dino: { id: 'dinov2-base', revision: 'r-dino' } };
    const sourceOf = (hash: string) => (hash.startsWith('c') ? ('thumbnail' as const) : ('original' as const));
    const screen = await render(ExportDialog, { target, props: { pairs: reviewed(), fetchJpeg, sourceOf, encoders, session, fileStem: 'brain' } });
    // One image has no kept original: the dialog says so before exporting, and the zip waits for a choice.
    await expect.element(screen.getByTestId('export-thumbnails')).toHaveTextContent(/1 of the exported images is not kept in this browser at full size/);
    await expect.element(screen.getByTestId('export-zip')).toBeDisabled();
    await screen.getByTestId('export-include-thumbnails').click();
    await screen.getByRole('button', { name: 'Zip with images' }).click();
    await expect.element(screen.getByTestId('export-status')).toHaveTextContent(
      'Saved the zip: dataset.json, pairs.csv, provenance.json and 3 images (1 as a 128 px thumbnail, marked so in provenance.json).',
    );
    expect(fetchJpeg.mock.calls.map(([hash]) => hash)).toEqual([sha('a'), sha('b'), sha('c')]);
    const zip = readBenchmarkZip(new Uint8Array(await downloads.last().arrayBuffer()));
    expect(Object.keys(zip.dataset)).toHaveLength(2);
    expect([...zip.images.keys()].sort()).toEqual([20000, 20001, 20002]);
    expect(zip.images.get(20002)).toEqual(JPEG('c'.charCodeAt(0)));
    // The provenance file names the encoders and each image's source hash and kind; the importer reads it back.
    expect(zip.provenance?.encoders).toEqual(encoders);
    expect(zip.provenance?.images).toEqual({
      '20000': { sha256: sha('a'), source: 'original' },
      '20001': { sha256: sha('b'), source: 'original' },
      '20002': { sha256: sha('c'), source: 'thumbnail' },
    });

    await screen.getByRole('button', { name: 'Pairs CSV' }).click();
    await vi.waitFor(() => expect(downloads.blobs).toHaveLength(2));
    const csv = await downloads.last().text();
    expect(csv.split(/\r?\n/)[0]).toMatch(/^id,im_1,im_2,im_1_local/);
    expect(csv).toContain('10002');

    await screen.getByRole('button', { name: 'Session file' }).click();
    await vi.waitFor(() => expect(downloads.blobs).toHaveLength(3));
    expect(parseSessionJson(await downloads.last().text()).decisions).toHaveLength(1);
    expect(downloads.names).toEqual(['brain-benchmark.zip', 'brain-pairs.csv', 'brain-session.json']);
  });

  it('says why a zip failed and downloads nothing', async () => {
    const downloads = captureDownloads();
    const target = await host(560);
    const screen = await render(ExportDialog, {
      target,
      props: { pairs: reviewed(), fetchJpeg: async () => Promise.reject(new Error('The image bytes are no longer stored; drop the folder again.')) },
    });
    await screen.getByRole('button', { name: 'Zip with images' }).click();
    await expect.element(screen.getByRole('alert')).toHaveTextContent('Could not export the zip: The image bytes are no longer stored; drop the folder again.');
    expect(downloads.blobs).toHaveLength(0);
  });

  it('disables the exports when no accepted pair is ready', async () => {
    const target = await host(560);
    const pairs = reviewed().slice(2, 4);
    const screen = await render(ExportDialog, { target, props: { pairs, fetchJpeg: async () => ({ bytes: JPEG(1), source: 'original' as const }) } });
    await expect.element(screen.getByRole('button', { name: 'dataset.json' })).toBeDisabled();
    await expect.element(screen.getByTestId('export-status')).toHaveTextContent('Accept and complete at least one pair to export.');
  });
});
