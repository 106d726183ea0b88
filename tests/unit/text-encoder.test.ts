import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeTextEncoder, type NodeTextEncoder } from '../../src/cli/node-text.ts';
import { getEncoder } from '../../src/core/encoders/registry.ts';
import { FIXTURE_CLIP_DIM, fixtureEncoderFiles } from '../../src/core/onnx/fixture-encoders.ts';
import { readTextEmbeddings, resolveLogitScale } from '../../src/core/text/text-encoder.ts';

const modelsDir = mkdtempSync(join(tmpdir(), 'text-encoder-'));
let encoder: NodeTextEncoder;
beforeAll(async () => {
  for (const [rel, content] of Object.entries(fixtureEncoderFiles('fixture-clip'))) {
    const path = join(modelsDir, 'fixture-clip', rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  encoder = await openNodeTextEncoder(getEncoder('fixture-clip'), modelsDir);
});
afterAll(async () => {
  await encoder?.dispose();
  rmSync(modelsDir, { recursive: true, force: true });
});

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe('fixture CLIP text tower through the shared text rules (onnxruntime-node)', () => {
  it('has the real contract: text_embeds of the image dimension, unit length, one per text', async () => {
    const tower = getEncoder('fixture-clip').text;
    expect(tower).toMatchObject({ output: 'text_embeds', dim: FIXTURE_CLIP_DIM, contextLength: 256, files: { fp32: 'onnx/text_model.onnx' } });
    const [a, b] = await encoder.embed(['a left pleural effusion', 'no fracture']);
    expect(a).toHaveLength(512);
    expect(dot(a, a)).toBeCloseTo(1, 5);
    expect(dot(a, b)).toBeLessThan(0.999);
    expect(encoder.logitScale).toBeCloseTo(100, 4);
  });

  it('padding is masked: a text embeds the same alone and beside a longer one, and a 300-word text is truncated, not refused', async () => {
    const [alone] = await encoder.embed(['chest x-ray']);
    const [, padded] = await encoder.embed([Array(300).fill('lung').join(' '), 'chest x-ray']);
    expect(dot(alone, padded)).toBeGreaterThan(0.99999);
  });

  it('refuses outputs of the wrong name or shape with a sentence, and reads logit_scale as ln(scale)', () => {
    const tower = getEncoder('biomedclip').text;
    if (!tower) throw new Error('biomedclip has a text tower');
    expect(() => readTextEmbeddings({}, tower, 1)).toThrow(/produced no "text_embeds" output/);
    expect(() => readTextEmbeddings({ text_embeds: { dims: [1, 32], data: new Float32Array(32) } }, tower, 1)).toThrow(/expected \[1, 512\]/);
    expect(resolveLogitScale(tower, { logit_scale: Math.log(50) })).toBeCloseTo(50, 6);
    expect(() => resolveLogitScale(tower, {})).toThrow(/no numeric "logit_scale"/);
    expect(tower.tokenizer.hub?.repo).toBe('microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract');
  });
});
