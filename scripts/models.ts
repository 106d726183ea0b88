/**
 * `npm run models -- <ids...> [--host URL] [--dtype fp32|fp16|q8] [--out DIR]`: downloads hub
 * encoders (and converts BiomedCLIP) into models/ so the app and the CLI work offline.
 * Example: npm run models -- dinov2-small clip-vit-b16 biomedclip
 */
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ENCODERS, type EncoderDtype } from '../src/core/encoders/registry.ts';
import { downloadEncoders } from '../src/cli/node-models.ts';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: 'string', default: 'https://huggingface.co' },
    dtype: { type: 'string', default: 'fp32' },
    out: { type: 'string', default: join(root, 'models') },
    help: { type: 'boolean', default: false },
  },
});

const downloadable = ENCODERS.filter((e) => e.source.kind === 'hub' || e.id === 'biomedclip').map((e) => e.id);
if (values.help || positionals.length === 0) {
  console.log(`Usage: npm run models -- ID... [--host URL] [--dtype fp32|fp16|q8] [--out DIR]
  ID        one or more of: ${downloadable.join(', ')}
  --host    hub to download from (default https://huggingface.co)
  --dtype   weights to fetch for hub encoders (default fp32)
  --out     models folder (default models/)
Example: npm run models -- dinov2-small biomedclip`);
  process.exit(positionals.length === 0 && !values.help ? 2 : 0);
}

try {
  const folders = await downloadEncoders(positionals, {
    host: values.host,
    dtype: values.dtype as EncoderDtype,
    modelsDir: values.out,
    onFile: (file, bytes) => console.log(`models: ${file} (${(bytes / 2 ** 20).toFixed(1)} MiB)`),
  });
  for (const folder of folders) console.log(`models: ready in ${folder}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
