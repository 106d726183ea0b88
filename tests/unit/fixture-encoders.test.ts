import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { buildFixtureClip, buildFixtureDino } from '../../src/core/onnx/fixture-encoders.ts';

function image(seed: number, h = 224, w = 224): Float32Array {
  const d = new Float32Array(3 * h * w);
  for (let i = 0; i < d.length; i++) d[i] = Math.sin(i * 0.0007 * seed) * 1.5;
  return d;
}

describe('fixture encoders (onnxruntime-node)', () => {
  it('are byte-for-byte deterministic', () => {
    expect(Buffer.compare(Buffer.from(buildFixtureClip()), Buffer.from(buildFixtureClip()))).toBe(0);
    expect(Buffer.compare(Buffer.from(buildFixtureDino()), Buffer.from(buildFixtureDino()))).toBe(0);
  });

  it('fixture-clip: pixel_values [B,3,224,224] -> image_embeds [B,512], unit rows, content-dependent', async () => {
    const session = await ort.InferenceSession.create(buildFixtureClip());
    expect(session.inputNames).toEqual(['pixel_values']);
    const batch = new Float32Array([...image(1), ...image(2)]);
    const { image_embeds } = await session.run({ pixel_values: new ort.Tensor('float32', batch, [2, 3, 224, 224]) });
    expect(image_embeds.dims).toEqual([2, 512]);
    const e = image_embeds.data as Float32Array;
    let n0 = 0, n1 = 0, dot = 0;
    for (let i = 0; i < 512; i++) {
      n0 += e[i] ** 2;
      n1 += e[512 + i] ** 2;
      dot += e[i] * e[512 + i];
    }
    expect(n0).toBeCloseTo(1, 5);
    expect(n1).toBeCloseTo(1, 5);
    expect(dot).toBeLessThan(0.999);
  });

  it('fixture-dino: pixel_values [B,3,H,W] -> last_hidden_state [B,1+(H/14)(W/14),384]', async () => {
    const session = await ort.InferenceSession.create(buildFixtureDino());
    const out = await session.run({ pixel_values: new ort.Tensor('float32', image(3, 224, 280), [1, 3, 224, 280]) });
    expect(out.last_hidden_state.dims).toEqual([1, 1 + 16 * 20, 384]);
    expect(out.pooler_output.dims).toEqual([1, 384]);
  });
});
