import { describe, expect, it } from 'vitest';
import { probeBenchmark, probeImage, probePair, promptFor } from '../../src/core/probe/zero-shot.ts';
import { sampleDataset } from './benchmark-support.ts';

/** A unit vector at `cosA` to option A (e1) and `cosB` to option B (e2), completed along e3. */
function image(cosA: number, cosB: number): Float32Array {
  return new Float32Array([cosA, cosB, Math.sqrt(1 - cosA ** 2 - cosB ** 2)]);
}
const A = new Float32Array([1, 0, 0]);
const B = new Float32Array([0, 1, 0]);

describe('zero-shot probe of a pair', () => {
  it('gives each image the softmax of logit_scale * cosine over the two options', () => {
    const probe = probeImage(image(0.3, 0.25), A, B, 100);
    expect(probe.similarities[0]).toBeCloseTo(0.3, 6);
    expect(probe.similarities[1]).toBeCloseTo(0.25, 6);
    expect(probe.probabilities[0]).toBeCloseTo(1 / (1 + Math.exp(-5)), 6);
    expect(probe.probabilities[0] + probe.probabilities[1]).toBeCloseTo(1, 12);
    expect(probe.preferred).toBe('A');
    // A huge scale must not overflow to NaN.
    expect(probeImage(image(0.3, 0.25), A, B, 1e6).probabilities).toEqual([1, 0]);
    expect(() => probeImage(image(0.3, 0.2), A, B, 0)).toThrow(/not a positive number/);
    expect(() => probeImage(new Float32Array(4), A, B, 100)).toThrow(/same CLIP encoder/);
  });

  it('calls a pair encoder-correct, encoder-confused or encoder-inverted', () => {
    expect(probePair([image(0.4, 0.1), image(0.1, 0.4)], [A, B], 100, ['A', 'B']).verdict).toBe('encoder-correct');
    expect(probePair([image(0.4, 0.1), image(0.35, 0.3)], [A, B], 100, ['A', 'B']).verdict).toBe('encoder-confused');
    expect(probePair([image(0.1, 0.4), image(0.1, 0.45)], [A, B], 100, ['A', 'B']).verdict).toBe('encoder-confused');
    expect(probePair([image(0.1, 0.4), image(0.4, 0.1)], [A, B], 100, ['A', 'B']).verdict).toBe('encoder-inverted');
  });

  it('fills a prompt template and refuses one without the placeholder', () => {
    expect(promptFor('A mass')).toBe('A mass');
    expect(promptFor('A mass', 'a radiology image showing {option}')).toBe('a radiology image showing A mass');
    expect(() => promptFor('A mass', 'no placeholder')).toThrow(/no \{option\} placeholder/);
  });
});

describe('zero-shot probe over a benchmark, scored with the benchmark definitions', () => {
  it('scores the preferences as answers: set accuracy, confusion, individual accuracy, per category; unprobed pairs count as invalid', () => {
    const dataset = sampleDataset();
    const images: Record<string, [Float32Array, Float32Array]> = {
      '10001': [image(0.4, 0.1), image(0.1, 0.4)], // correct A, B: prefers A, B -> encoder-correct
      '10002': [image(0.4, 0.1), image(0.3, 0.2)], // correct B, A: prefers A, A -> confused
      '10003': [image(0.1, 0.4), image(0.4, 0.1)], // correct A, B: prefers B, A -> inverted
    };
    const result = probeBenchmark(dataset, { images: (id) => images[id] ?? null, options: (id) => (images[id] ? [A, B] : null) }, 100);
    expect(Object.fromEntries(Object.entries(result.pairs).map(([id, p]) => [id, p.verdict]))).toEqual({
      '10001': 'encoder-correct',
      '10002': 'encoder-confused',
      '10003': 'encoder-inverted',
    });
    expect(result.answers.get('10002')).toMatchObject({ im1: 'A', im2: 'A' });
    expect(result.score.individual_accuracy).toBeCloseTo(3 / 8, 12);
    expect(result.score.set_accuracy).toBeCloseTo(1 / 4, 12);
    expect(result.score.confusion).toBeCloseTo(1 / 3, 12);
    expect(result.score.invalid_rate).toBeCloseTo(2 / 8, 12);
    expect(result.score.counts.missing_pairs).toBe(1);
    // Spinal: pair 10002 only, both images Spinal: weight 2, confused.
    expect(result.score.per_category.Spinal).toMatchObject({ images: 2, pairs: 1, confusion: 1, set_accuracy: 0, individual_accuracy: 0.5 });
  });
});
