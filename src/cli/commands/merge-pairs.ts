import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command.ts';
import { concatRecords, finalPairs } from '../../core/mining/shards.ts';
import { readPart, writeFinal, type PartMeta, type RunMeta } from '../pairs-io.ts';
import { messageOf } from '../../core/errors.ts';

const SETTINGS = ['version', 'mode', 'k', 'floor', 'clipMin', 'dinoMax', 'maxPerImage', 'rows'] as const;

function runMeta(meta: PartMeta): RunMeta {
  // Field order fixed here: the final file must not depend on which part came first.
  return { version: 1, mode: meta.mode, k: meta.k, floor: meta.floor, clipMin: meta.clipMin, dinoMax: meta.dinoMax, maxPerImage: meta.maxPerImage, rows: meta.rows };
}

export const command: CliCommand = {
  summary: 'Combine the parts written by `mine --shard i/n` into the file one run writes',
  help: `Usage: mediconfusion merge-pairs [--out FILE] PART...

Reads the n parts of one sharded run (JSON or Parquet, as \`mediconfusion mine --shard i/n
--out PART\` wrote them), checks that they are shards 0 .. n-1 of the same settings and rows,
unites their pairs (a pair found from both ends counts once, with both k-NN ranks), applies
the margin order and --max-per-image of the run, and writes the same output as one unsharded
\`mine\` run with those settings: JSON {"pairs":[...]} or, for --out FILE.parquet, pairs.parquet.

Options:
  --out FILE   write FILE (.parquet: Parquet, else JSON) instead of standard output (default: standard output)

Example:
  for i in 0 1 2 3; do npx mediconfusion mine --embeddings embeddings.parquet --knn 20 --shard $i/4 --out part-$i.parquet; done
  npx mediconfusion merge-pairs --out pairs.parquet part-*.parquet`,
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: 'string' } } });
    } catch (error) {
      throw new UsageError(`${messageOf(error)} Run \`mediconfusion merge-pairs --help\` for the options.`);
    }
    const paths = parsed.positionals;
    if (paths.length === 0) throw new UsageError('Pass the part files to merge, for example `mediconfusion merge-pairs --out pairs.parquet part-*.parquet`.');
    const parts = [];
    for (const path of paths) parts.push({ path, ...(await readPart(path)) });
    const first = parts[0];
    const count = first.meta.shard.count;
    const seen = new Map<number, string>();
    for (const part of parts) {
      for (const key of SETTINGS) {
        if (part.meta[key] !== first.meta[key]) {
          throw new UsageError(`${part.path} was mined with ${key} ${String(part.meta[key])} but ${first.path} with ${String(first.meta[key])}; merge parts of one run only.`);
        }
      }
      if (part.meta.shard.count !== count) throw new UsageError(`${part.path} is a shard of ${part.meta.shard.count} but ${first.path} of ${count}; merge parts of one run only.`);
      const other = seen.get(part.meta.shard.index);
      if (other) throw new UsageError(`${part.path} and ${other} are both shard ${part.meta.shard.index}/${count}; pass each part once.`);
      seen.set(part.meta.shard.index, part.path);
    }
    const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
    if (missing.length) throw new UsageError(`Shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing; run them and pass all ${count} parts.`);

    const meta = runMeta(first.meta);
    const hashes = new Map<number, string>();
    for (const part of parts) for (const [row, hash] of part.hashes) hashes.set(row, hash);
    const records = finalPairs(meta.rows, meta.floor, concatRecords(parts.map((p) => p.records)), meta);
    writeFinal(parsed.values.out, { records, hashes }, meta);
    return 0;
  },
};
