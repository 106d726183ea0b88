/**
 * The real DICOM files under ../shared/data/dicom (skipped when absent): which decode, and for
 * files the README says were rendered to ../shared/data/radiology, a loose comparison of the two.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeFile, type DecodeOptions } from '../../src/core/decode/index.ts';
import { ingestFile } from '../../src/core/ingest/index.ts';
import { makeThumbnail } from '../../src/core/ingest/thumbnail.ts';
import { toRgb8 } from '../../src/core/preprocess/rgb.ts';

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/data');
const dicomDir = join(dataDir, 'dicom');
const radiologyDir = join(dataDir, 'radiology');
const haveData = existsSync(dicomDir) && existsSync(radiologyDir);

/** Files that cannot be decoded yet, with the error code they must give instead. */
const KNOWN_UNSUPPORTED: Record<string, string> = {
  'dcm_ct_mf_jpeg_ext12.dcm': 'dicom-unsupported-transfer-syntax',
};

const EXPECTED: Record<string, { width: number; height: number; channels: number; frames: number }> = {
  'dcm_cr_j2k_lossless.dcm': { width: 1760, height: 1760, channels: 1, frames: 1 },
  'dcm_ct_explicit_le.dcm': { width: 512, height: 512, channels: 1, frames: 1 },
  'dcm_ct_j2k_lossless.dcm': { width: 512, height: 512, channels: 1, frames: 1 },
  'dcm_ct_jpegls_lossless.dcm': { width: 512, height: 512, channels: 1, frames: 1 },
  'dcm_ct_mf_jpeg_lossless.dcm': { width: 512, height: 512, channels: 1, frames: 2 },
  'dcm_ct_mf_rle.dcm': { width: 512, height: 512, channels: 1, frames: 2 },
  'dcm_mr_explicit_be.dcm': { width: 64, height: 64, channels: 1, frames: 1 },
  'dcm_mr_implicit_le.dcm': { width: 64, height: 64, channels: 1, frames: 1 },
  'dcm_mr_j2k_lossy.dcm': { width: 1024, height: 1024, channels: 1, frames: 1 },
  'dcm_mr_overlay.dcm': { width: 484, height: 484, channels: 1, frames: 1 },
  'dcm_nm_jpeg_lossless.dcm': { width: 256, height: 1024, channels: 1, frames: 1 },
  'dcm_us_j2k_ybr_rct.dcm': { width: 640, height: 480, channels: 3, frames: 1 },
  'dcm_us_palette.dcm': { width: 640, height: 480, channels: 3, frames: 1 },
  'dcm_us_rgb.dcm': { width: 640, height: 480, channels: 3, frames: 1 },
};

/** DICOM file -> PNG rendered from the same source (README), and the window the README names. */
const RENDERED: [string, string, DecodeOptions][] = [
  ['dcm_ct_explicit_le.dcm', 'ct_010.png', { dicomWindow: { center: 40, width: 400 } }],
  ['dcm_cr_j2k_lossless.dcm', 'xr_001.png', {}],
  ['dcm_us_rgb.dcm', 'us_017.png', {}],
  ['dcm_us_palette.dcm', 'us_018.png', {}],
  ['dcm_mr_overlay.dcm', 'mr_018.png', {}],
];

function read(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

function correlation(a: Uint8ClampedArray, b: Uint8ClampedArray): number {
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < a.length; i++) {
    meanA += a[i];
    meanB += b[i];
  }
  meanA /= a.length;
  meanB /= b.length;
  let cov = 0;
  let varA = 0;
  let varB = 0;
  for (let i = 0; i < a.length; i++) {
    cov += (a[i] - meanA) * (b[i] - meanB);
    varA += (a[i] - meanA) ** 2;
    varB += (b[i] - meanB) ** 2;
  }
  return cov / Math.sqrt(varA * varB);
}

describe.skipIf(!haveData)('real DICOM files (../shared/data/dicom)', () => {
  const files = haveData ? readdirSync(dicomDir).filter((f) => f.endsWith('.dcm')).sort() : [];

  it('holds the 15 files the README lists', () => {
    expect(files).toHaveLength(15);
  });

  for (const file of files) {
    it(`${file}: ${KNOWN_UNSUPPORTED[file] ? 'gives a clear error' : 'decodes'}`, async () => {
      const result = await ingestFile(read(join(dicomDir, file)), { name: file });
      if (KNOWN_UNSUPPORTED[file]) {
        expect(result.ok).toBe(false);
        if (!result.ok) {
          expect(result.error.code).toBe(KNOWN_UNSUPPORTED[file]);
          expect(result.error.reason).toMatch(/1\.2\.840\.10008\.1\.2\.4\.51/);
        }
        return;
      }
      expect(result.ok, result.ok ? '' : result.error.reason).toBe(true);
      if (!result.ok) return;
      const expected = EXPECTED[file];
      expect(result.item).toMatchObject({ kind: 'dicom', width: expected.width, height: expected.height });
      expect(result.item.dicom?.frames).toBe(expected.frames);
      expect(Math.max(result.item.thumbnail.width, result.item.thumbnail.height)).toBeLessThanOrEqual(128);
      // Not a flat image: the display pipeline spread the values.
      const { rgba } = result.item.thumbnail;
      let min = 255;
      let max = 0;
      for (let i = 0; i < rgba.length; i += 4) {
        min = Math.min(min, rgba[i]);
        max = Math.max(max, rgba[i]);
      }
      expect(max - min).toBeGreaterThan(100);
    });
  }

  it('renders the same images as the radiology PNGs made from the same sources (loosely)', async () => {
    for (const [dicomFile, pngFile, options] of RENDERED) {
      const fromDicom = await decodeFile(read(join(dicomDir, dicomFile)), dicomFile, options);
      const fromPng = await decodeFile(read(join(radiologyDir, pngFile)), pngFile);
      expect([fromDicom.image.width, fromDicom.image.height]).toEqual([fromPng.image.width, fromPng.image.height]);
      const a = makeThumbnail(toRgb8(fromDicom.image), 64).rgba;
      const b = makeThumbnail(toRgb8(fromPng.image), 64).rgba;
      expect(correlation(a, b), `${dicomFile} vs ${pngFile}`).toBeGreaterThan(0.95);
    }
  });

  it('the two encodings of CT1 (explicit LE, JPEG-LS) and of CT0012 (RLE, JPEG lossless) decode identically', async () => {
    const pairs = [
      ['dcm_ct_explicit_le.dcm', 'dcm_ct_jpegls_lossless.dcm'],
      ['dcm_ct_mf_rle.dcm', 'dcm_ct_mf_jpeg_lossless.dcm'],
      ['dcm_mr_implicit_le.dcm', 'dcm_mr_explicit_be.dcm'],
    ];
    for (const [a, b] of pairs) {
      const left = await decodeFile(read(join(dicomDir, a)), a);
      const right = await decodeFile(read(join(dicomDir, b)), b);
      expect(Buffer.from(left.image.data).equals(Buffer.from(right.image.data)), `${a} vs ${b}`).toBe(true);
    }
  });
});

describe.skipIf(!haveData)('real radiology images (../shared/data/radiology)', () => {
  it('all 101 decode to items with thumbnails', async () => {
    const files = readdirSync(radiologyDir).filter((f) => /\.(png|jpe?g)$/i.test(f));
    expect(files).toHaveLength(101);
    const failures: string[] = [];
    for (const file of files) {
      const result = await ingestFile(read(join(radiologyDir, file)), { name: file });
      if (!result.ok) failures.push(`${file}: ${result.error.reason}`);
      else expect(Math.max(result.item.thumbnail.width, result.item.thumbnail.height)).toBeLessThanOrEqual(128);
    }
    expect(failures).toEqual([]);
  });
});
