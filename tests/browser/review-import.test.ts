import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render } from 'vitest-browser-svelte';
import { userEvent } from 'vitest/browser';
import { strToU8, zipSync } from 'fflate';
import ImportDialog from '../../src/ui/review/ImportDialog.svelte';
import {
  buildBenchmarkZip,
  buildDataset,
  datasetToJson,
  type AnswerSheet,
  type CaptionEntry,
  type ImportedBenchmark,
  type ReviewedPair,
} from '../../src/core/benchmark/index.ts';
import { host, screenshotBothThemes } from './review-support.ts';

afterEach(() => {
  cleanup();
  document.body.innerHTML = '';
});

function benchmark() {
  const pair = (a: string, b: string): ReviewedPair => ({
    image1: { sha256: a.repeat(64), caption: `Caption ${a}`, categories: ['Cerebral'] },
    image2: { sha256: b.repeat(64), caption: `Caption ${b}`, categories: ['Vascular'] },
    clipSimilarity: 0.93,
    dinoSimilarity: 0.7,
    question: 'Is there a lesion?',
    optionA: 'Yes',
    optionB: 'No',
    image1Correct: 'A',
    image2Correct: 'B',
    decision: 'accept',
  });
  return buildDataset([pair('a', 'b'), pair('a', 'c')]);
}

function fileInput(testId: string): HTMLInputElement {
  const input = document.querySelector<HTMLInputElement>(`[data-testid="${testId}"] input[type="file"]`);
  if (!input) throw new Error(`no file input in ${testId}`);
  return input;
}

async function upload(testId: string, content: BlobPart, name: string): Promise<void> {
  await userEvent.upload(fileInput(testId), new File([content], name));
}

function callbacks() {
  return {
    oncaptions: vi.fn((_captions: CaptionEntry[]) => {}),
    ondataset: vi.fn((_benchmark: ImportedBenchmark) => {}),
    onsession: vi.fn(() => {}),
    onanswers: vi.fn((_answers: AnswerSheet) => {}),
  };
}

describe('ImportDialog', () => {
  it('rejects a malformed captions CSV naming the first bad field, then imports a good one', async () => {
    const props = callbacks();
    const target = await host(560);
    const screen = await render(ImportDialog, { target, props });
    await upload('import-captions', 'name,caption\na.png,Axial CT.\n,Missing name\n', 'captions.csv');
    await expect.element(screen.getByTestId('import-captions-result')).toHaveTextContent(
      'Nothing was imported. captions.csv: row 3, column "name": expected a file name, got an empty cell.',
    );
    await expect.element(screen.getByRole('alert')).toBeVisible();
    expect(props.oncaptions).not.toHaveBeenCalled();

    await upload('import-captions', 'name,caption,categories\nfolder/a.png,Axial CT.,Cerebral; Vascular\nb.png,Chest X-ray.,\n', 'roco.csv');
    await expect.element(screen.getByTestId('import-captions-result')).toHaveTextContent('Imported 2 captions from roco.csv.');
    expect(props.oncaptions).toHaveBeenCalledTimes(1);
    const entries = props.oncaptions.mock.calls[0][0];
    expect(entries[0]).toEqual({ name: 'folder/a.png', caption: 'Axial CT.', categories: ['Cerebral', 'Vascular'] });

    await upload('import-answers', 'id,im1,im2\n10001,A,B\n10002,C,\n', 'answers.csv');
    await expect.element(screen.getByTestId('import-answers-result')).toHaveTextContent('Imported answers for 2 pairs from answers.csv.');
    await upload('import-session', '{"format": "something else"}', 'session.json');
    await expect.element(screen.getByTestId('import-session-result')).toHaveTextContent(/Nothing was imported\. session\.json: format: expected "mediconfusion-explorer-session"/);
    await screenshotBothThemes(target, 'review-import');
    expect(props.onsession).not.toHaveBeenCalled();
    const answers = props.onanswers.mock.calls[0][0];
    expect(answers.get('10002')).toMatchObject({ im1: null, im2: null });
  });

  it('imports a MediConfusion dataset.json and a benchmark zip, and refuses a broken one', async () => {
    const props = callbacks();
    const target = await host(560);
    const screen = await render(ImportDialog, { target, props });
    const { dataset } = benchmark();
    await upload('import-dataset', datasetToJson(dataset), 'dataset.json');
    await expect.element(screen.getByTestId('import-dataset-result')).toHaveTextContent('Imported 2 pairs of 3 images from dataset.json.');
    const imported = props.ondataset.mock.calls[0][0];
    expect(imported.pairs.map((p) => p.id)).toEqual(['10001', '10002']);
    expect(imported.pairs[0].publishedSimilarity).toEqual({ biomedclip: 0.93, dino: 0.7 });

    const broken = JSON.parse(datasetToJson(dataset)) as Record<string, Record<string, unknown>>;
    delete broken['10002'].option_B;
    await upload('import-dataset', JSON.stringify(broken), 'dataset.json');
    await expect.element(screen.getByTestId('import-dataset-result')).toHaveTextContent(
      'Nothing was imported. dataset.json: 10002.option_B: expected option B (non-empty text), got nothing (the field is missing).',
    );
    expect(props.ondataset).toHaveBeenCalledTimes(1);

    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xd9]);
    const zip = buildBenchmarkZip(dataset, new Map([[20000, jpeg], [20001, jpeg], [20002, jpeg]]));
    await upload('import-dataset', zip as Uint8Array<ArrayBuffer>, 'benchmark.zip');
    await expect.element(screen.getByTestId('import-dataset-result')).toHaveTextContent('Imported 2 pairs of 3 images and 3 images from benchmark.zip.');
    const details = props.ondataset.mock.calls[1] as unknown as [ImportedBenchmark, { images?: Map<number, Uint8Array> }];
    expect([...(details[1].images?.keys() ?? [])].sort()).toEqual([20000, 20001, 20002]);

    // An entry whose name points outside the zip is ignored, and the result says so.
    const sly = zipSync({ 'dataset.json': strToU8(datasetToJson(dataset)), '../dataset.json': strToU8('{}') });
    await upload('import-dataset', sly as Uint8Array<ArrayBuffer>, 'sly.zip');
    await expect.element(screen.getByTestId('import-dataset-result')).toHaveTextContent(
      /^Imported 2 pairs of 3 images from sly\.zip\. 1 note: Ignored the entry .*\.\.\/dataset\.json.* outside the zip's folder/,
    );
  });

  it('reads a million-row captions file in a worker, with progress, and finishes with a count', async () => {
    const props = callbacks();
    const target = await host(560);
    const screen = await render(ImportDialog, { target, props });
    const rows = ['name,caption,categories'];
    for (let i = 0; i < 1_000_000; i++) rows.push(`roco/img_${i}.jpg,Axial CT of case ${i}.,Cerebral`);
    // The page's own timer keeps ticking while the file is read: the parse is not on this thread.
    let ticks = 0;
    let ticksAtFirstProgress = -1;
    const result = () => document.querySelector('[data-testid="import-captions-result"]')?.textContent ?? '';
    const timer = setInterval(() => {
      ticks++;
      if (ticksAtFirstProgress < 0 && /so far/.test(result())) ticksAtFirstProgress = ticks;
    }, 5);
    try {
      // Over Playwright's 50 MB upload limit: the file is handed to the input from the page itself.
      const input = fileInput('import-captions');
      const transfer = new DataTransfer();
      transfer.items.add(new File([rows.join('\n')], 'big.csv', { type: 'text/csv' }));
      input.files = transfer.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
      await expect.element(screen.getByTestId('import-captions-result'), { timeout: 60_000 }).toHaveTextContent('Imported 1,000,000 captions from big.csv.');
    } finally {
      clearInterval(timer);
    }
    expect(ticksAtFirstProgress).toBeGreaterThan(0);
    expect(ticks).toBeGreaterThan(ticksAtFirstProgress);
    const entries = props.oncaptions.mock.calls[0][0];
    expect(entries).toHaveLength(1_000_000);
    expect(entries[999_999]).toEqual({ name: 'roco/img_999999.jpg', caption: 'Axial CT of case 999999.', categories: ['Cerebral'] });
  }, 120_000);

  it('shows a failure of the receiving callback and hides sections without a callback', async () => {
    const target = await host(560);
    const oncaptions = vi.fn(() => Promise.reject(new Error('The store is full; free some space and try again.')));
    const screen = await render(ImportDialog, { target, props: { oncaptions } });
    expect(document.querySelector('[data-testid="import-answers"]')).toBeNull();
    await upload('import-captions', '{"a.png": "Axial CT."}', 'captions.json');
    await expect.element(screen.getByRole('alert')).toHaveTextContent('Nothing was imported from captions.json: The store is full; free some space and try again.');
  });

  it('shows a hostile file name as text', async () => {
    const target = await host(560);
    const screen = await render(ImportDialog, { target, props: callbacks() });
    const name = '<img src=x onerror="window.__pwned = 1">.csv';
    await upload('import-captions', 'nothing useful', name);
    await expect.element(screen.getByRole('alert')).toHaveTextContent(name);
    expect(target.querySelector('img')).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });
});
