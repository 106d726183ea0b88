import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command.ts';
import { parseDatasetJson, type MediConfusionDataset, type Option } from '../../core/benchmark/dataset.ts';
import { ImportError } from '../../core/benchmark/errors.ts';
import { importDataset, type ImportedImage, type ImportedPair } from '../../core/benchmark/import.ts';
import { matchFiles } from '../../core/benchmark/link.ts';
import type { ScoreReport } from '../../core/benchmark/score.ts';
import { DEFAULT_BATCH_SIZE, EncoderRunner } from '../../core/encoders/encoder-runner.ts';
import { ENCODERS, encoderRevisionKey, findEncoder, type EncoderEntry } from '../../core/encoders/registry.ts';
import { messageOf } from '../../core/errors.ts';
import type { RgbImage } from '../../core/image.ts';
import { ingestFile } from '../../core/ingest/index.ts';
import { DEFAULT_PROMPT_TEMPLATE, probeBenchmark, promptFor, type PairVerdict } from '../../core/probe/zero-shot.ts';
import { plural } from '../../core/words.ts';
import { nodeSessionFactory } from '../node-ort-session.ts';
import { openNodeTextEncoder } from '../node-text.ts';
import { listFiles } from '../list-files.ts';

/** The encoders whose registry entry carries a text tower: the only ones a probe can run. */
const TEXT_ENCODERS = ENCODERS.filter((e) => e.text).map((e) => e.id);

/** One image of a probed pair in probe.json. */
interface ProbedImage {
  local_id: number;
  file: string;
  similarities: [number, number];
  probabilities: [number, number];
  preferred: Option;
}

interface ProbedPair {
  options: [string, string];
  prompts: [string, string];
  correct: [Option, Option];
  verdict: PairVerdict;
  images: [ProbedImage, ProbedImage];
}

/** An image a pair needs that could not be embedded: not in the folder, or not decodable. */
interface MissingImage {
  image: 1 | 2;
  local_id: number;
  /** The benchmark folder's name (`20000.jpg`) and the source collection's (`ROCO_00001.jpg`). */
  file_name: string;
  source_name: string;
  /** The file found under that name when it could not be decoded; absent when none was found. */
  found?: string;
  reason: string;
}

export interface ProbeFile {
  encoder: { id: string; label: string; revision: string; meaningful: boolean };
  template: string;
  /** The softmax multiplier (exp of the checkpoint's ln-scale); null when no pair was probed and nothing was loaded. */
  logit_scale: number | null;
  benchmark: string;
  images: string;
  counts: { pairs: number; probed: number; left_out: number } & Record<PairVerdict, number>;
  pairs: Record<string, ProbedPair>;
  missing: { id: string; images: MissingImage[] }[];
  score: ScoreReport;
}


function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        benchmark: { type: 'string' },
        images: { type: 'string' },
        out: { type: 'string' },
        encoder: { type: 'string', default: 'biomedclip' },
        template: { type: 'string', default: DEFAULT_PROMPT_TEMPLATE },
        models: { type: 'string', default: 'models' },
        'batch-size': { type: 'string', default: String(DEFAULT_BATCH_SIZE) },
        quiet: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError(`${messageOf(error)}. Run \`mediconfusion probe --help\` for the options.`);
  }
}

/** The encoder named by --encoder, refused with a sentence unless it has a text tower. */
function textEncoder(id: string): EncoderEntry {
  const entry = findEncoder(id);
  if (!entry) throw new UsageError(`There is no encoder called "${id}"; choose one with a text tower: ${TEXT_ENCODERS.join(', ')}.`);
  if (!entry.text) {
    throw new UsageError(`The encoder ${id} has no text tower here, so it cannot compare images with option texts; choose one that has: ${TEXT_ENCODERS.join(', ')}.`);
  }
  return entry;
}

function loadDataset(path: string): MediConfusionDataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a folder' : String(code ?? error);
    throw new UsageError(`Cannot read the benchmark file "${path}": ${reason}. Check the path.`);
  }
  return parseDatasetJson(text, path);
}

/**
 * Decodes and embeds the given images with the encoder's image tower, through the same ingest and
 * EncoderRunner path as `mediconfusion embed`, in batches so only one batch of pixels is held.
 */
async function embedImages(
  entry: EncoderEntry,
  modelsDir: string,
  batchSize: number,
  todo: readonly { localId: number; path: string; file: string }[],
  progress: (done: number) => void,
): Promise<{ embeddings: Map<number, Float32Array>; failures: Map<number, string> }> {
  const embeddings = new Map<number, Float32Array>();
  const failures = new Map<number, string>();
  const runner = await EncoderRunner.create({ entry, backend: 'wasm', batchSize, createSession: nodeSessionFactory(entry, modelsDir) });
  try {
    let pending: { id: string; image: RgbImage }[] = [];
    const flush = async () => {
      const outcome = await runner.embed(pending);
      for (const row of outcome.embeddings) embeddings.set(Number(row.id), row.embedding);
      pending = [];
      progress(embeddings.size + failures.size);
    };
    for (const { localId, path, file } of todo) {
      const result = await ingestFile(new Uint8Array(readFileSync(path)), { name: basename(file), relativePath: file }, { keepRgb: true, thumbnailSide: 16 });
      if (!result.ok || !result.rgb) failures.set(localId, result.ok ? 'No pixels were decoded.' : result.error.reason);
      else pending.push({ id: String(localId), image: result.rgb });
      if (pending.length >= batchSize) await flush();
    }
    if (pending.length) await flush();
  } finally {
    await runner.dispose();
  }
  return { embeddings, failures };
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

export const command: CliCommand = {
  summary: 'Zero-shot probe of a CLIP encoder on a benchmark: each image\'s softmax over its pair\'s two option texts',
  help: `Usage: mediconfusion probe --benchmark dataset.json --images DIR --out probe.json [--encoder ID] [--template T] [--models DIR]

Asks the encoder itself each pair's question, as MMVP-VLM probes CLIP: every image is compared
with the pair's two option texts (option_A, option_B, each filled into --template) through the
encoder's image and text towers, and softmax(logit_scale x cosine) over the two gives the
option it prefers. A pair is encoder-correct when each image prefers its own correct answer,
encoder-confused when both prefer the same option, encoder-inverted when each prefers the
other's. The preferences are then scored like a model's answers (as \`mediconfusion score\`
does): set accuracy, confusion, individual accuracy, invalid rate, per category. This tests the
encoder, not a multimodal LLM built on it.

Images are found in DIR (sub-folders included) as the app links a benchmark's images: a file
named <im_N_local>.jpg, else one with the base name of im_N. Pairs with an image that is not
there or cannot be decoded are listed under "missing" and left out; they count as invalid
answers in the scores.

probe.json holds: encoder {id, label, revision, meaningful}, template, logit_scale (the
softmax multiplier, exp of the checkpoint's ln value), counts, pairs {id: {options, prompts,
correct, verdict, images: [{local_id, file, similarities, probabilities, preferred}, …]}},
missing [{id, images: [{image, local_id, file_name, source_name, found?, reason}]}] and score
(the report of \`mediconfusion score\`).

Options:
  --benchmark FILE   MediConfusion dataset.json (required; no default)
  --images DIR       folder holding the benchmark's images (required; no default)
  --out FILE         probe.json to write (required; no default)
  --encoder ID       a CLIP encoder with a text tower: ${TEXT_ENCODERS.join(', ')} (default: biomedclip)
  --template T       how an option becomes the text embedded; {option} is replaced by the
                     option text (default: "${DEFAULT_PROMPT_TEMPLATE}", the option itself)
  --models DIR       self-hosted models folder with <id>/onnx/*.onnx (default: models)
  --batch-size N     images per session run (default: ${DEFAULT_BATCH_SIZE})
  --quiet            no progress lines (default: off)

Exit codes: 0 at least one pair probed, 1 no pair probed, a malformed benchmark or a model
that cannot be loaded, 2 bad options or an unreadable benchmark file.

Example:
  npx mediconfusion probe --benchmark dataset.json --images images/ --template "a radiograph showing {option}" --out probe.json`,
  async run(argv) {
    const values = parse(argv);
    if (!values.benchmark) throw new UsageError('Missing --benchmark FILE (the dataset.json whose pairs to probe).');
    if (!values.images) throw new UsageError('Missing --images DIR (the folder holding the benchmark\'s images).');
    if (!values.out) throw new UsageError('Missing --out FILE (the probe.json to write).');
    const entry = textEncoder(values.encoder);
    const template = values.template;
    try {
      promptFor('', template);
    } catch (error) {
      throw new UsageError(messageOf(error));
    }
    const batchSize = Number(values['batch-size']);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`--batch-size must be a whole number of at least 1; got "${values['batch-size']}".`);
    const imagesDir = values.images;
    let files: string[];
    try {
      files = listFiles(imagesDir);
    } catch {
      throw new UsageError(`Could not read the images folder ${values.images}; check the path.`);
    }
    let dataset: MediConfusionDataset;
    try {
      dataset = loadDataset(values.benchmark);
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      console.error(error.message);
      return 1;
    }
    const log = (line: string) => {
      if (!values.quiet) console.error(line);
    };

    const benchmark = importDataset(dataset);
    const matches = matchFiles(benchmark.images, files);
    // Only images of pairs whose two images are both in the folder are worth decoding.
    const needed = new Set<number>();
    for (const pair of benchmark.pairs) {
      if (pair.images.every((image) => matches.has(image.localId))) pair.images.forEach((image) => needed.add(image.localId));
    }
    const fileOf = new Map([...matches].map(([localId, index]) => [localId, files[index]]));
    const todo = [...fileOf].filter(([localId]) => needed.has(localId)).map(([localId, file]) => ({ localId, file, path: join(imagesDir, file) }));

    let embeddings = new Map<number, Float32Array>();
    let failures = new Map<number, string>();
    let logitScale: number | null = null;
    const textByPrompt = new Map<string, Float32Array>();
    const promptsOf = (pair: ImportedPair): [string, string] => [promptFor(pair.optionA, template), promptFor(pair.optionB, template)];
    try {
      if (todo.length > 0) {
        ({ embeddings, failures } = await embedImages(entry, values.models, batchSize, todo, (done) => log(`probe: ${done}/${todo.length} images embedded`)));
        const probeable = benchmark.pairs.filter((pair) => pair.images.every((image) => embeddings.has(image.localId)));
        const prompts = [...new Set(probeable.flatMap(promptsOf))];
        if (prompts.length > 0) {
          const text = await openNodeTextEncoder(entry, values.models);
          try {
            logitScale = text.logitScale;
            const rows = await text.embed(prompts);
            prompts.forEach((prompt, i) => textByPrompt.set(prompt, rows[i]));
          } finally {
            await text.dispose();
          }
        }
      }
    } catch (error) {
      console.error(messageOf(error));
      return 1;
    }

    const imageRows = new Map<string, [Float32Array, Float32Array]>();
    const optionRows = new Map<string, [Float32Array, Float32Array]>();
    for (const pair of benchmark.pairs) {
      const [a, b] = pair.images.map((image) => embeddings.get(image.localId));
      if (a && b) imageRows.set(pair.id, [a, b]);
      const [ta, tb] = promptsOf(pair).map((prompt) => textByPrompt.get(prompt));
      if (ta && tb) optionRows.set(pair.id, [ta, tb]);
    }
    // Without any probeable pair nothing was loaded, and the scale is never used.
    const probe = probeBenchmark(dataset, { images: (id) => imageRows.get(id) ?? null, options: (id) => optionRows.get(id) ?? null }, logitScale ?? 1);

    const counts: ProbeFile['counts'] = { pairs: benchmark.pairs.length, probed: 0, left_out: 0, 'encoder-correct': 0, 'encoder-confused': 0, 'encoder-inverted': 0 };
    const pairs: Record<string, ProbedPair> = {};
    const missing: ProbeFile['missing'] = [];
    for (const pair of benchmark.pairs) {
      const result = probe.pairs[pair.id];
      if (result) {
        counts.probed++;
        counts[result.verdict]++;
        const image = (i: 0 | 1): ProbedImage => ({ local_id: pair.images[i].localId, file: fileOf.get(pair.images[i].localId) ?? '', ...result.images[i] });
        pairs[pair.id] = { options: [pair.optionA, pair.optionB], prompts: promptsOf(pair), correct: pair.correct, verdict: result.verdict, images: [image(0), image(1)] };
        continue;
      }
      counts.left_out++;
      const lost = pair.images.flatMap((image: ImportedImage, i): MissingImage[] => {
        const found = fileOf.get(image.localId);
        const failure = failures.get(image.localId);
        const names = { image: (i + 1) as 1 | 2, local_id: image.localId, file_name: image.candidateFileNames[0], source_name: image.candidateFileNames.at(-1) ?? image.candidateFileNames[0] };
        if (found === undefined) return [{ ...names, reason: 'No file with either name is in the images folder.' }];
        // A found image that did not fail is fine: only its partner is missing.
        return failure === undefined ? [] : [{ ...names, found, reason: failure }];
      });
      missing.push({ id: pair.id, images: lost });
    }

    const output: ProbeFile = {
      encoder: { id: entry.id, label: entry.label, revision: encoderRevisionKey(entry), meaningful: entry.meaningful },
      template,
      logit_scale: logitScale,
      benchmark: values.benchmark,
      images: values.images,
      counts,
      pairs,
      missing,
      score: probe.score,
    };
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, JSON.stringify(output, null, 2) + '\n');

    if (missing.length > 0) {
      const name = (i: MissingImage) => i.found ? `${i.found}, unreadable` : i.source_name === i.file_name ? i.file_name : `${i.file_name} or ${i.source_name}`;
      const shown = missing.slice(0, 5).map((m) => `${m.id} (${m.images.map(name).join('; ')})`);
      console.error(`Note: ${plural(missing.length, 'pair')} left out because an image is missing or unreadable: ${shown.join(', ')}${missing.length > 5 ? '; …' : ''}. See "missing" in ${values.out}.`);
    }
    if (!entry.meaningful) console.error(`Note: ${entry.id} has random weights; its probe means nothing.`);
    if (counts.probed === 0) {
      console.error(`No pair could be probed: none has both images readable in ${values.images}. Check the folder (files named <local id>.jpg or as in im_1/im_2); ${values.out} lists what is missing.`);
      return 1;
    }
    console.log(
      `Probed ${counts.probed} of ${plural(counts.pairs, 'pair')} with ${entry.id}: ${counts['encoder-correct']} encoder-correct, ${counts['encoder-confused']} encoder-confused, ${counts['encoder-inverted']} encoder-inverted. ` +
        `Set accuracy ${percent(probe.score.set_accuracy)} over all ${plural(counts.pairs, 'pair')}${counts.left_out > 0 ? ' (those left out count as wrong)' : ''}, confusion ${percent(probe.score.confusion)} over the probed ones. Wrote ${values.out}.`,
    );
    return 0;
  },
};
