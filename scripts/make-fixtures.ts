/**
 * Writes the fixture encoders into models/fixture-clip and models/fixture-dino (skipped when
 * already identical). `--full-size` also writes random-weight graphs with the real ViT shapes
 * into fixtures/full-size/ for the benchmarks.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fixtureEncoderFiles } from '../src/core/onnx/fixture-encoders.ts';

const root = join(dirname(new URL(import.meta.url).pathname), '..');

function writeIfChanged(path: string, content: Uint8Array | string): boolean {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  if (existsSync(path) && Buffer.compare(readFileSync(path), Buffer.from(bytes)) === 0) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return true;
}

let written = 0;
for (const id of ['fixture-clip', 'fixture-dino'] as const) {
  for (const [rel, content] of Object.entries(fixtureEncoderFiles(id))) {
    if (writeIfChanged(join(root, 'models', id, rel), content)) written++;
  }
}
console.log(`fixtures: fixture encoders ready in models/ (${written} file(s) written)`);
if (process.argv.includes('--full-size')) {
  const { writeFullSizeGraphs } = await import('./full-size-graphs.ts');
  await writeFullSizeGraphs(join(root, 'fixtures', 'full-size'));
}
