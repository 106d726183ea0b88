import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command.ts';
import { ENCODERS, findEncoder } from '../../core/encoders/registry.ts';
import { encodeNpy } from '../../core/formats/npy.ts';
import { ingestFile } from '../../core/ingest/index.ts';
import { preprocess } from '../../core/preprocess/index.ts';

export const command: CliCommand = {
  summary: "Write the exact float32 input tensor an encoder receives for an image (.npy)",
  help: `Usage: mediconfusion preprocess --encoder ID IMAGE --out FILE.npy

Decodes IMAGE (PNG, JPEG, GIF, BMP, TIFF or DICOM), converts it to RGB as PIL's convert('RGB')
does and applies the encoder's reference preprocessing; writes the float32 [1, 3, 224, 224]
tensor as .npy v1, for comparison with the Python pipelines.

Options:
  --encoder ID   encoder whose preprocessing to apply (required; no default): ${ENCODERS.map((e) => e.id).join(', ')}
  --out FILE     .npy file to write (required; no default)

Example:
  npx mediconfusion preprocess --encoder dinov2-small scan.png --out scan-dino.npy`,
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, allowPositionals: true, options: { encoder: { type: 'string' }, out: { type: 'string' } } });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}. Run \`mediconfusion preprocess --help\` for the options.`);
    }
    const { values, positionals } = parsed;
    if (!values.encoder) throw new UsageError('Pass --encoder ID, e.g. `--encoder biomedclip`.');
    const entry = findEncoder(values.encoder);
    if (!entry) throw new UsageError(`There is no encoder called "${values.encoder}"; choose one of ${ENCODERS.map((e) => e.id).join(', ')}.`);
    if (!values.out) throw new UsageError('Pass --out FILE.npy, the file to write.');
    if (positionals.length !== 1) throw new UsageError('Pass exactly one IMAGE, e.g. `mediconfusion preprocess --encoder biomedclip scan.png --out x.npy`.');
    const path = positionals[0];
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch {
      throw new UsageError(`Could not read ${path}; check the path.`);
    }
    const result = await ingestFile(bytes, { name: basename(path) }, { keepRgb: true, thumbnailSide: 16 });
    if (!result.ok || !result.rgb) {
      console.error(`${path}: ${result.ok ? 'no pixels were decoded.' : result.error.reason}`);
      return 1;
    }
    const size = entry.preprocess.cropSize;
    const tensor = preprocess(result.rgb, entry.preprocess);
    writeFileSync(values.out, encodeNpy({ dtype: '<f4', shape: [1, 3, size, size], data: tensor }));
    console.log(`Wrote the ${entry.label} input tensor [1, 3, ${size}, ${size}] of ${path} to ${values.out}`);
    return 0;
  },
};
