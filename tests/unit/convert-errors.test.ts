import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CheckpointError, convertBiomedClipCheckpoint, memoryFolderWriter } from '../../src/core/convert/biomedclip.ts';
import { TorchCheckpoint, halfToFloat } from '../../src/core/convert/torch-checkpoint.ts';
import { unpickle } from '../../src/core/convert/pickle.ts';
import { bytesSource } from '../../src/core/convert/zip.ts';
import { reducedConfig, type BiomedClipReference } from './convert-support.ts';

const golden = (name: string) => fileURLToPath(new URL(`../golden/biomedclip/${name}`, import.meta.url));
const reference = JSON.parse(readFileSync(golden('reference.json'), 'utf8')) as BiomedClipReference;
const fixture = readFileSync(golden('reduced_fp32.bin'));

async function convert(bytes: Uint8Array, depth?: number) {
  const writer = memoryFolderWriter();
  const config = depth === undefined ? undefined : { ...reducedConfig(reference), depth };
  await convertBiomedClipCheckpoint(bytesSource(bytes), writer, { config });
  return writer;
}

function replaceAscii(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const needle = Buffer.from(from, 'latin1');
  const at = Buffer.from(bytes).indexOf(needle);
  expect(at).toBeGreaterThan(0);
  const out = Uint8Array.from(bytes);
  out.set(Buffer.from(to.padEnd(from.length, '\n'), 'latin1'), at);
  return out;
}

describe('the converter refuses unknown or damaged checkpoints with a clear message', () => {
  it('a truncated download', async () => {
    const error = await convert(fixture.subarray(0, fixture.length >> 1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/truncated or damaged: download it again/);
  });

  it('a file that is not a zip, and the legacy non-zip torch format', async () => {
    await expect(convert(new TextEncoder().encode('<html>Not found</html>'))).rejects.toThrow(/not a PyTorch checkpoint/);
    const legacy = Uint8Array.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e, 0x80]);
    await expect(convert(legacy)).rejects.toThrow(/legacy \(pre-PyTorch 1\.6\) non-zip format/);
  });

  it('lists missing keys and shape mismatches against the full-size BiomedCLIP layout', async () => {
    const error = (await convert(fixture).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error.message).toMatch(/missing keys: visual\.trunk\.blocks\.2\.norm1\.weight/);
    expect(error.message).toContain('visual.trunk.cls_token has shape [1, 1, 64], expected [1, 1, 768]');
    expect(error.message).toMatch(/shape mismatches: .* and \d+ more\./);
    expect(error.message).not.toMatch(/text\./);
  });

  it('lists unexpected vision keys (a deeper tower than expected)', async () => {
    await expect(convert(fixture, 1)).rejects.toThrow(/unexpected keys: visual\.trunk\.blocks\.1\.norm1\.weight, .*visual\.trunk\.blocks\.1\.mlp\.fc2\.bias/);
  });

  it('refuses pickles that name arbitrary Python objects instead of running them', async () => {
    const hostile = replaceAscii(fixture, 'collections\nOrderedDict\n', 'posix\nsystem\n');
    await expect(convert(hostile)).rejects.toThrow(/refers to the Python object posix\.system/);
  });

  it('reports unknown pickle opcodes and truncated pickles', () => {
    expect(() => unpickle(Uint8Array.from([0x80, 0x02, 0xff]))).toThrow(/opcode 0xff/);
    expect(() => unpickle(Uint8Array.from([0x80, 0x02, 0x58, 0x10, 0, 0, 0, 0x41]))).toThrow(/truncated/);
  });

  it('refuses tensors whose view runs past their storage', async () => {
    // A storage length of 64 elements patched down to 4 makes the cls_token view overrun it.
    const index = Buffer.from(fixture).indexOf(Buffer.from("X\x03\x00\x00\x00cpuq\x07K@", 'latin1'));
    expect(index).toBeGreaterThan(0);
    const damaged = Uint8Array.from(fixture);
    damaged[index + 11] = 4;
    const checkpoint = await TorchCheckpoint.open(bytesSource(damaged));
    await expect(checkpoint.readFloat32('visual.trunk.cls_token')).rejects.toThrow(/points past the end of its storage/);
  });
});

describe('torch tensor decoding', () => {
  it('converts IEEE half precision exactly', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x3555)).toBeCloseTo(0.33325195, 8);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('reads fp16 storages, non-contiguous views and storage offsets like torch', async () => {
    const fp32 = await TorchCheckpoint.open(bytesSource(fixture));
    const fp16 = await TorchCheckpoint.open(bytesSource(readFileSync(golden('reduced_fp16.bin'))));
    expect(fp32.tensors.get('visual.head.proj.weight')?.stride).toEqual([1, 32]);
    expect(fp32.tensors.get('visual.trunk.blocks.0.attn.qkv.bias')?.storageOffset).toBe(7);
    expect(fp16.tensors.get('visual.trunk.cls_token')?.storage.dtype).toBe('float16');
    for (const key of ['visual.head.proj.weight', 'visual.trunk.blocks.0.attn.qkv.bias', 'visual.trunk.pos_embed']) {
      const a = await fp32.readFloat32(key);
      const b = await fp16.readFloat32(key);
      expect(b.length).toBe(a.length);
      // The fp16 file holds the same weights rounded to half precision (11-bit significand).
      for (let i = 0; i < a.length; i++) expect(Math.abs(b[i] - a[i])).toBeLessThanOrEqual(Math.abs(a[i]) * 2 ** -11 + 2 ** -24);
      expect(b.some((v, i) => v !== a[i])).toBe(true);
    }
  });
});
