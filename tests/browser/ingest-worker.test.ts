/**
 * The ingest worker in real Chromium: PNG, JPEG, WebP (browser decoder), a generated JPEG-LS
 * DICOM and a damaged JPEG 2000 DICOM (proves OpenJPEG's .wasm loads in the worker), hostile
 * files interleaved; results streamed with progress, thumbnails as Blobs, RGB transferred.
 */
import { describe, expect, it } from 'vitest';
import charlsEncoderWasmUrl from '@cornerstonejs/codec-charls/wasm?url';
import { runIngest } from '../../src/workers/ingest.client.ts';
import type { IngestProgress, WorkerIngestResult } from '../../src/workers/ingest.protocol.ts';
import { buildBlockJpeg, buildDicom, buildPng, seededBytes } from '../support/hostile-builders.ts';
import { hostileCorpus } from '../support/hostile-corpus.ts';
import { jpegLsDicom } from '../support/hostile-jpegls.ts';

async function webpFile(): Promise<File> {
  const canvas = new OffscreenCanvas(20, 10);
  const context = canvas.getContext('2d')!;
  context.fillStyle = 'rgb(200, 30, 30)';
  context.fillRect(0, 0, 20, 10);
  const blob = await canvas.convertToBlob({ type: 'image/webp', quality: 1 });
  return new File([blob], 'red.webp');
}

function file(bytes: Uint8Array, name: string): File {
  return new File([bytes as Uint8Array<ArrayBuffer>], name);
}

describe('ingest worker (Chromium)', () => {
  it('ingests PNG, JPEG, WebP and JPEG-LS DICOM, and gives error rows for hostile files', async () => {
    const values = Array.from({ length: 48 * 32 }, (_, i) => (i * 53) % 4096);
    const { jpegLs } = await jpegLsDicom(48, 32, values, charlsEncoderWasmUrl);
    const brokenJ2k = buildDicom({ rows: 8, columns: 8, transferSyntax: '1.2.840.10008.1.2.4.90', fragments: [Uint8Array.of(0xff, 0x4f, 0xff, 0x51, ...seededBytes(60, 2))] });
    const hostile = hostileCorpus().filter((f) => ['empty.jpg', 'page.png', 'bomb.png', 'video.dcm'].includes(f.name));
    const files = [
      file(buildPng({ width: 300, height: 200, raw: seededBytes(300 * 200, 3) }), 'grey.png'),
      ...hostile.map((h) => file(h.bytes, h.name)),
      file(buildBlockJpeg(64, 32, 3, (c, bx) => 30 + c * 70 + bx * 5), 'colour.jpg'),
      await webpFile(),
      file(jpegLs, 'ct.dcm'),
      file(brokenJ2k, 'broken-j2k.dcm'),
    ];
    const results: WorkerIngestResult[] = [];
    const progress: IngestProgress[] = [];
    const run = runIngest(files, { onResult: (r) => void results.push(r), onProgress: (p) => void progress.push(p) }, { keepRgb: true });
    const summary = await run.finished;

    const errors = results.flatMap((r) => (r.ok ? [] : [`${r.error.file}: ${r.error.code} ${r.error.reason}`]));
    expect(summary, errors.join('\n')).toEqual({ done: files.length, failed: hostile.length + 1, cancelled: false });
    expect(results).toHaveLength(files.length);
    expect(progress.at(-1)).toMatchObject({ done: files.length, total: files.length });
    const byName = new Map(results.map((r) => [r.ok ? r.item.name : r.error.file, r]));

    for (const [name, width, height, kind] of [['grey.png', 300, 200, 'image'], ['colour.jpg', 64, 32, 'image'], ['red.webp', 20, 10, 'image'], ['ct.dcm', 48, 32, 'dicom']] as const) {
      const result = byName.get(name);
      expect(result?.ok, name).toBe(true);
      if (!result?.ok) continue;
      expect(result.item).toMatchObject({ width, height, kind });
      expect(result.item.thumbnail).toBeInstanceOf(Blob);
      expect(result.item.thumbnail.size).toBeGreaterThan(0);
      expect(Math.max(result.item.thumbnailWidth, result.item.thumbnailHeight)).toBeLessThanOrEqual(128);
      expect(result.rgb?.data.length).toBe(width * height * 3);
      expect(result.item.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const webp = byName.get('red.webp');
    if (webp?.ok) expect(Array.from(webp.rgb!.data.subarray(0, 3))).toEqual([200, 30, 30]);
    const ct = byName.get('ct.dcm');
    if (ct?.ok) expect(ct.item.format).toBe('dicom:1.2.840.10008.1.2.4.80');
    for (const h of hostile) {
      const result = byName.get(h.name);
      expect(result?.ok, h.name).toBe(false);
      if (result && !result.ok && h.expect.ok === false) expect(h.expect.codes).toContain(result.error.code);
    }
    // OpenJPEG loaded in the worker: the broken stream is "damaged", not "decoder could not be loaded".
    const broken = byName.get('broken-j2k.dcm');
    expect(broken && !broken.ok && broken.error.code).toBe('dicom-corrupt');
  });

  it('can be cancelled', async () => {
    const files = Array.from({ length: 30 }, (_, i) => file(buildPng({ width: 400, height: 400, raw: seededBytes(160_000, i) }), `f${i}.png`));
    let seen = 0;
    const run = runIngest(files, {
      onResult: () => {
        seen++;
        if (seen === 2) run.cancel();
      },
    });
    const summary = await run.finished;
    expect(summary.cancelled).toBe(true);
    expect(summary.done).toBeLessThan(files.length);
  });
});
