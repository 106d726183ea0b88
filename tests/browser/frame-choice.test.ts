/**
 * Choosing another frame of a multi-frame DICOM, in real Chromium: the real ingest worker, the
 * real store and the fixture encoders in their workers. A generated 3-frame DICOM whose frames
 * differ (horizontal ramp, vertical ramp, checkerboard) is ingested with the default (middle)
 * frame, then switched; the new frame's pixels must reach the encoders and the thumbnail, the old
 * embeddings must go (every encoder), nothing may be duplicated and decisions stay as they were.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { render } from 'vitest-browser-svelte';
import { userEvent } from 'vitest/browser';
import type { ItemRecord, Store } from '../../src/store/index.ts';
import type { RgbImage } from '../../src/core/image.ts';
import type { EncoderClient } from '../../src/workers/encoder.client.svelte.ts';
import { EncoderPair } from '../../src/app/encoders.svelte.ts';
import type { Library } from '../../src/app/library.svelte.ts';
import { SessionState } from '../../src/app/session.svelte.ts';
import { embedPending } from '../../src/app/embed-queue.ts';
import { chooseFrame, FRAME_NEEDS_ORIGINAL, frameControlState, type FrameChoiceHost } from '../../src/app/frame-choice.ts';
import { ThumbnailUrls } from '../../src/app/thumbnails.ts';
import FramePicker from '../../src/ui/panels/FramePicker.svelte';
import EncoderInputs from '../../src/ui/panels/EncoderInputs.svelte';
import { runIngest } from '../../src/workers/ingest.client.ts';
import type { WorkerIngestOptions, WorkerIngestResult } from '../../src/workers/ingest.protocol.ts';
import { buildDicom, buildPng, seededBytes } from '../support/hostile-builders.ts';
import { freshStore } from './store-support.ts';
import { maxAbsDiff } from './encoders-support.ts';

const SIDE = 48;

/** Frame 0: left-to-right ramp; frame 1 (the default, middle): top-to-bottom ramp; frame 2: checkerboard. */
function frameValue(frame: number, x: number, y: number): number {
  if (frame === 0) return Math.round((x / (SIDE - 1)) * 255);
  if (frame === 1) return Math.round((y / (SIDE - 1)) * 255);
  return ((x >> 3) + (y >> 3)) % 2 ? 240 : 15;
}

function multiFrameDicom(): File {
  const pixels = new Uint8Array(3 * SIDE * SIDE);
  for (let f = 0; f < 3; f++) for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) pixels[f * SIDE * SIDE + y * SIDE + x] = frameValue(f, x, y);
  const bytes = buildDicom({ rows: SIDE, columns: SIDE, frames: 3, bitsAllocated: 8, pixels, windowCenter: 127.5, windowWidth: 256 });
  return new File([bytes as Uint8Array<ArrayBuffer>], 'cine.dcm');
}

function pngFile(seed: number): File {
  return new File([buildPng({ width: 40, height: 30, raw: seededBytes(40 * 30, seed) }) as Uint8Array<ArrayBuffer>], `grey-${seed}.png`);
}

async function ingestOne(file: File, options: WorkerIngestOptions): Promise<Extract<WorkerIngestResult, { ok: true }>> {
  let out: WorkerIngestResult | undefined;
  await runIngest([file], { onResult: (r) => void (out = r) }, { keepRgb: true, ...options }).finished;
  if (!out?.ok) throw new Error(out ? out.error.reason : 'no result');
  return out;
}

/** What the app's addFiles does: store items (with or without originals), queue both encoders, embed. */
async function addFiles(store: Store, encoders: EncoderClient[], files: File[], keepOriginals: boolean): Promise<string[]> {
  const pixels = new Map<string, RgbImage>();
  const hashes: string[] = [];
  for (const file of files) {
    const { item, rgb } = await ingestOne(file, {});
    const { thumbnailWidth: _w, thumbnailHeight: _h, ...record } = item;
    await store.items.put({ ...record, ...(keepOriginals ? { original: file } : {}) });
    for (const encoder of encoders) await store.jobs.enqueue([item.sha256], encoder.loaded!.entry.id, encoder.loaded!.revisionKey);
    pixels.set(item.sha256, rgb!);
    hashes.push(item.sha256);
  }
  await embedPending(store, encoders, pixels, 8, () => false);
  return hashes;
}

/** The unit embedding an encoder gives one frame of the file, straight from the worker. */
async function referenceEmbedding(encoder: EncoderClient, file: File, frameIndex: number): Promise<Float32Array> {
  const { rgb } = await ingestOne(file, { frameIndex });
  const outcome = await encoder.embed([{ id: 'ref', image: rgb! }]);
  const v = outcome.embeddings[0].embedding;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** Mean brightness of the thumbnail's left minus right half, and top minus bottom half. */
async function thumbnailGradients(blob: Blob): Promise<{ horizontal: number; vertical: number }> {
  const bitmap = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d')!;
  context.drawImage(bitmap, 0, 0);
  const { data, width, height } = context.getImageData(0, 0, bitmap.width, bitmap.height);
  let left = 0;
  let right = 0;
  let top = 0;
  let bottom = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = data[(y * width + x) * 4];
      if (x < width / 2) left += v;
      else right += v;
      if (y < height / 2) top += v;
      else bottom += v;
    }
  }
  const half = (width * height) / 2;
  return { horizontal: (right - left) / half, vertical: (bottom - top) / half };
}

describe('choosing a DICOM frame (Chromium)', () => {
  // The app's encoder pair, for the ids and backend a session names.
  const session = new SessionState();
  [session.clipEncoderId, session.dinoEncoderId, session.backendPreference] = ['fixture-clip', 'fixture-dino', 'wasm'];
  const crashes: string[] = [];
  const pair = new EncoderPair(session, (sentence) => void crashes.push(sentence));
  const { clip, dino } = pair;
  const encoders = pair.both;
  let cleanup: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    expect(await pair.load()).toBe(true);
    expect([clip.loaded?.entry.id, dino.loaded?.entry.id]).toEqual(['fixture-clip', 'fixture-dino']);
  });

  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
    expect(crashes).toEqual([]);
  });

  function hostFor(store: Store): FrameChoiceHost {
    return { store, encoders: pair, thumbnails: new ThumbnailUrls() };
  }

  async function embeddingOf(store: Store, sha256: string, encoder: EncoderClient): Promise<Float32Array | undefined> {
    return (await store.embeddings.get(sha256, encoder.loaded!.entry.id, encoder.loaded!.revisionKey))?.vector;
  }

  it('re-embeds the item from its kept original with the chosen frame, and drops only its old embeddings', async () => {
    const fresh = await freshStore('frame-choice');
    cleanup = fresh.cleanup;
    const { store } = fresh;
    const dicom = multiFrameDicom();
    const [cine, png] = await addFiles(store, encoders, [dicom, pngFile(1)], true);

    const before = (await store.items.get(cine))!;
    expect(before.frameIndex).toBe(1);
    expect(before.dicom).toMatchObject({ frames: 3, frameIndex: 1 });
    expect(frameControlState(before)).toEqual({ frames: 3, frameIndex: 1, blocked: '' });
    expect(frameControlState((await store.items.get(png))!)).toBeNull();
    const middleThumb = await thumbnailGradients(before.thumbnail);
    expect(middleThumb.vertical).toBeGreaterThan(60);
    expect(Math.abs(middleThumb.horizontal)).toBeLessThan(10);

    // An embedding by an encoder no longer in use, a decision and candidate sets, to see what survives.
    const stale = new Float32Array(16).fill(0.25);
    await store.embeddings.putMany('old-encoder', 'r1', [{ sha256: cine, vector: stale }, { sha256: png, vector: stale }]);
    const decision = await store.decisions.update(cine, png, { triage: 'accept', notes: 'frame 2 shows it best' });
    const candidateSet = (rows: string[]) => ({ rows, contentVersion: 'v', floor: 0.5, a: new Uint32Array(0), b: new Uint32Array(0), clip: new Float32Array(0), dino: new Float32Array(0) });
    await store.candidates.put('with-cine', candidateSet([cine, png]));
    await store.candidates.put('without-cine', candidateSet([png]));
    const oldClip = (await embeddingOf(store, cine, clip))!;
    const oldDino = (await embeddingOf(store, cine, dino))!;
    const pngClip = (await embeddingOf(store, png, clip))!;
    expect(maxAbsDiff(oldClip, await referenceEmbedding(clip, dicom, 1))).toBeLessThan(1e-5);

    const report = await chooseFrame(hostFor(store), cine, 0);
    expect(report).toMatchObject({ changed: true, embedded: true, removedEmbeddings: 3 });
    expect(report.queued.map((t) => t.encoderId).sort()).toEqual(['fixture-clip', 'fixture-dino', 'old-encoder']);

    // The chosen frame's pixels reached both encoders: the stored embeddings are frame 0's.
    const newClip = (await embeddingOf(store, cine, clip))!;
    const newDino = (await embeddingOf(store, cine, dino))!;
    expect(maxAbsDiff(newClip, await referenceEmbedding(clip, dicom, 0))).toBeLessThan(1e-5);
    expect(maxAbsDiff(newDino, await referenceEmbedding(dino, dicom, 0))).toBeLessThan(1e-5);
    expect(maxAbsDiff(newClip, oldClip)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(newDino, oldDino)).toBeGreaterThan(1e-3);

    // The item shows frame 0: stored choice, summary and thumbnail.
    const after = (await store.items.get(cine))!;
    expect(after.frameIndex).toBe(0);
    expect(after.dicom).toMatchObject({ frames: 3, frameIndex: 0 });
    const firstThumb = await thumbnailGradients(after.thumbnail);
    expect(firstThumb.horizontal).toBeGreaterThan(60);
    expect(Math.abs(firstThumb.vertical)).toBeLessThan(10);
    expect(after.original).toBeDefined();
    expect(after.addedAt).toBe(before.addedAt);

    // Old-frame embeddings are gone for every encoder; the other item's are untouched; no duplicates.
    expect(await store.embeddings.get(cine, 'old-encoder', 'r1')).toBeUndefined();
    expect((await store.embeddings.get(png, 'old-encoder', 'r1'))?.vector).toBeDefined();
    expect(maxAbsDiff((await embeddingOf(store, png, clip))!, pngClip)).toBe(0);
    for (const encoder of encoders) expect(await store.embeddings.hashes(encoder.loaded!.entry.id, encoder.loaded!.revisionKey)).toEqual([cine, png].sort());
    expect(await store.items.count()).toBe(2);
    // The unused encoder's job waits in the queue for the new frame; nothing failed.
    expect(await store.jobs.counts()).toEqual({ pending: 1, running: 0, done: 4, failed: 0 });
    expect((await store.jobs.list('pending')).map((j) => [j.sha256, j.encoderId])).toEqual([[cine, 'old-encoder']]);

    // Decisions stay; candidate sets that held the item are dropped (stale), the others kept.
    expect(await store.decisions.get(cine, png)).toEqual(decision);
    expect(await store.candidates.get('with-cine')).toBeUndefined();
    expect(await store.candidates.get('without-cine')).toBeDefined();

    // Choosing the frame already shown changes nothing; an out-of-range frame is refused in words.
    expect(await chooseFrame(hostFor(store), cine, 0)).toMatchObject({ changed: false });
    await expect(chooseFrame(hostFor(store), cine, 3)).rejects.toThrow('Pick a frame from 1 to 3.');
    await expect(chooseFrame(hostFor(store), png, 0)).rejects.toThrow(/single frame/);
  });

  it('resumes from the queue after an interrupted change, and a dropped-again file keeps the chosen frame', async () => {
    const fresh = await freshStore('frame-resume');
    cleanup = fresh.cleanup;
    const { store } = fresh;
    const dicom = multiFrameDicom();
    const [cine] = await addFiles(store, encoders, [dicom, pngFile(2)], true);
    const chosen = await ingestOne(dicom, { frameIndex: 2 });

    // The page stopped right after the store transaction: jobs pending, no pixels held.
    const targets = encoders.map((e) => ({ encoderId: e.loaded!.entry.id, revision: e.loaded!.revisionKey }));
    await store.items.changeFrame(cine, { frameIndex: 2, thumbnail: chosen.item.thumbnail, dicom: chosen.item.dicom }, targets);
    expect(await embeddingOf(store, cine, clip)).toBeUndefined();
    expect(await store.jobs.counts()).toMatchObject({ pending: 2, failed: 0 });
    await embedPending(store, encoders, new Map(), 8, () => false);
    expect(await store.jobs.counts()).toMatchObject({ pending: 0, running: 0, failed: 0 });
    expect(maxAbsDiff((await embeddingOf(store, cine, clip))!, await referenceEmbedding(clip, dicom, 2))).toBeLessThan(1e-5);
    expect(maxAbsDiff((await embeddingOf(store, cine, dino))!, await referenceEmbedding(dino, dicom, 2))).toBeLessThan(1e-5);

    // The same file dropped again is read with its chosen frame, not the default middle one.
    const item = (await store.items.get(cine)) as ItemRecord;
    const again = await ingestOne(dicom, { frameIndexes: { [cine]: item.frameIndex! } });
    expect(again.item.dicom).toMatchObject({ frameIndex: 2 });
    expect(again.item.frameIndex).toBe(2);
  });

  it('explains that the original must be kept, and changes nothing, when it was not', async () => {
    const fresh = await freshStore('frame-no-original');
    cleanup = fresh.cleanup;
    const { store } = fresh;
    const [cine] = await addFiles(store, encoders, [multiFrameDicom()], false);
    const before = (await store.items.get(cine))!;
    expect(frameControlState(before)).toEqual({ frames: 3, frameIndex: 1, blocked: FRAME_NEEDS_ORIGINAL });
    const clipBefore = (await embeddingOf(store, cine, clip))!;
    await expect(chooseFrame(hostFor(store), cine, 0)).rejects.toThrow(FRAME_NEEDS_ORIGINAL);
    expect((await store.items.get(cine))?.frameIndex).toBe(1);
    expect(maxAbsDiff((await embeddingOf(store, cine, clip))!, clipBefore)).toBe(0);
  });
});

describe('FramePicker', () => {
  it('shows "Frame k of n" and applies a frame typed with the keyboard', async () => {
    const onchoose = vi.fn();
    const screen = render(FramePicker, { frames: 5, frameIndex: 2, blocked: '', busy: false, onchoose });
    const field = screen.getByRole('spinbutton', { name: 'Frame' });
    await expect.element(field).toHaveValue(3);
    await expect.element(screen.getByText('of 5')).toBeVisible();
    await expect.element(screen.getByRole('button', { name: 'Use this frame' })).toBeDisabled();
    await userEvent.fill(field, '5');
    await userEvent.keyboard('{Enter}');
    expect(onchoose).toHaveBeenCalledWith(4);
    await userEvent.fill(field, '9');
    await expect.element(screen.getByRole('alert')).toHaveTextContent('Pick a frame from 1 to 5.');
    await expect.element(screen.getByRole('button', { name: 'Use this frame' })).toBeDisabled();
  });

  it('says why the frame cannot be changed and disables the control', async () => {
    const screen = render(FramePicker, { frames: 3, frameIndex: 1, blocked: FRAME_NEEDS_ORIGINAL, busy: false, onchoose: vi.fn() });
    await expect.element(screen.getByText(FRAME_NEEDS_ORIGINAL)).toBeVisible();
    await expect.element(screen.getByRole('spinbutton', { name: 'Frame' })).toBeDisabled();
  });
});

describe('EncoderInputs with a multi-frame DICOM', () => {
  const session = new SessionState();
  [session.clipEncoderId, session.dinoEncoderId] = ['fixture-clip', 'fixture-dino'];
  /** Only the members EncoderInputs reads; the library itself is covered by the app tests. */
  const libraryOf = (item: ItemRecord) => ({ items: [item], item: (sha: string) => (sha === item.sha256 ? item : undefined) }) as unknown as Library;

  it('offers the frame control, applies the frame through the app and reads the inputs again', async () => {
    const dicomItem = { sha256: 'c'.repeat(64), name: 'cine.dcm', kind: 'dicom', dicom: { frames: 3, frameIndex: 1 }, frameIndex: 1, original: new Blob([]) } as unknown as ItemRecord;
    const reads: string[] = [];
    const chosen: [string, number][] = [];
    const inputs = {
      encoderInputs: async (sha: string) => {
        reads.push(sha);
        return { clip: null, dino: null, reason: 'stub inputs' };
      },
      chooseFrame: async (sha: string, frameIndex: number) => void chosen.push([sha, frameIndex]),
    };
    const screen = render(EncoderInputs, { inputs, library: libraryOf(dicomItem), session, busy: false, hashes: [dicomItem.sha256, undefined], names: ['cine.dcm', ''] });
    const field = screen.getByRole('spinbutton', { name: 'Frame' });
    await expect.element(field).toHaveValue(2);
    await expect.poll(() => reads.length).toBe(1);
    expect(reads).toEqual([dicomItem.sha256]);
    await userEvent.fill(field, '3');
    await userEvent.click(screen.getByRole('button', { name: 'Use this frame' }));
    await expect.poll(() => chosen).toEqual([[dicomItem.sha256, 2]]);
    await expect.poll(() => reads.length).toBe(2);
    await expect.element(screen.getByTestId('frame-status')).toHaveTextContent('Frame 3 is now shown and embedded');
  });

  it('shows no frame control for a single-frame image', async () => {
    const png = { sha256: 'd'.repeat(64), name: 'a.png', kind: 'image', original: new Blob([]) } as unknown as ItemRecord;
    const inputs = {
      encoderInputs: async () => ({ clip: null, dino: null, reason: 'stub inputs' }),
      chooseFrame: async () => {
        throw new Error('no frame to choose');
      },
    };
    const screen = render(EncoderInputs, { inputs, library: libraryOf(png), session, busy: false, hashes: [png.sha256, undefined], names: ['a.png', ''] });
    await expect.element(screen.getByText('stub inputs')).toBeVisible();
    expect(screen.container.querySelector('[data-testid=frame-picker]')).toBeNull();
  });
});
