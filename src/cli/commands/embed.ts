import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand } from '../command.ts';
import { EncoderRunner, DEFAULT_BATCH_SIZE } from '../../core/encoders/encoder-runner.ts';
import { ENCODERS, findEncoder, type EncoderEntry } from '../../core/encoders/registry.ts';
import { encodeNpy } from '../../core/formats/npy.ts';
import { encodeEmbeddingsParquet } from '../../core/formats/parquet.ts';
import type { RgbImage } from '../../core/image.ts';
import { ingestFile } from '../../core/ingest/index.ts';
import { nodeSessionFactory } from '../node-ort-session.ts';
import { listFiles } from '../list-files.ts';

interface IndexImage {
  file: string;
  sha256: string;
  width: number;
  height: number;
}


function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        encoders: { type: 'string', default: 'biomedclip,dinov2-small' },
        models: { type: 'string', default: 'models' },
        out: { type: 'string' },
        'batch-size': { type: 'string', default: String(DEFAULT_BATCH_SIZE) },
        format: { type: 'string', default: 'npy' },
        quiet: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}. Run \`mediconfusion embed --help\` for the options.`);
  }
}

export const command: CliCommand = {
  summary: 'Embed a folder of images with a CLIP-side and a DINO-side encoder (.npy + index.json, or embeddings.parquet)',
  help: `Usage: mediconfusion embed [--encoders CLIP,DINO] [--models DIR] [--batch-size N] [--format npy|parquet] FOLDER --out OUTDIR

Decodes every file under FOLDER (sub-folders included, hidden files skipped), runs both encoders
on the CPU (onnxruntime-node) with the same preprocessing as the app, and writes
  OUTDIR/clip.npy    float32 [N, D1], L2-normalised rows (first encoder)
  OUTDIR/dino.npy    float32 [N, D2], L2-normalised rows (second encoder)
  OUTDIR/index.json  {"images":[{"file","sha256","width","height"}], "errors":[{"file","reason"}]}
Rows follow "images". Unreadable files are listed in "errors" and the run still exits 0.
With --format parquet, OUTDIR/embeddings.parquet replaces the two .npy files: one row per image
with sha256, name (the relative path), width, height, clip FLOAT[D1] and dino FLOAT[D2] lists,
readable by \`mediconfusion mine --embeddings\`, DuckDB, pandas and Embedding Atlas.

Options:
  --encoders A,B    CLIP-side and DINO-side encoder ids (default: biomedclip,dinov2-small);
                    known: ${ENCODERS.map((e) => e.id).join(', ')}
  --models DIR      self-hosted models folder with <id>/onnx/*.onnx (default: models)
  --batch-size N    images per session run (default: ${DEFAULT_BATCH_SIZE})
  --format F        npy (clip.npy + dino.npy) or parquet (embeddings.parquet) (default: npy)
  --out OUTDIR      folder to write (required; no default)
  --quiet           no progress lines (default: off)

Example:
  npx mediconfusion embed --encoders fixture-clip,fixture-dino scans/ --out embeddings/`,
  async run(argv) {
    const { values, positionals } = parse(argv);
    const ids = values.encoders.split(',').map((s) => s.trim());
    if (ids.length !== 2) throw new UsageError('Pass two encoders, CLIP side first: `--encoders biomedclip,dinov2-small`.');
    const entries = ids.map((id) => {
      const entry = findEncoder(id);
      if (!entry) throw new UsageError(`There is no encoder called "${id}"; choose from ${ENCODERS.map((e) => e.id).join(', ')}.`);
      return entry;
    });
    if (!values.out) throw new UsageError('Pass --out OUTDIR, the folder to write clip.npy, dino.npy and index.json into.');
    if (values.format !== 'npy' && values.format !== 'parquet') throw new UsageError(`--format must be npy or parquet; got "${values.format}".`);
    if (positionals.length !== 1) throw new UsageError('Pass exactly one FOLDER of images.');
    const batchSize = Number(values['batch-size']);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`--batch-size must be a whole number of at least 1; got "${values['batch-size']}".`);
    const folder = positionals[0];
    let files: string[];
    try {
      files = listFiles(folder);
    } catch {
      throw new UsageError(`Could not read the folder ${folder}; check the path.`);
    }

    let runners: EncoderRunner[];
    try {
      runners = await Promise.all(
        entries.map((entry: EncoderEntry) => EncoderRunner.create({ entry, backend: 'wasm', batchSize, createSession: nodeSessionFactory(entry, values.models) })),
      );
    } catch (error) {
      console.error((error as Error).message);
      return 1;
    }

    const images: IndexImage[] = [];
    const errors: { file: string; reason: string }[] = [];
    const rows: Float32Array[][] = [[], []];
    const flush = async (pending: { id: string; image: RgbImage }[]) => {
      for (let e = 0; e < 2; e++) {
        const outcome = await runners[e].embed(pending);
        rows[e].push(...outcome.embeddings.map((x) => x.embedding));
      }
    };
    let pending: { id: string; image: RgbImage }[] = [];
    for (const file of files) {
      const result = await ingestFile(new Uint8Array(readFileSync(join(folder, file))), { name: basename(file), relativePath: file }, { keepRgb: true, thumbnailSide: 16 });
      if (!result.ok || !result.rgb) {
        errors.push({ file, reason: result.ok ? 'No pixels were decoded.' : result.error.reason });
        continue;
      }
      images.push({ file, sha256: result.item.sha256, width: result.item.width, height: result.item.height });
      pending.push({ id: file, image: result.rgb });
      if (pending.length >= batchSize) {
        await flush(pending);
        pending = [];
        if (!values.quiet) console.error(`embed: ${images.length + errors.length}/${files.length} files`);
      }
    }
    if (pending.length) await flush(pending);
    await Promise.all(runners.map((r) => r.dispose()));

    mkdirSync(values.out, { recursive: true });
    const matrices = [0, 1].map((e) => {
      const dim = rows[e][0]?.length ?? entries[e].dim;
      const data = new Float32Array(rows[e].length * dim);
      rows[e].forEach((row, i) => data.set(row, i * dim));
      return { rows: rows[e].length, dim, data };
    });
    if (values.format === 'parquet') {
      const table = { images: images.map((i) => ({ sha256: i.sha256, name: i.file, width: i.width, height: i.height })), clip: matrices[0], dino: matrices[1], meta: { encoders: ids } };
      writeFileSync(join(values.out, 'embeddings.parquet'), encodeEmbeddingsParquet(table));
    } else {
      ['clip.npy', 'dino.npy'].forEach((name, e) => {
        const m = matrices[e];
        writeFileSync(join(values.out as string, name), encodeNpy({ dtype: '<f4', shape: [m.rows, m.dim], data: m.data }));
      });
    }
    writeFileSync(join(values.out, 'index.json'), JSON.stringify({ images, errors }, null, 2) + '\n');
    console.log(`Embedded ${images.length} image(s) with ${ids.join(' and ')} into ${values.out}/ (${errors.length} file(s) skipped, see index.json).`);
    return 0;
  },
};
