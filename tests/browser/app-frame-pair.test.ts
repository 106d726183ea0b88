/**
 * Choosing another DICOM frame from the pair viewer keeps the viewer on the same pair: the app
 * layer with the real ingest worker, store, fixture encoders and miner. Re-mining after the
 * change moves pairs in the list, so keeping the selected position would open another pair.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExplorerApp } from '../../src/app/app.svelte.ts';
import { describeFrameChoice } from '../../src/app/frame-choice.ts';
import { buildDicom, buildPng, seededBytes } from '../support/hostile-builders.ts';
import { uniqueDbName } from './store-support.ts';
import { until } from './app-support.ts';

const SIDE = 48;

const ramp = (x: number, y: number, gamma: number, noise: number) => Math.max(0, Math.min(255, Math.round(255 * (y / (SIDE - 1)) ** gamma + noise)));

/** Three frames: a checkerboard, then (the default, middle) a vertical ramp, then the ramp with gamma 2. */
function cine(): File {
  const pixels = new Uint8Array(3 * SIDE * SIDE);
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) {
    pixels[y * SIDE + x] = ((x >> 3) + (y >> 3)) % 2 ? 240 : 15;
    pixels[SIDE * SIDE + y * SIDE + x] = ramp(x, y, 1, 0);
    pixels[2 * SIDE * SIDE + y * SIDE + x] = ramp(x, y, 2, 0);
  }
  const bytes = buildDicom({ rows: SIDE, columns: SIDE, frames: 3, bitsAllocated: 8, pixels, windowCenter: 127.5, windowWidth: 256 });
  return new File([bytes as Uint8Array<ArrayBuffer>], 'cine.dcm');
}

/** Ramps like the DICOM's, each with its own noise, so the DICOM pairs with every one. */
function rampPng(seed: number): File {
  const noise = seededBytes(SIDE * SIDE, seed);
  const raw = new Uint8Array(SIDE * SIDE).map((_, i) => ramp(i % SIDE, Math.floor(i / SIDE), 1 + seed / 10, (noise[i] - 128) / 8));
  return new File([buildPng({ width: SIDE, height: SIDE, raw }) as Uint8Array<ArrayBuffer>], `ramp-${seed}.png`);
}

let app: ExplorerApp;

beforeAll(async () => {
  app = new ExplorerApp({ storeName: uniqueDbName('app-frame-pair') });
  await app.boot({ encoders: ['fixture-clip', 'fixture-dino'] });
  // Nearly every pair listed, so the list holds the pair before and after and only its place changes.
  app.session.setFloor(0);
  app.session.setThresholds(0, 1);
  Object.assign(app.session, { maxPerImage: 0, excludeNearDuplicates: false, sameCategoryOnly: false });
});

afterAll(() => app?.dispose());

describe('a frame change from the viewer', () => {
  it('keeps the same pair open and says so', async () => {
    await app.addFiles([cine(), ...[1, 2, 3, 4, 5, 6].map(rampPng)], { keepOriginals: true });
    expect(app.mining.rows).toHaveLength(7);
    await app.mining.settled();
    const dicom = app.library.items.find((item) => item.name === 'cine.dcm')!.sha256;
    const positions = await Promise.all(app.library.items.filter((item) => item.sha256 !== dicom).map((item) => app.mining.positionOf(dicom, item.sha256)));
    // The DICOM's pair furthest down the list: the new frame's similarities move it.
    app.pairs.select(Math.max(...positions));
    await until(() => app.pairs.current !== undefined, 10_000);
    const before = app.pairs.current!;

    const outcome = await app.chooseFrame(dicom, 2);
    expect(outcome).toEqual({ pairStillListed: true });
    await until(() => app.pairs.current !== undefined, 10_000);
    const after = app.pairs.current!;
    expect(new Set([after.hashA, after.hashB])).toEqual(new Set([before.hashA, before.hashB]));
    // Re-mined with the new frame: other similarities, another place in the list, the same pair.
    expect([after.clip, after.dino]).not.toEqual([before.clip, before.dino]);
    expect(after.position).not.toBe(before.position);
    expect(describeFrameChoice(2, outcome)).toBe('Frame 3 is now shown and embedded; the pairs were mined again. This pair is still listed and stays open.');
  });

  it('says when the pair left the list under the thresholds', () => {
    expect(describeFrameChoice(0, { pairStillListed: false })).toMatch(/^Frame 1 is now shown and embedded; .* no longer within the thresholds/);
    expect(describeFrameChoice(0, { pairStillListed: null })).toBe('Frame 1 is now shown and embedded; the pairs were mined again.');
  });
});
