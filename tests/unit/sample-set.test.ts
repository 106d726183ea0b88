import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { generateSampleSet, sampleCaptionsCsv, sampleImagePng } from '../../src/core/sample/phantoms.ts';

describe('synthetic sample set', () => {
  const set = generateSampleSet(1, 128);

  it('is deterministic, labelled synthetic, and covers three modalities', () => {
    const again = generateSampleSet(1, 128);
    expect(set.map((s) => s.name)).toEqual(again.map((s) => s.name));
    expect(Buffer.compare(Buffer.from(set[3].grey), Buffer.from(again[3].grey))).toBe(0);
    expect(new Set(set.map((s) => s.category))).toEqual(new Set(['chest radiograph', 'brain MRI', 'ultrasound']));
    for (const s of set) {
      expect(s.name).toMatch(/^synthetic-/);
      expect(s.caption).toMatch(/^Synthetic .* \(generated, not a patient\)/);
    }
  });

  it('variants of one anatomy differ in pixels', () => {
    const normal = set.find((s) => s.name.includes('chest-normal'))!;
    const nodule = set.find((s) => s.name.includes('chest-nodule'))!;
    let diff = 0;
    for (let i = 0; i < normal.grey.length; i++) diff += Math.abs(normal.grey[i] - nodule.grey[i]);
    expect(diff / normal.grey.length).toBeGreaterThan(0.5);
  });

  it('encodes valid PNGs that decode back to the same pixels', () => {
    const image = set[0];
    const decoded = PNG.sync.read(Buffer.from(sampleImagePng(image)));
    expect(decoded.width).toBe(image.width);
    expect(decoded.height).toBe(image.height);
    for (let i = 0; i < image.grey.length; i += 97) expect(decoded.data[i * 4]).toBe(image.grey[i]);
  });

  it('writes a ROCO-style captions CSV', () => {
    const csv = sampleCaptionsCsv(set.slice(0, 2));
    expect(csv.split('\r\n')[0]).toBe('name,caption,category');
    expect(csv).toContain(set[0].name);
  });
});
