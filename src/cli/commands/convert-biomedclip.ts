import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.ts';
import { UsageError } from '../command.ts';
import {
  convertBiomedClipCheckpoint,
  type ConversionProgress,
  type ConversionSummary,
  type ModelFolderWriter,
} from '../../core/convert/biomedclip.ts';
import type { RandomAccessSource } from '../../core/convert/zip.ts';

/** A checkpoint on disk, read by offset so only the bytes of one tensor are in memory at a time. */
export async function nodeFileSource(path: string): Promise<RandomAccessSource & { close(): Promise<void> }> {
  const handle = await open(path, 'r').catch(() => {
    throw new UsageError(`Cannot open the checkpoint ${path}. Check the path (it is usually named open_clip_pytorch_model.bin).`);
  });
  const { size } = await handle.stat();
  return {
    size,
    async read(offset, length) {
      const buffer = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
      return buffer.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
}

/** Writes into a folder; each file goes to `<name>.partial` first, so an interrupted run leaves no half model. */
export function nodeFolderWriter(dir: string): ModelFolderWriter {
  return {
    async writeFile(relativePath, content) {
      const path = join(dir, relativePath);
      await mkdir(dirname(path), { recursive: true });
      const partial = `${path}.partial`;
      try {
        if (typeof content === 'string') {
          await writeFile(partial, content);
        } else {
          const out = createWriteStream(partial);
          const failed = once(out, 'error').then(([e]) => Promise.reject(e as Error));
          for await (const chunk of content) {
            if (!out.write(chunk)) await Promise.race([once(out, 'drain'), failed]);
          }
          out.end();
          await Promise.race([once(out, 'finish'), failed]);
        }
        await rename(partial, path);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
    },
  };
}

/**
 * Converts `checkpointPath` (open_clip_pytorch_model.bin) into `outDir` (onnx/vision_model.onnx,
 * onnx/text_model.onnx when the text tower is usable, config.json, preprocessor_config.json).
 * For `npm run models -- biomedclip` after the download.
 */
export async function convertBiomedClipFile(
  checkpointPath: string,
  outDir: string,
  onProgress?: (progress: ConversionProgress) => void,
): Promise<ConversionSummary> {
  const source = await nodeFileSource(checkpointPath);
  try {
    return await convertBiomedClipCheckpoint(source, nodeFolderWriter(outDir), { onProgress });
  } finally {
    await source.close();
  }
}

function progressPrinter(): (p: ConversionProgress) => void {
  let lastTenth = -1;
  return (p) => {
    const fraction = p.bytesTotal ? p.bytesWritten / p.bytesTotal : 0;
    const line = `converting: ${p.tensorsDone}/${p.tensorsTotal} tensors, ${(p.bytesWritten / 2 ** 20).toFixed(0)} MiB written (${Math.floor(fraction * 100)}%)`;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${line}`);
      if (p.phase === 'done') process.stderr.write('\n');
    } else if (Math.floor(fraction * 10) > lastTenth || p.phase === 'done') {
      lastTenth = Math.floor(fraction * 10);
      process.stderr.write(`${line}\n`);
    }
  };
}

export const command: CliCommand = {
  summary: 'Convert the official BiomedCLIP open_clip checkpoint to ONNX (no Python needed)',
  help: `Usage: mediconfusion convert-biomedclip CHECKPOINT [--out DIR] [--quiet]

Reads open_clip_pytorch_model.bin of microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224
(a PyTorch zip of pickled tensors) without torch, tensor by tensor, and writes both towers in
the self-hosted layout the app loads:
  DIR/onnx/vision_model.onnx   pixel_values [B,3,224,224] -> image_embeds [B,512], L2-normalised
  DIR/onnx/text_model.onnx     input_ids, attention_mask (int64 [B,L], L <= 256) -> text_embeds
                               [B,512], L2-normalised (PubMedBERT, CLS token, mlp projection)
  DIR/config.json (with logit_scale and text_config), DIR/preprocessor_config.json (open_clip:
  224, bicubic, OpenAI mean/std)
Checkpoints whose vision tower is damaged or not BiomedCLIP are refused with the missing,
unexpected or misshapen keys listed. A missing or malformed text tower is skipped with the
reason printed; the vision tower is still written. The tokenizer is not in the checkpoint:
\`npm run models -- biomedclip\` fetches it.

Options:
  --out DIR   folder to write the encoder into (default: models/biomedclip)
  --quiet     no progress output (default: off)

Example:
  npx mediconfusion convert-biomedclip ~/Downloads/open_clip_pytorch_model.bin --out models/biomedclip`,
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: { out: { type: 'string', default: 'models/biomedclip' }, quiet: { type: 'boolean', default: false } },
      });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}. Run \`mediconfusion convert-biomedclip --help\` for the options.`);
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) {
      throw new UsageError('Pass exactly one checkpoint file, e.g. `mediconfusion convert-biomedclip open_clip_pytorch_model.bin`.');
    }
    const started = Date.now();
    const summary = await convertBiomedClipFile(positionals[0], values.out, values.quiet ? undefined : progressPrinter());
    console.log(
      `Wrote ${summary.files.map((f) => join(values.out, f)).join(', ')} (${(summary.onnxBytes / 2 ** 20).toFixed(1)} MiB ONNX, ` +
        `${summary.ignoredKeys.length} unused keys ignored) in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    );
    if (summary.text.status === 'skipped') {
      console.log(`The text tower was skipped (${summary.text.reason}); text probes and text search need a checkpoint with it.`);
    }
    return 0;
  },
};
