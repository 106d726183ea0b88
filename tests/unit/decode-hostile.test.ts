import { describe, expect, it } from 'vitest';
import { ingestFile } from '../../src/core/ingest/index.ts';
import { decodeImage, DecodeError } from '../../src/core/decode/index.ts';
import { hostileCorpus } from '../support/hostile-corpus.ts';

describe('hostile corpus: every file gives a clear per-item error or a correct result', () => {
  for (const file of hostileCorpus()) {
    it(`${file.about} (${file.name})`, async () => {
      const result = await ingestFile(file.bytes, { name: file.name, relativePath: `drop/${file.name}` });
      if (file.expect.ok === true) {
        expect(result.ok, result.ok ? '' : result.error.reason).toBe(true);
        if (!result.ok) return;
        expect([result.item.width, result.item.height]).toEqual([file.expect.width, file.expect.height]);
        if (file.expect.kind) expect(result.item.kind).toBe(file.expect.kind);
      } else if (file.expect.ok === false) {
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(file.expect.codes).toContain(result.error.code);
        expect(result.error.file).toBe(`drop/${file.name}`);
        // A full sentence for the user: capitalised, ends with a full stop, no stack or JSON dump.
        expect(result.error.reason).toMatch(/^[A-Z].{20,400}\.$/s);
        expect(result.error.reason).not.toMatch(/[{}]|at \w+ \(/);
      }
    });
  }

  it('refuses the 30000 x 30000 PNG bomb from its header, without inflating it', async () => {
    const bomb = hostileCorpus().find((f) => f.name === 'bomb.png')!;
    const started = performance.now();
    await expect(decodeImage(bomb.bytes, 'bomb.png')).rejects.toMatchObject({ code: 'too-large' });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('calls a file cut inside an image signature "cut short", never a text file', async () => {
    const cases: [string, Uint8Array, string][] = [
      ['two-bytes.jpg', Uint8Array.of(0xff, 0xd8), 'JPEG'],
      ['short.png', Uint8Array.of(0x89, 0x50, 0x4e, 0x47), 'PNG'],
      ['short.gif', new TextEncoder().encode('GIF89'), 'GIF'],
      ['short.tif', Uint8Array.of(0x49, 0x49, 0x2a), 'TIFF'],
    ];
    for (const [name, bytes, format] of cases) {
      const result = await ingestFile(bytes, { name, relativePath: `drop/${name}` });
      expect(result.ok, name).toBe(false);
      if (result.ok) continue;
      expect(result.error.code, name).toBe('truncated');
      expect(result.error.reason).toBe(
        `This file begins like a ${format} image but is cut short after ${bytes.length} bytes; copy the original file again.`,
      );
    }
    // Short text that merely starts with the same letters is still text.
    const text = await ingestFile(new TextEncoder().encode('GIF'), { name: 'gif.txt' });
    expect(text.ok || text.error.code).toBe('not-an-image');
  });

  it('applies a configurable pixel limit', async () => {
    const strip = hostileCorpus().find((f) => f.name === 'strip.png')!;
    await expect(decodeImage(strip.bytes, 'strip.png', { maxPixels: 100_000 })).rejects.toBeInstanceOf(DecodeError);
    await expect(decodeImage(strip.bytes, 'strip.png', { maxPixels: 300_000 })).resolves.toMatchObject({ width: 10000, height: 30 });
  });

  it('names the unsupported transfer syntax by UID and name', async () => {
    const video = hostileCorpus().find((f) => f.name === 'video.dcm')!;
    const result = await ingestFile(video.bytes, { name: video.name });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.reason).toContain('1.2.840.10008.1.2.4.100 (MPEG2 Main Profile / Main Level)');
  });

  it('keeps going after bad files: a batch ingests the good ones whatever comes before them', async () => {
    const corpus = hostileCorpus();
    const results = [];
    for (const file of corpus) results.push(await ingestFile(file.bytes, { name: file.name }));
    const expectedGood = corpus.filter((f) => f.expect.ok === true).length;
    expect(results.filter((r) => r.ok).length).toBeGreaterThanOrEqual(expectedGood);
  });
});
