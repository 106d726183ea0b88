/**
 * Files as users have them (JPEG variants, CMYK/YCCK, palette and 1-bit PNG, GIF, BMP, WebP,
 * 16-bit PNG), fed unconverted through ingest and preprocessing, against the pixels Pillow's
 * open_clip and BitImageProcessor pipelines make from the same files. Made by
 * `/usr/bin/python3 scripts/golden/make_preprocess_goldens.py` (tests/golden/preprocess/files/).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { configureNodeCodecs } from '../../src/cli/node-codecs.ts';
import { decodeImage } from '../../src/core/decode/index.ts';
import { HF_BIT_DINOV2, OPEN_CLIP_224 } from '../../src/core/preprocess/index.ts';
import { difference, encoderTensor, referenceTensor } from '../support/pillow-compare.ts';

const folder = join(import.meta.dirname, '..', 'golden', 'preprocess', 'files');

interface FileCase {
  name: string;
  file: string;
  width: number;
  height: number;
  pilMode: string;
  note: string;
}

const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as { files: FileCase[] };
const read = (file: string) => new Uint8Array(readFileSync(join(folder, file)));

beforeAll(() => configureNodeCodecs());

describe('files fed unconverted match Pillow', () => {
  it('covers every kind of file the issue lists', () => {
    const modes = new Set(manifest.files.map((f) => f.pilMode));
    for (const mode of ['RGB', 'L', 'CMYK', 'P', '1', 'I', 'RGBA']) expect(modes, mode).toContain(mode);
    expect(manifest.files.filter((f) => f.file.endsWith('.jpg')).length).toBeGreaterThanOrEqual(8);
  });

  for (const entry of manifest.files) {
    it(`${entry.name} decodes at Pillow's size and mode`, async () => {
      const image = await decodeImage(read(entry.file), entry.file);
      expect([image.width, image.height]).toEqual([entry.width, entry.height]);
      if (['P', '1', 'CMYK'].includes(entry.pilMode)) expect(image.pilMode).toBe(entry.pilMode);
      else expect(image.pilMode).toBeUndefined();
    });

    for (const [pipeline, spec] of [
      ['open_clip', OPEN_CLIP_224],
      ['hf_bit', HF_BIT_DINOV2],
    ] as const) {
      it(`${entry.name} (${entry.note}) through ${pipeline}`, async () => {
        const expected = await referenceTensor(read(`${entry.name}.${pipeline}.png`), spec);
        const actual = await encoderTensor(read(entry.file), entry.file, spec);
        const { mean, max } = difference(actual, expected);
        // libjpeg-turbo with Pillow's settings: the goal is within one grey level; in practice exact.
        expect(mean, `mean abs diff of ${entry.name}`).toBeLessThanOrEqual(1e-3);
        expect(max, `max abs diff of ${entry.name}`).toBeLessThanOrEqual(0.02);
        expect(max, `${entry.name} should match Pillow exactly`).toBeLessThanOrEqual(1e-6);
      });
    }
  }
});
