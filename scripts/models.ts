/**
 * `npm run models -- <ids...> [--host URL] [--dtype fp32|fp16|q8] [--revision REV] [--out DIR]`:
 * downloads hub encoders (and converts BiomedCLIP) into models/ so the app and the CLI work
 * offline, each at one resolved commit that `models/<id>/source.json` records.
 * Example: npm run models -- dinov2-small clip-vit-b16 biomedclip
 */
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ENCODERS, type EncoderDtype } from '../src/core/encoders/registry.ts';
import { UNKNOWN_COMMIT } from '../src/core/encoders/revision.ts';
import { downloadEncoders } from '../src/cli/node-models.ts';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: 'string', default: 'https://huggingface.co' },
    dtype: { type: 'string', default: 'fp32' },
    revision: { type: 'string' },
    out: { type: 'string', default: join(root, 'models') },
    help: { type: 'boolean', default: false },
  },
});

const downloadable = ENCODERS.filter((e) => e.source.kind === 'hub' || e.id === 'biomedclip').map((e) => e.id);
if (values.help || positionals.length === 0) {
  console.log(`Usage: npm run models -- ID... [--host URL] [--dtype fp32|fp16|q8] [--revision REV] [--out DIR]
  ID          one or more of: ${downloadable.join(', ')}
  --host      hub to download from (default https://huggingface.co)
  --dtype     weights to fetch for hub encoders (default fp32)
  --revision  a commit (40 hex digits) or branch to fetch instead of the registry's revision;
              one ID only (default: the registry's, usually main)
  --out       models folder (default models/)
Every file of an encoder is fetched at the one commit the revision resolves to; the folder's
source.json records it, and the app reports it in the session file.
Example: npm run models -- dinov2-small biomedclip
Example: npm run models -- dinov2-small --revision 0123456789abcdef0123456789abcdef01234567`);
  process.exit(positionals.length === 0 && !values.help ? 2 : 0);
}

try {
  const folders = await downloadEncoders(positionals, {
    host: values.host,
    dtype: values.dtype as EncoderDtype,
    revision: values.revision,
    modelsDir: values.out,
    onFile: (file, bytes) => console.log(`models: ${file} (${(bytes / 2 ** 20).toFixed(1)} MiB)`),
    onCommit: (id, commit) =>
      console.log(commit === UNKNOWN_COMMIT ? `models: ${id}: the host named no commit, so source.json records it as unknown` : `models: ${id} at commit ${commit}`),
  });
  for (const folder of folders) console.log(`models: ready in ${folder}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
