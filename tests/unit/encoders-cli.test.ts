import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { command as embed } from '../../src/cli/commands/embed.ts';
import { command as preprocessCommand } from '../../src/cli/commands/preprocess.ts';
import { UsageError } from '../../src/cli/command.ts';
import { decodeNpy } from '../../src/core/formats/npy.ts';
import { encodePng } from '../../src/core/formats/png-encode.ts';
import { getEncoder } from '../../src/core/encoders/registry.ts';
import { preprocess } from '../../src/core/preprocess/index.ts';
import { goldenImages } from '../support/encoders-golden-images.ts';
import goldenClip from '../golden/embeddings/fixture-clip.json';
import goldenDino from '../golden/embeddings/fixture-dino.json';

const root = join(import.meta.dirname, '../..');
const models = join(root, 'models');
const work = mkdtempSync(join(tmpdir(), 'embed-cli-'));

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

describe.skipIf(!existsSync(join(models, 'fixture-dino')))('mediconfusion embed / preprocess', () => {
  const images = goldenImages();
  const folder = join(work, 'in');
  mkdirSync(join(folder, 'sub'), { recursive: true });
  // Names sort as: a-rings, b-notes.txt, sub/c-checker, sub/d-blob.
  writeFileSync(join(folder, 'a-rings.png'), encodePng(images[0].image.width, images[0].image.height, 3, images[0].image.data));
  writeFileSync(join(folder, 'b-notes.txt'), 'not an image\n');
  writeFileSync(join(folder, 'sub', 'c-checker.png'), encodePng(images[1].image.width, images[1].image.height, 3, images[1].image.data));
  writeFileSync(join(folder, 'sub', 'd-blob.png'), encodePng(images[2].image.width, images[2].image.height, 3, images[2].image.data));
  writeFileSync(join(folder, '.DS_Store'), 'hidden');
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);

  it('writes clip.npy, dino.npy and index.json; bad files land in errors and the run exits 0', async () => {
    const out = join(work, 'out');
    const code = await embed.run(['--encoders', 'fixture-clip,fixture-dino', '--models', models, '--batch-size', '2', '--quiet', folder, '--out', out]);
    expect(code).toBe(0);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    expect(index.images.map((i: { file: string }) => i.file)).toEqual(['a-rings.png', 'sub/c-checker.png', 'sub/d-blob.png']);
    expect(index.images[0]).toMatchObject({ width: 320, height: 240, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(index.errors).toHaveLength(1);
    expect(index.errors[0].file).toBe('b-notes.txt');
    expect(index.errors[0].reason).toMatch(/text file/);
    for (const [name, golden, dim] of [['clip.npy', goldenClip, 512], ['dino.npy', goldenDino, 384]] as const) {
      const npy = decodeNpy(new Uint8Array(readFileSync(join(out, name))));
      expect(npy.dtype).toBe('<f4');
      expect(npy.shape).toEqual([3, dim]);
      for (let r = 0; r < 3; r++) {
        const row = (npy.data as Float32Array).subarray(r * dim, (r + 1) * dim);
        expect(dot(row, row)).toBeCloseTo(1, 5);
        expect(dot(row, golden.embeddings[r])).toBeGreaterThanOrEqual(0.9999);
      }
    }
  });

  it('explains a missing model and bad options', async () => {
    const code = await embed.run(['--encoders', 'biomedclip,fixture-dino', '--models', join(work, 'empty'), folder, '--out', join(work, 'x')]);
    expect(code).toBe(1);
    expect(console.error).toHaveBeenCalledWith(expect.stringMatching(/npm run models -- biomedclip/));
    await expect(embed.run(['--encoders', 'fixture-clip', folder, '--out', 'x'])).rejects.toThrow(UsageError);
    await expect(embed.run(['--encoders', 'nope,fixture-dino', folder, '--out', 'x'])).rejects.toThrow(/no encoder called "nope"/);
    await expect(embed.run(['--batch-size', '0', folder, '--out', 'x'])).rejects.toThrow(/--batch-size/);
    expect(embed.help).toMatch(/Usage: mediconfusion embed/);
    expect(embed.help).toMatch(/Example/);
  });

  it('preprocess writes the exact [1, 3, 224, 224] tensor', async () => {
    const out = join(work, 'rings.npy');
    expect(await preprocessCommand.run(['--encoder', 'dinov2-small', join(folder, 'a-rings.png'), '--out', out])).toBe(0);
    const npy = decodeNpy(new Uint8Array(readFileSync(out)));
    expect(npy.shape).toEqual([1, 3, 224, 224]);
    const expected = preprocess(images[0].image, getEncoder('dinov2-small').preprocess);
    expect((npy.data as Float32Array).every((v, i) => v === expected[i])).toBe(true);
    await expect(preprocessCommand.run(['--encoder', 'nope', 'x.png', '--out', out])).rejects.toThrow(/no encoder called/);
    expect(await preprocessCommand.run(['--encoder', 'biomedclip', join(folder, 'b-notes.txt'), '--out', out])).toBe(1);
    expect(preprocessCommand.help).toMatch(/Example/);
  });
});
