import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EncoderRunner } from '../../src/core/encoders/encoder-runner.ts';
import { encoderRevisionKey, getEncoder } from '../../src/core/encoders/registry.ts';
import { nodeSessionFactory } from '../../src/cli/node-ort-session.ts';
import { goldenImages } from '../support/encoders-golden-images.ts';
import { cosine } from '../support/cosine.ts';

const root = join(import.meta.dirname, '../..');
const modelsDir = join(root, 'models');

interface Golden {
  encoder: string;
  revision: string;
  images: { name: string; width: number; height: number }[];
  embeddings: number[][];
}


for (const id of ['fixture-clip', 'fixture-dino']) {
  const entry = getEncoder(id);
  describe.skipIf(!existsSync(join(modelsDir, id)))(`${id} golden embeddings (Node)`, () => {
    const golden = JSON.parse(readFileSync(join(root, 'tests/golden/embeddings', `${id}.json`), 'utf8')) as Golden;

    it('describes the images and revision it was made from', () => {
      expect(golden.revision).toBe(encoderRevisionKey(entry));
      expect(golden.images.map((i) => i.name)).toEqual(goldenImages().map((g) => g.name));
      expect(golden.embeddings.every((e) => e.length === entry.dim)).toBe(true);
      // The images must give clearly different embeddings, or parity would prove little.
      expect(cosine(golden.embeddings[0], golden.embeddings[1])).toBeLessThan(0.99);
    });

    it('is reproduced by onnxruntime-node with the core preprocessing', async () => {
      const runner = await EncoderRunner.create({ entry, backend: 'wasm', createSession: nodeSessionFactory(entry, modelsDir), batchSize: 2 });
      const outcome = await runner.embed(goldenImages().map((g) => ({ id: g.name, image: g.image })));
      await runner.dispose();
      outcome.embeddings.forEach((e, i) => {
        expect(cosine(e.embedding, golden.embeddings[i])).toBeGreaterThanOrEqual(0.99999);
        let maxDiff = 0;
        e.embedding.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - golden.embeddings[i][j]))));
        expect(maxDiff).toBeLessThan(1e-5);
      });
    });
  });
}
