import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command.ts';
import { decodeNpy } from '../../core/formats/npy.ts';
import { DEFAULT_FLOOR, MEDICONFUSION_PRESET, PairMiner, type EmbeddingMatrix } from '../../core/mining/index.ts';

function readMatrix(path: string, option: string): EmbeddingMatrix {
  let bytes: Uint8Array;
  try {
    // A copy into a plain Uint8Array: decodeNpy's slice() would share a Node Buffer's pooled memory.
    bytes = new Uint8Array(readFileSync(path));
  } catch {
    throw new UsageError(`Could not read ${option} ${path}; check the path.`);
  }
  let array;
  try {
    array = decodeNpy(bytes);
  } catch (error) {
    throw new UsageError(`${option} ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (array.dtype !== '<f4') {
    throw new UsageError(`${option} ${path} holds dtype ${array.dtype}; save the embeddings as float32 (numpy: arr.astype(np.float32)).`);
  }
  if (array.shape.length !== 2) {
    throw new UsageError(`${option} ${path} has shape [${array.shape.join(', ')}]; expected a 2-D [N, D] matrix, one row per image.`);
  }
  return { rows: array.shape[0], dim: array.shape[1], data: array.data };
}

function number(value: string, option: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${option} must be a number; got "${value}".`);
  return n;
}

export const command: CliCommand = {
  summary: 'Mine confusing pairs from CLIP-side and DINO-side embeddings (.npy)',
  help: `Usage: mediconfusion mine --clip A.npy --dino B.npy [options]

Finds every image pair whose CLIP-side cosine similarity is above --clip-min while its
DINO-side cosine similarity is below --dino-max. Both files are float32 .npy matrices [N, D]
with one row per image in the same order; rows need not be normalised. Prints JSON
{"pairs":[{"a":i,"b":j,"clip":s1,"dino":s2}, ...]} with a < b as row indices, ordered by
margin (clip - dino) descending, ties by the lower DINO similarity.

Options:
  --clip FILE            CLIP-side embeddings, float32 .npy [N, D] (required)
  --dino FILE            DINO-side embeddings, float32 .npy [N, D'] (required)
  --clip-min X           keep pairs with CLIP similarity > X (default ${MEDICONFUSION_PRESET.clipMin})
  --dino-max Y           keep pairs with DINO similarity < Y (default ${MEDICONFUSION_PRESET.dinoMax})
  --floor F              candidate floor: pairs below F are never kept; --clip-min must be >= F (default ${DEFAULT_FLOOR})
  --max-per-image K      at most K pairs per image, chosen greedily by margin; 0 = no cap (default 0)
  --out FILE             write the JSON to FILE instead of standard output (default: standard output)

Example:
  npx mediconfusion mine --clip biomedclip.npy --dino dinov2.npy --clip-min 0.95 --dino-max 0.6 --out pairs.json`,
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          clip: { type: 'string' },
          dino: { type: 'string' },
          'clip-min': { type: 'string' },
          'dino-max': { type: 'string' },
          floor: { type: 'string' },
          'max-per-image': { type: 'string' },
          out: { type: 'string' },
        },
      }));
    } catch (error) {
      throw new UsageError(`${error instanceof Error ? error.message : String(error)} Run \`mediconfusion mine --help\` for the options.`);
    }
    if (!values.clip || !values.dino) throw new UsageError('Give both --clip and --dino (.npy files). Run `mediconfusion mine --help` for an example.');
    const clipMin = values['clip-min'] === undefined ? MEDICONFUSION_PRESET.clipMin : number(values['clip-min'], '--clip-min');
    const dinoMax = values['dino-max'] === undefined ? MEDICONFUSION_PRESET.dinoMax : number(values['dino-max'], '--dino-max');
    const floor = values.floor === undefined ? DEFAULT_FLOOR : number(values.floor, '--floor');
    const maxPerImage = values['max-per-image'] === undefined ? 0 : number(values['max-per-image'], '--max-per-image');
    if (!(floor > -1 && floor <= 1)) throw new UsageError(`--floor must be a similarity in (-1, 1]; got ${floor}.`);
    if (clipMin < floor) throw new UsageError(`--clip-min ${clipMin} is below --floor ${floor}; lower --floor to ${clipMin} or less.`);
    if (!Number.isInteger(maxPerImage) || maxPerImage < 0) throw new UsageError('--max-per-image must be a whole number >= 0 (0 = no cap).');
    const clip = readMatrix(values.clip, '--clip');
    const dino = readMatrix(values.dino, '--dino');
    if (clip.rows !== dino.rows) {
      throw new UsageError(
        `--clip has ${clip.rows} rows but --dino has ${dino.rows}; both files need one row per image, in the same order.`,
      );
    }
    const miner = PairMiner.build(clip, dino, { floor });
    const { pairs } = miner.candidates.filter({ clipMin, dinoMax, maxPerImage });
    const lines: string[] = [];
    for (let r = 0; r < pairs.count; r++) {
      lines.push(JSON.stringify({ a: pairs.a[r], b: pairs.b[r], clip: pairs.clip[r], dino: pairs.dino[r] }));
    }
    const json = lines.length === 0 ? '{"pairs":[]}' : `{"pairs":[\n${lines.join(',\n')}\n]}`;
    if (values.out) {
      writeFileSync(values.out, json + '\n');
      console.error(`Wrote ${pairs.count} pairs to ${values.out}.`);
    } else {
      console.log(json);
    }
    return 0;
  },
};
