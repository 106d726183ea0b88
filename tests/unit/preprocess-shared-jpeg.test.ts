/**
 * The real JPEGs under ../shared/data/radiology, fed unconverted, against Pillow's pipelines
 * computed on the spot by Debian's Python (`scripts/golden/make_preprocess_goldens.py
 * --reference`). Local only: skipped when the folder or /usr/bin/python3 with Pillow is absent
 * (CI has no Python), so the committed goldens of generated files stay the guard there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HF_BIT_DINOV2, OPEN_CLIP_224 } from '../../src/core/preprocess/index.ts';
import { difference, encoderTensor, referenceTensor } from '../support/pillow-compare.ts';

const here = dirname(fileURLToPath(import.meta.url));
const radiology = join(here, '../../../shared/data/radiology');
const generator = join(here, '../../scripts/golden/make_preprocess_goldens.py');
const python = '/usr/bin/python3';
const havePillow = existsSync(python) && spawnSync(python, ['-c', 'import PIL, numpy'], { encoding: 'utf8' }).status === 0;
const jpegs = existsSync(radiology) ? readdirSync(radiology).filter((f) => /\.jpe?g$/i.test(f)).sort() : [];
const scratch = mkdtempSync(join(tmpdir(), 'pillow-ref-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.skipIf(!havePillow || jpegs.length === 0)('real JPEGs (../shared/data/radiology) match Pillow', () => {
  for (const file of jpegs) {
    it(`${file}: both pipelines within one grey level of Pillow`, async () => {
      const out = mkdtempSync(join(scratch, 'x'));
      const run = spawnSync(python, [generator, '--reference', join(radiology, file), out], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      const bytes = new Uint8Array(readFileSync(join(radiology, file)));
      for (const [pipeline, spec] of [
        ['open_clip', OPEN_CLIP_224],
        ['hf_bit', HF_BIT_DINOV2],
      ] as const) {
        const expected = await referenceTensor(new Uint8Array(readFileSync(join(out, `${pipeline}.png`))), spec);
        const { mean, max } = difference(await encoderTensor(bytes, file, spec), expected);
        expect(mean, `${file} ${pipeline} mean`).toBeLessThanOrEqual(1e-3);
        expect(max, `${file} ${pipeline} max`).toBeLessThanOrEqual(0.02);
      }
    });
  }
});
