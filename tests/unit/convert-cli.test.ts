import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { nodeFileSource, nodeFolderWriter } from '../../src/cli/commands/convert-biomedclip.ts';
import { convertBiomedClipCheckpoint } from '../../src/core/convert/biomedclip.ts';
import { compareRows, deterministicInput, reducedConfig, type BiomedClipReference } from './convert-support.ts';
import { runCli } from '../support/cli-run.ts';

const golden = (name: string) => fileURLToPath(new URL(`../golden/biomedclip/${name}`, import.meta.url));
const reference = JSON.parse(readFileSync(golden('reference.json'), 'utf8')) as BiomedClipReference;
const scratch = mkdtempSync(join(tmpdir(), 'convert-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const capture = (argv: string[]) => runCli(argv);

describe('mediconfusion convert-biomedclip', () => {
  it('documents its options, defaults and an example', async () => {
    const { code, out } = await capture(['convert-biomedclip', '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/Usage: mediconfusion convert-biomedclip CHECKPOINT/);
    expect(out).toMatch(/default: models\/biomedclip/);
    expect(out).toMatch(/Example/);
  });

  it('rejects a missing file or missing argument as a usage error', async () => {
    expect((await capture(['convert-biomedclip'])).code).toBe(2);
    const missing = await capture(['convert-biomedclip', join(scratch, 'nope.bin'), '--out', scratch]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/Cannot open the checkpoint/);
  });

  it('refuses a checkpoint that is not BiomedCLIP-sized, writing nothing', async () => {
    const out = join(scratch, 'refused');
    const { code, err } = await capture(['convert-biomedclip', golden('reduced_fp32.bin'), '--out', out, '--quiet']);
    expect(code).toBe(1);
    expect(err).toMatch(/This checkpoint cannot be converted\. .*missing keys: visual\.trunk\.blocks\.2\./);
    expect(() => readdirSync(out)).toThrow();
  });

  it('streams a checkpoint from disk into a model folder that onnxruntime-node loads by path', async () => {
    const out = join(scratch, 'biomedclip');
    const source = await nodeFileSource(golden('reduced_fp16.bin'));
    await convertBiomedClipCheckpoint(source, nodeFolderWriter(out), { config: reducedConfig(reference) });
    await source.close();
    expect(readdirSync(out).sort()).toEqual(['config.json', 'onnx', 'preprocessor_config.json']);
    expect(readdirSync(join(out, 'onnx'))).toEqual(['vision_model.onnx']);
    const session = await ort.InferenceSession.create(join(out, 'onnx', 'vision_model.onnx'));
    const size = reference.config.image_size;
    const result = await session.run({ pixel_values: new ort.Tensor('float32', deterministicInput(size), [2, 3, size, size]) });
    const { cosines, maxAbsDiff } = compareRows(result.image_embeds.data as Float32Array, reference.image_embeds.fp16);
    expect(Math.min(...cosines)).toBeGreaterThanOrEqual(0.9999);
    expect(maxAbsDiff).toBeLessThanOrEqual(1e-4);
  });
});
