/** End to end: `mediconfusion preprocess` and `mediconfusion embed` on generated images with the fixture encoders. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'fflate';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeNpy, decodeNpyMatrix } from '../../src/core/formats/npy.ts';
import { fixtureEncoderFiles } from '../../src/core/onnx/fixture-encoders.ts';
import { runCli } from '../support/cli-run.ts';

let root: string;

/** A plain Uint8Array: decodeNpy views `bytes.slice().buffer`, which for a pooled Buffer is not the file's own. */
function bytesOf(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
let models: string;
let images: string;

function rgba(width: number, height: number, seed: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 3 + seed * 40) & 255;
      data[i + 1] = (y * 5 + seed * 17) & 255;
      data[i + 2] = ((x ^ y) * seed) & 255;
      data[i + 3] = 255;
    }
  }
  return data;
}

function png(width: number, height: number, seed: number): Buffer {
  const image = new PNG({ width, height });
  rgba(width, height, seed).copy(image.data);
  return PNG.sync.write(image);
}

const cli = (argv: string[]) => runCli(argv, { quietProgress: true });

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'mediconfusion-embed-'));
  models = join(root, 'models');
  for (const id of ['fixture-clip', 'fixture-dino'] as const) {
    for (const [rel, content] of Object.entries(fixtureEncoderFiles(id))) {
      mkdirSync(dirname(join(models, id, rel)), { recursive: true });
      writeFileSync(join(models, id, rel), content);
    }
  }
  images = join(root, 'images');
  mkdirSync(join(images, 'sub'), { recursive: true });
  writeFileSync(join(images, 'a-portrait.png'), png(120, 200, 1));
  writeFileSync(join(images, 'b-wide.jpg'), Buffer.from(jpeg.encode({ width: 320, height: 90, data: rgba(320, 90, 2) }, 90).data));
  writeFileSync(join(images, 'c-broken.png'), Buffer.from('\x89PNG\r\n\x1a\nthis is not really a png'));
  writeFileSync(join(images, 'sub', 'd-copy-of-a.png'), png(120, 200, 1));
  writeFileSync(join(images, 'sub', 'e-tiny.png'), png(30, 20, 3));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('mediconfusion embed', () => {
  it('writes L2-normalised rows for each family and an index with the unreadable file in errors', async () => {
    const out = join(root, 'out');
    const { code } = await cli(['embed', '--encoders', 'fixture-clip,fixture-dino', '--models', models, '--batch-size', '3', images, '--out', out]);
    expect(code).toBe(0);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    expect(index.images.map((i: { file: string }) => i.file)).toEqual(['a-portrait.png', 'b-wide.jpg', 'sub/d-copy-of-a.png', 'sub/e-tiny.png']);
    expect(index.images[1]).toMatchObject({ width: 320, height: 90 });
    expect(index.images[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(index.images[0].sha256).toBe(index.images[2].sha256);
    expect(index.errors).toHaveLength(1);
    expect(index.errors[0].file).toBe('c-broken.png');
    expect(index.errors[0].reason).toMatch(/PNG/);

    const clip = decodeNpyMatrix(bytesOf(join(out, 'clip.npy')));
    const dino = decodeNpyMatrix(bytesOf(join(out, 'dino.npy')));
    expect([clip.rows, clip.cols, dino.rows, dino.cols]).toEqual([4, 512, 4, 384]);
    for (const m of [clip, dino]) {
      const row = (r: number) => m.data.subarray(r * m.cols, (r + 1) * m.cols);
      for (let r = 0; r < m.rows; r++) expect(Math.hypot(...row(r))).toBeCloseTo(1, 5);
      // Identical bytes give identical rows; different images give different rows.
      expect(Array.from(row(0))).toEqual(Array.from(row(2)));
      expect(Array.from(row(0))).not.toEqual(Array.from(row(1)));
    }

    // Batching does not change a row: the tiny image alone gives the same embedding.
    const alone = join(root, 'alone');
    mkdirSync(alone);
    writeFileSync(join(alone, 'e-tiny.png'), png(30, 20, 3));
    expect((await cli(['embed', '--encoders', 'fixture-clip,fixture-dino', '--models', models, alone, '--out', join(root, 'out-alone')])).code).toBe(0);
    const single = decodeNpyMatrix(bytesOf(join(root, 'out-alone', 'clip.npy')));
    const batched = clip.data.subarray(3 * 512, 4 * 512);
    for (let i = 0; i < 512; i++) expect(single.data[i]).toBeCloseTo(batched[i], 5);
  });

  it('says how to get a missing encoder and rejects bad options', async () => {
    const missing = await cli(['embed', '--encoders', 'fixture-clip,dinov2-small', '--models', models, images, '--out', join(root, 'x')]);
    expect(missing.code).not.toBe(0);
    expect(missing.err).toMatch(/npm run models -- dinov2-small/);
    expect((await cli(['embed', '--encoders', 'fixture-clip,nope', images, '--out', join(root, 'x')])).err).toMatch(/nope/);
    expect((await cli(['embed', images])).err).toMatch(/--out/);
  });
});

describe('mediconfusion preprocess', () => {
  it('writes the exact [1, 3, 224, 224] tensor, equal to the Pillow golden', async () => {
    // The golden 8-bit RGB portrait, written as a PNG and read back through the CLI's decoder.
    const golden = join(import.meta.dirname, '..', 'golden', 'preprocess');
    const input = decodeNpy(gunzipSync(readFileSync(join(golden, 'rgb8-portrait.input.npy.gz'))));
    const [height, width] = input.shape;
    const image = new PNG({ width, height });
    for (let p = 0; p < width * height; p++) {
      for (let c = 0; c < 3; c++) image.data[p * 4 + c] = input.data[p * 3 + c];
      image.data[p * 4 + 3] = 255;
    }
    const file = join(root, 'portrait.png');
    writeFileSync(file, PNG.sync.write(image));
    for (const [encoder, pipeline] of [['fixture-clip', 'open_clip'], ['dinov2-small', 'hf_bit']]) {
      const out = join(root, `${encoder}.npy`);
      const { code } = await cli(['preprocess', '--encoder', encoder, file, '--out', out]);
      expect(code).toBe(0);
      const tensor = decodeNpy(bytesOf(out));
      expect(tensor.dtype).toBe('<f4');
      expect(tensor.shape).toEqual([1, 3, 224, 224]);
      const expected = decodeNpy(gunzipSync(readFileSync(join(golden, `rgb8-portrait.${pipeline}.npy.gz`)))).data;
      let max = 0;
      for (let i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(tensor.data[i] - expected[i]));
      expect(max, encoder).toBeLessThanOrEqual(1e-6);
    }
  });

  it('explains what is missing', async () => {
    expect((await cli(['preprocess', 'x.png', '--out', 'x.npy'])).err).toMatch(/--encoder/);
    expect((await cli(['preprocess', '--encoder', 'nope', 'x.png', '--out', 'x.npy'])).err).toMatch(/no encoder called "nope"/);
  });
});
