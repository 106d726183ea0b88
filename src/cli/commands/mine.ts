import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command.ts';
import { DEFAULT_FLOOR, MEDICONFUSION_PRESET, MINING_DEFAULTS, PairMiner } from '../../core/mining/index.ts';
import { knnCandidates } from '../../core/mining/knn.ts';
import { allPairsSlice, finalPairs, parseShard, recordsOf, shardRows, type KnnCandidates } from '../../core/mining/shards.ts';
import { hashMap, readEmbeddings, writeFinal, writePart, type RunMeta } from '../pairs-io.ts';
import { messageOf } from '../../core/errors.ts';

function number(value: string, option: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${option} must be a number; got "${value}".`);
  return n;
}

export const command: CliCommand = {
  summary: 'Mine confusing pairs from CLIP-side and DINO-side embeddings (.npy or embeddings.parquet), all pairs or k-NN, whole or in shards',
  help: `Usage: mediconfusion mine (--clip A.npy --dino B.npy | --embeddings embeddings.parquet) [options]

Finds every image pair whose CLIP-side cosine similarity is above --clip-min while its
DINO-side cosine similarity is below --dino-max. Both .npy files are float32 matrices [N, D]
with one row per image in the same order; rows need not be normalised. Prints JSON
{"pairs":[{"a":i,"b":j,"clip":s1,"dino":s2}, ...]} with a < b as row indices, ordered by
margin (clip - dino) descending, ties by the lower DINO similarity. With --out FILE.parquet it
writes a, b, sha256_a, sha256_b, clip, dino, rank (1 = largest margin), rank_ab and rank_ba
(with --knn: the rank of b among a's nearest neighbours and of a among b's; null otherwise).

With --knn K the candidates are each image's K nearest CLIP neighbours (self excluded, ties
to the lower index) at or above --floor, united over both directions, instead of every pair
at or above --floor: exact, memory O(N x K), for corpora of 100k images and more.

With --shard i/n only rows of slice i (0 <= i < n) are mined, against all rows, and --out gets
a part (the matching pairs before the per-image cap); \`mediconfusion merge-pairs\` combines the
n parts into the file one run writes.

Pairs both encoders find near-identical (both similarities >= ${MINING_DEFAULTS.duplicateThreshold}) are the same
figure twice and are left out, as in the app: both read one table of defaults. They can only
pass a --dino-max above ${MINING_DEFAULTS.duplicateThreshold}.

Options:
  --clip FILE            CLIP-side embeddings, float32 .npy [N, D] (required unless --embeddings)
  --dino FILE            DINO-side embeddings, float32 .npy [N, D'] (required unless --embeddings)
  --embeddings FILE      embeddings.parquet from \`mediconfusion embed --format parquet\` instead of --clip/--dino (default: none)
  --clip-min X           keep pairs with CLIP similarity > X (default ${MEDICONFUSION_PRESET.clipMin})
  --dino-max Y           keep pairs with DINO similarity < Y (default ${MEDICONFUSION_PRESET.dinoMax})
  --floor F              candidate floor: pairs below F are never kept; --clip-min must be >= F (default ${DEFAULT_FLOOR})
  --knn K                candidates are the K nearest CLIP neighbours of each image (default: off, every pair >= --floor)
  --max-per-image K      at most K pairs per image, chosen greedily by margin; 0 = no cap (default 0)
  --shard i/n            mine slice i of n and write a part to --out (default: off, all rows)
  --out FILE             write FILE (.parquet: Parquet, else JSON) instead of standard output (default: standard output; required with --shard)

Example:
  npx mediconfusion mine --clip biomedclip.npy --dino dinov2.npy --clip-min 0.95 --dino-max 0.6 --out pairs.json
  npx mediconfusion mine --embeddings embeddings.parquet --knn 20 --floor 0.8 --clip-min 0.9 --dino-max 0.6 --out pairs.parquet
  npx mediconfusion mine --embeddings embeddings.parquet --knn 20 --shard 0/4 --out part-0.parquet`,
  async run(argv) {
    let values;
    try {
      ({ values } = parseArgs({
        args: argv,
        options: {
          clip: { type: 'string' },
          dino: { type: 'string' },
          embeddings: { type: 'string' },
          'clip-min': { type: 'string' },
          'dino-max': { type: 'string' },
          floor: { type: 'string' },
          knn: { type: 'string' },
          'max-per-image': { type: 'string' },
          shard: { type: 'string' },
          out: { type: 'string' },
        },
      }));
    } catch (error) {
      throw new UsageError(`${messageOf(error)} Run \`mediconfusion mine --help\` for the options.`);
    }
    const clipMin = values['clip-min'] === undefined ? MEDICONFUSION_PRESET.clipMin : number(values['clip-min'], '--clip-min');
    const dinoMax = values['dino-max'] === undefined ? MEDICONFUSION_PRESET.dinoMax : number(values['dino-max'], '--dino-max');
    const floor = values.floor === undefined ? DEFAULT_FLOOR : number(values.floor, '--floor');
    const maxPerImage = values['max-per-image'] === undefined ? 0 : number(values['max-per-image'], '--max-per-image');
    const k = values.knn === undefined ? null : number(values.knn, '--knn');
    if (!(floor > -1 && floor <= 1)) throw new UsageError(`--floor must be a similarity in (-1, 1]; got ${floor}.`);
    if (clipMin < floor) throw new UsageError(`--clip-min ${clipMin} is below --floor ${floor}; lower --floor to ${clipMin} or less.`);
    if (!Number.isInteger(maxPerImage) || maxPerImage < 0) throw new UsageError('--max-per-image must be a whole number >= 0 (0 = no cap).');
    if (k !== null && (!Number.isInteger(k) || k < 1)) throw new UsageError(`--knn must be a whole number of neighbours >= 1; got ${values.knn}.`);
    const shard = values.shard === undefined ? undefined : parseShard(values.shard);
    if (typeof shard === 'string') throw new UsageError(`--shard: ${shard}`);
    if (shard && !values.out) throw new UsageError('--shard needs --out FILE for its part (for example --out part-0.parquet), which `mediconfusion merge-pairs` reads.');

    const { clip, dino, sha256 } = await readEmbeddings(values);
    const mode = k === null ? 'all-pairs' : 'knn';
    const { start, end } = shard ? shardRows(clip.rows, shard, mode) : { start: 0, end: clip.rows };
    let candidates: KnnCandidates;
    if (k !== null) candidates = knnCandidates(clip, dino, { k, floor, rowStart: start, rowEnd: end });
    else if (shard) candidates = allPairsSlice(clip, dino, floor, start, end);
    else {
      const set = PairMiner.build(clip, dino, { floor }).candidates;
      candidates = { set, rankAB: new Uint32Array(set.size), rankBA: new Uint32Array(set.size) };
    }
    const meta: RunMeta = { version: 1, mode, k, floor, clipMin, dinoMax, maxPerImage, rows: clip.rows };
    const matching = recordsOf(candidates, { clipMin, dinoMax });
    const hashes = hashMap(sha256);
    if (shard) {
      writePart(values.out as string, { records: matching, hashes }, { ...meta, shard });
      return 0;
    }
    // One run goes through the same final step as merged shards, so both write the same bytes.
    writeFinal(values.out, { records: finalPairs(clip.rows, floor, matching, meta), hashes }, meta);
    return 0;
  },
};
