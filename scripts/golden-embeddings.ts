/**
 * Writes tests/golden/embeddings/<encoder>.json: the fixture encoders' embeddings of the
 * synthetic golden images, computed in Node (onnxruntime-node + the core preprocessing).
 * The browser tests check that the workers reproduce them. Run after `npm run fixtures`:
 *   npx tsx scripts/golden-embeddings.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EncoderRunner } from '../src/core/encoders/encoder-runner.ts';
import { encoderRevisionKey, getEncoder } from '../src/core/encoders/registry.ts';
import { nodeSessionFactory } from '../src/cli/node-ort-session.ts';
import { goldenImages } from '../tests/support/encoders-golden-images.ts';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const outDir = join(root, 'tests/golden/embeddings');
mkdirSync(outDir, { recursive: true });

for (const id of ['fixture-clip', 'fixture-dino']) {
  const entry = getEncoder(id);
  const runner = await EncoderRunner.create({ entry, backend: 'wasm', createSession: nodeSessionFactory(entry, join(root, 'models')) });
  const images = goldenImages();
  const outcome = await runner.embed(images.map((g) => ({ id: g.name, image: g.image })));
  await runner.dispose();
  const golden = {
    encoder: id,
    revision: encoderRevisionKey(entry),
    producedBy: 'scripts/golden-embeddings.ts (onnxruntime-node, CPU)',
    images: images.map((g) => ({ name: g.name, width: g.image.width, height: g.image.height })),
    embeddings: outcome.embeddings.map((e) => Array.from(e.embedding, (v) => Number(v.toPrecision(8)))),
  };
  writeFileSync(join(outDir, `${id}.json`), JSON.stringify(golden) + '\n');
  console.log(`golden: wrote tests/golden/embeddings/${id}.json (${golden.embeddings.length} x ${golden.embeddings[0].length})`);
}
