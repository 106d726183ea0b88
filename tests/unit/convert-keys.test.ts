import { describe, expect, it } from 'vitest';
import { BIOMEDCLIP_VISION_KEYS, checkpointKeyFor, describeMismatches, expectedVisionKeys } from '../../src/core/convert/biomedclip.ts';
import { BIOMEDCLIP_VISION } from '../../src/core/onnx/vit-graph.ts';

/**
 * The vision half of microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224's state dict, as
 * open_clip's TimmModel(timm 'vit_base_patch16_224', pool '', proj 'linear', embed_dim 512)
 * names it: the trunk's classifier is reset to Identity, fc_norm is Identity (token pooling) and
 * the head is Dropout + Linear without bias. Written out independently of the converter.
 */
function officialVisionStateDict(): Map<string, number[]> {
  const keys = new Map<string, number[]>([
    ['visual.trunk.cls_token', [1, 1, 768]],
    ['visual.trunk.pos_embed', [1, 197, 768]],
    ['visual.trunk.patch_embed.proj.weight', [768, 3, 16, 16]],
    ['visual.trunk.patch_embed.proj.bias', [768]],
  ]);
  for (let i = 0; i < 12; i++) {
    const block: [string, number[]][] = [
      ['norm1.weight', [768]],
      ['norm1.bias', [768]],
      ['attn.qkv.weight', [2304, 768]],
      ['attn.qkv.bias', [2304]],
      ['attn.proj.weight', [768, 768]],
      ['attn.proj.bias', [768]],
      ['norm2.weight', [768]],
      ['norm2.bias', [768]],
      ['mlp.fc1.weight', [3072, 768]],
      ['mlp.fc1.bias', [3072]],
      ['mlp.fc2.weight', [768, 3072]],
      ['mlp.fc2.bias', [768]],
    ];
    for (const [name, shape] of block) keys.set(`visual.trunk.blocks.${i}.${name}`, shape);
  }
  keys.set('visual.trunk.norm.weight', [768]);
  keys.set('visual.trunk.norm.bias', [768]);
  keys.set('visual.head.proj.weight', [512, 768]);
  return keys;
}

describe('BiomedCLIP key mapping', () => {
  it('expects exactly the official vision keys and shapes (151 tensors, ~86M parameters)', () => {
    const official = officialVisionStateDict();
    const expected = expectedVisionKeys(BIOMEDCLIP_VISION);
    expect([...expected.keys()].sort()).toEqual([...official.keys()].sort());
    for (const [key, shape] of official) expect(expected.get(key), key).toEqual(shape);
    const params = [...official.values()].reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
    expect(params).toBeGreaterThan(85e6);
    expect(params).toBeLessThan(87e6);
  });

  it('accepts the official layout with the text tower and logit scale beside it', () => {
    const checkpoint = new Map([...officialVisionStateDict()].map(([k, shape]) => [k, { shape }]));
    checkpoint.set('text.transformer.encoder.layer.0.attention.self.query.weight', { shape: [768, 768] });
    checkpoint.set('text.proj.0.weight', { shape: [640, 768] });
    checkpoint.set('logit_scale', { shape: [] });
    expect(describeMismatches(checkpoint, BIOMEDCLIP_VISION)).toEqual([]);
    checkpoint.delete('visual.trunk.norm.bias');
    checkpoint.set('visual.trunk.head.weight', { shape: [1000, 768] });
    expect(describeMismatches(checkpoint, BIOMEDCLIP_VISION)).toEqual([
      'missing keys: visual.trunk.norm.bias',
      'unexpected keys: visual.trunk.head.weight',
    ]);
  });

  it('maps graph parameters back to checkpoint keys through the rule table', () => {
    expect(checkpointKeyFor('blocks.11.mlp.fc2.weight')).toBe('visual.trunk.blocks.11.mlp.fc2.weight');
    expect(checkpointKeyFor('head.proj.weight')).toBe('visual.head.proj.weight');
    expect(BIOMEDCLIP_VISION_KEYS.ignoredPrefixes).toContain('text.');
  });
});
