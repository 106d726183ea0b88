import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.ts';
import { fixtureEncoderFiles } from '../../core/onnx/fixture-encoders.ts';

export const command: CliCommand = {
  summary: 'Write the tiny fixture encoders (fixture-clip, fixture-dino) into a models folder',
  help: `Usage: mediconfusion fixtures [--out DIR]

Writes the deterministic fixture encoders used by tests and offline demos, in the
self-hosted layout (config.json, preprocessor_config.json, onnx/*.onnx).

Options:
  --out DIR   models folder to write into (default: models)

Example:
  npx mediconfusion fixtures --out models`,
  async run(argv) {
    const { values } = parseArgs({ args: argv, options: { out: { type: 'string', default: 'models' } } });
    for (const id of ['fixture-clip', 'fixture-dino'] as const) {
      for (const [rel, content] of Object.entries(fixtureEncoderFiles(id))) {
        const path = join(values.out, id, rel);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, content);
      }
    }
    console.log(`Wrote fixture-clip and fixture-dino into ${values.out}/`);
    return 0;
  },
};
