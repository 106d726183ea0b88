import { describe, expect, it } from 'vitest';
import {
  ENCODERS,
  customEncoder,
  encoderRevisionKey,
  findEncoder,
  getEncoder,
  hubFileUrl,
  takeEmbedding,
  DEFAULT_DINO_ENCODER_ID,
} from '../../src/core/encoders/registry.ts';
import { HF_BIT_DINOV2, OPEN_CLIP_224 } from '../../src/core/preprocess/spec.ts';

const sha = 'ab'.repeat(32);

describe('encoder registry', () => {
  it('has the required entries with unique ids', () => {
    const ids = ENCODERS.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(['biomedclip', 'dinov2-small', 'dinov2-base', 'dinov2-large', 'clip-vit-b16', 'clip-vit-l14', 'fixture-clip', 'fixture-dino']);
    expect(DEFAULT_DINO_ENCODER_ID).toBe('dinov2-small');
  });

  it('describes each family consistently', () => {
    for (const e of ENCODERS) {
      expect(e.inputSize).toBe(e.preprocess.cropSize);
      expect(e.files.fp32).toMatch(/^onnx\/.+\.onnx$/);
      if (e.family === 'clip-vision') {
        expect(e.preprocess).toBe(OPEN_CLIP_224);
        expect(e.embedding).toEqual({ output: 'image_embeds', take: 'pooled' });
        expect(e.modelClass).toBe('CLIPVisionModelWithProjection');
      } else {
        expect(e.preprocess).toBe(HF_BIT_DINOV2);
        expect(e.embedding).toEqual({ output: 'last_hidden_state', take: 'cls' });
        expect(e.modelClass).toBe('AutoModel');
      }
    }
  });

  it('has the published dimensions and sources', () => {
    const dims = Object.fromEntries(ENCODERS.map((e) => [e.id, e.dim]));
    expect(dims).toEqual({
      biomedclip: 512,
      'dinov2-small': 384,
      'dinov2-base': 768,
      'dinov2-large': 1024,
      'clip-vit-b16': 512,
      'clip-vit-l14': 768,
      'fixture-clip': 512,
      'fixture-dino': 384,
    });
    expect(getEncoder('dinov2-base').source).toEqual({ kind: 'hub', repo: 'onnx-community/dinov2-base', revision: 'main' });
    expect(getEncoder('clip-vit-l14').source).toMatchObject({ kind: 'hub', repo: 'Xenova/clip-vit-large-patch14' });
    const biomed = getEncoder('biomedclip');
    expect(biomed.source).toMatchObject({ kind: 'self-hosted', folder: 'biomedclip' });
    expect(biomed.files.fp32).toBe('onnx/vision_model.onnx');
    expect(biomed.missingHint).toContain('npm run models -- biomedclip');
    expect(biomed.missingHint?.split('. ').length).toBe(1);
  });

  it('gives the CLIP encoders with a converted or fixture text tower a text entry in the image space', () => {
    for (const id of ['biomedclip', 'fixture-clip']) {
      const entry = getEncoder(id);
      expect(entry.text, id).toMatchObject({ files: { fp32: 'onnx/text_model.onnx' }, output: 'text_embeds', contextLength: 256 });
      expect(entry.text?.dim).toBe(entry.dim);
      expect(entry.text?.inputNames).toEqual({ inputIds: 'input_ids', attentionMask: 'attention_mask' });
    }
    expect(getEncoder('biomedclip').text?.logitScale).toEqual({ kind: 'config', file: 'config.json', key: 'logit_scale' });
    expect(getEncoder('biomedclip').text?.tokenizer).toMatchObject({ kind: 'bert-wordpiece', hub: { repo: 'microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract' } });
    expect(getEncoder('fixture-clip').text?.tokenizer.hub).toBeUndefined();
    expect(getEncoder('dinov2-small').text).toBeUndefined();
  });

  it('labels the fixtures as not meaningful', () => {
    for (const e of ENCODERS) expect(e.meaningful).toBe(!e.id.startsWith('fixture-'));
    expect(getEncoder('fixture-clip').label).toMatch(/not meaningful/);
  });

  it('rejects unknown ids with a sentence listing the known ones', () => {
    expect(findEncoder('nope')).toBeUndefined();
    expect(() => getEncoder('nope')).toThrow(/no encoder called "nope".*dinov2-small/);
  });

  it('builds hub URLs with the revision encoded', () => {
    expect(hubFileUrl('https://huggingface.co', 'onnx-community/dinov2-small', 'main', 'onnx/model.onnx')).toBe(
      'https://huggingface.co/onnx-community/dinov2-small/resolve/main/onnx/model.onnx',
    );
    expect(hubFileUrl('http://127.0.0.1:9/', 'a/b', 'refs/pr/1', 'config.json')).toBe('http://127.0.0.1:9/a/b/resolve/refs%2Fpr%2F1/config.json');
  });

  it('keys revisions by source', () => {
    expect(encoderRevisionKey(getEncoder('dinov2-small'))).toBe('hub:onnx-community/dinov2-small@main');
    expect(encoderRevisionKey(getEncoder('fixture-clip'))).toBe('self-hosted:fixture-clip@fixture-v1');
    const custom = customEncoder({ label: 'my.onnx', modelSha256: sha, preprocess: 'hf_bit' });
    expect(encoderRevisionKey(custom)).toBe(`custom:sha256-${sha}`);
    const keys = ENCODERS.map((entry) => encoderRevisionKey(entry));
    expect(new Set(keys).size).toBe(keys.length);
    // fp32 keys stay as stored before precision was a choice; other precisions never share them.
    const dino = getEncoder('dinov2-small');
    expect(encoderRevisionKey(dino, 'fp32')).toBe(encoderRevisionKey(dino));
    expect(new Set(['fp32', 'fp16', 'q8'].map((d) => encoderRevisionKey(dino, d as 'fp32' | 'fp16' | 'q8'))).size).toBe(3);
    expect(encoderRevisionKey(dino, 'q8')).toBe(`${encoderRevisionKey(dino)}#q8`);
  });

  it('makes custom entries from a preprocessing choice', () => {
    const dino = customEncoder({ label: 'my.onnx', modelSha256: sha, preprocess: 'hf_bit' });
    expect(dino).toMatchObject({ id: 'custom-abababababab', family: 'dinov2', dim: 0, preprocess: HF_BIT_DINOV2 });
    expect(dino.embedding).toEqual({ output: 'last_hidden_state', take: 'cls' });
    const clip = customEncoder({
      label: 'c.onnx',
      modelSha256: sha,
      preprocess: 'open_clip',
      embedding: { output: 'embeds', take: 'pooled' },
      dim: 256,
    });
    expect(clip).toMatchObject({ family: 'clip-vision', dim: 256, embedding: { output: 'embeds', take: 'pooled' } });
    expect(() => customEncoder({ label: 'x', modelSha256: 'xyz', preprocess: 'hf_bit' })).toThrow(/SHA-256/);
  });
});

describe('takeEmbedding', () => {
  const clip = { ...getEncoder('fixture-clip'), dim: 0 };
  const dino = { ...getEncoder('fixture-dino'), dim: 0 };

  it('reads pooled rows and L2-normalises them', () => {
    const outputs = { image_embeds: { dims: [2, 2], data: new Float32Array([3, 4, 0, -2]) } };
    const first = takeEmbedding(outputs, clip, 0);
    expect(first[0]).toBeCloseTo(0.6, 6);
    expect(first[1]).toBeCloseTo(0.8, 6);
    expect(Array.from(takeEmbedding(outputs, clip, 1))).toEqual([0, -1]);
  });

  it('reads the CLS token (row 0) of each batch item', () => {
    // batch 2, 3 tokens, dim 2: CLS of item 1 starts at 1*3*2 = 6.
    const data = new Float32Array([1, 0, 9, 9, 9, 9, 0, 5, 9, 9, 9, 9]);
    const outputs = { last_hidden_state: { dims: [2, 3, 2], data }, pooler_output: { dims: [2, 2], data: new Float32Array(4) } };
    expect(Array.from(takeEmbedding(outputs, dino, 0))).toEqual([1, 0]);
    expect(Array.from(takeEmbedding(outputs, dino, 1))).toEqual([0, 1]);
  });

  it('explains missing outputs, wrong shapes, wrong dims and zero vectors', () => {
    expect(() => takeEmbedding({ other: { dims: [1, 2], data: [1, 1] } }, clip, 0)).toThrow(/no "image_embeds" output \(outputs: other\)/);
    expect(() => takeEmbedding({ image_embeds: { dims: [1, 1, 2], data: [1, 1] } }, clip, 0)).toThrow(/needs 2 dimensions/);
    expect(() => takeEmbedding({ image_embeds: { dims: [1, 2], data: [1, 1] } }, clip, 1)).toThrow(/outside the batch/);
    expect(() => takeEmbedding({ image_embeds: { dims: [1, 2], data: [1, 1] } }, getEncoder('fixture-clip'), 0)).toThrow(/expects 512/);
    expect(() => takeEmbedding({ image_embeds: { dims: [1, 2], data: [0, 0] } }, clip, 0)).toThrow(/zero or non-finite/);
  });
});
