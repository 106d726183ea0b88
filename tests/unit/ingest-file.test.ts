import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { ingestFile, makeThumbnail, sha256Hex } from '../../src/core/ingest/index.ts';
import { buildPng, seededBytes } from '../support/hostile-builders.ts';

describe('ingestFile', () => {
  it('hashes with SHA-256 (matches node:crypto and the FIPS "abc" vector)', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const bytes = seededBytes(100_000, 4);
    expect(await sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('returns the item shape, a thumbnail <= 128 px keeping the aspect ratio, and RGB only when asked', async () => {
    const raw = Uint8Array.from({ length: 600 * 300 }, (_, i) => i % 251);
    const bytes = buildPng({ width: 600, height: 300, raw });
    const result = await ingestFile(bytes, { name: 'wide.png', relativePath: 'folder/wide.png' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.item).toMatchObject({
      sha256: createHash('sha256').update(bytes).digest('hex'),
      name: 'wide.png',
      relativePath: 'folder/wide.png',
      size: bytes.length,
      width: 600,
      height: 300,
      kind: 'image',
      format: 'png',
    });
    expect(result.item.thumbnail).toMatchObject({ width: 128, height: 64 });
    expect(result.item.thumbnail.rgba).toHaveLength(128 * 64 * 4);
    expect(result.rgb).toBeUndefined();
    const kept = await ingestFile(bytes, { name: 'wide.png' }, { keepRgb: true });
    expect(kept.ok && kept.rgb?.data.length).toBe(600 * 300 * 3);
    expect(kept.ok && kept.item.relativePath).toBe('wide.png');
  });

  it('the same bytes under two names get the same identity', async () => {
    const bytes = buildPng({ width: 4, height: 4, raw: seededBytes(16, 1) });
    const a = await ingestFile(bytes, { name: 'a.png' });
    const b = await ingestFile(bytes.slice(), { name: 'copy of a.png' });
    expect(a.ok && b.ok && a.item.sha256 === b.item.sha256).toBe(true);
  });

  it('area-averages: a 2x2 checker of 0/255 scaled to 1x1 is mid grey; small images are not upscaled', () => {
    const checker = { width: 2, height: 2, data: Uint8Array.of(0, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 0) };
    const thumb = makeThumbnail(checker, 1);
    expect(Array.from(thumb.rgba)).toEqual([128, 128, 128, 255]);
    expect(makeThumbnail(checker, 128)).toMatchObject({ width: 2, height: 2 });
    const odd = makeThumbnail({ width: 3, height: 1, data: Uint8Array.of(0, 0, 0, 90, 90, 90, 180, 180, 180) }, 2);
    // 3 -> 2: each output covers 1.5 source pixels: (0 + 0.5*90)/1.5 = 30, (0.5*90 + 180)/1.5 = 150
    expect(Array.from(odd.rgba)).toEqual([30, 30, 30, 255, 150, 150, 150, 255]);
  });

  it('turns anything that goes wrong into one error row and never throws', async () => {
    const result = await ingestFile(Uint8Array.of(1, 2, 3), { name: 'odd.bin', relativePath: 'x/odd.bin' });
    expect(result).toEqual({
      ok: false,
      error: { file: 'x/odd.bin', code: 'unknown-format', reason: expect.stringMatching(/^This file is not an image/) },
    });
  });
});
