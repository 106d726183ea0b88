import { existsSync } from 'node:fs';
import { copyFile, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { parseArgs } from 'node:util';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import { UsageError, type CliCommand } from '../command.ts';
import {
  archiveEntryPath,
  describeFailure,
  fetchExitCode,
  mirrorProblem,
  normalizeArchivePath,
  outputFileName,
  parseImageDict,
  planPackages,
  progressLine,
  summarizeFetch,
  type FetchTally,
  type FigureFailure,
  type ImageDictEntry,
  type PackagePlan,
} from '../../core/benchmark/image-dict.ts';
import { messageOf } from '../../core/errors.ts';
import { plural } from '../../core/words.ts';

const DEFAULT_CONCURRENCY = 4;
/** More parallel downloads than this only gets a client throttled by the NCBI servers. */
const MAX_CONCURRENCY = 32;
/** Without a TTY, progress is a log: one line at most this often keeps it readable. */
const LOG_INTERVAL_MS = 5000;

/** Temporary files not yet renamed; removed on failure and on Ctrl-C so no partial image stays. */
const pendingTemporaries = new Set<string>();
let temporaryCounter = 0;

function temporaryPathFor(outDir: string, entry: ImageDictEntry): string {
  temporaryCounter += 1;
  // Starts with a dot and ends in .part: never mistaken for a finished <local>.jpg.
  const path = join(outDir, `.${outputFileName(entry)}.${process.pid}-${temporaryCounter}.part`);
  pendingTemporaries.add(path);
  return path;
}

async function discard(path: string): Promise<void> {
  pendingTemporaries.delete(path);
  await unlink(path).catch(() => undefined);
}

async function commit(temporary: string, final: string): Promise<void> {
  await rename(temporary, final);
  pendingTemporaries.delete(temporary);
}

/** What became of each figure of one package: null when written, else why not. */
type PackageOutcome = Map<ImageDictEntry, FigureFailure | null>;

/**
 * Streams one package through gunzip into the tar parser, writing the wanted figures as they pass
 * and stopping the download once all are written (packages also hold the article's PDF and
 * every other figure, often many megabytes more than needed).
 */
async function fetchPackage(plan: PackagePlan, outDir: string, signal: AbortSignal): Promise<PackageOutcome> {
  const outcome: PackageOutcome = new Map();
  const failAll = (failure: FigureFailure) => {
    for (const figure of plan.figures) if (!outcome.has(figure)) outcome.set(figure, failure);
    return outcome;
  };
  let response: Response;
  try {
    response = await fetch(plan.url, { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    return failAll({ kind: 'network', message: messageOf(error) });
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    return failAll(response.ok ? { kind: 'corrupt', message: 'the server sent no content' } : { kind: 'http-status', status: response.status });
  }
  const wanted = new Map<string, ImageDictEntry[]>();
  for (const figure of plan.figures) {
    const path = archiveEntryPath(figure);
    wanted.set(path, [...(wanted.get(path) ?? []), figure]);
  }
  const body = Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>);
  const extract = tarExtract();
  // tar-stream's parser is a streamx Writable: Node's pipeline drives it, but its types differ.
  const feeding = pipeline(body, createGunzip(), extract as unknown as Writable);
  // The iterator below reports the error itself; this keeps the promise from going unhandled.
  feeding.catch(() => undefined);
  try {
    for await (const entry of extract) {
      const figures = entry.header.type === 'file' ? wanted.get(normalizeArchivePath(entry.header.name)) : undefined;
      if (!figures) {
        entry.resume();
        continue;
      }
      wanted.delete(normalizeArchivePath(entry.header.name));
      await writeFigure(entry, figures, outDir, outcome);
      if (wanted.size === 0) break;
    }
    if (wanted.size > 0) await feeding;
  } catch (error) {
    if (signal.aborted) throw error;
    return failAll({ kind: 'corrupt', message: messageOf(error) });
  } finally {
    body.destroy();
  }
  return failAll({ kind: 'missing-figure' });
}

/** Writes one tar entry to `<local>.jpg` of every figure naming it, each via its own temporary. */
async function writeFigure(entry: AsyncIterable<unknown>, figures: ImageDictEntry[], outDir: string, outcome: PackageOutcome): Promise<void> {
  const [first, ...copies] = figures;
  const firstTemporary = temporaryPathFor(outDir, first);
  try {
    const file = await open(firstTemporary, 'wx');
    try {
      // streamx types its chunks as unknown; tar-stream yields Buffers.
      for await (const chunk of entry) {
        if (!(chunk instanceof Uint8Array)) throw new Error('the archive entry held something other than bytes');
        await file.write(chunk);
      }
    } finally {
      await file.close();
    }
  } catch (error) {
    await discard(firstTemporary);
    throw error;
  }
  for (const figure of copies) {
    const temporary = temporaryPathFor(outDir, figure);
    try {
      await copyFile(firstTemporary, temporary);
      await commit(temporary, join(outDir, outputFileName(figure)));
      outcome.set(figure, null);
    } catch (error) {
      await discard(temporary);
      outcome.set(figure, { kind: 'write', message: messageOf(error) });
    }
  }
  try {
    await commit(firstTemporary, join(outDir, outputFileName(first)));
    outcome.set(first, null);
  } catch (error) {
    await discard(firstTemporary);
    outcome.set(first, { kind: 'write', message: messageOf(error) });
  }
}

/** Count, rate and ETA on stderr: one rewritten line on a terminal, a line every few seconds in a log. */
class Progress {
  private readonly started = Date.now();
  private lastLog = 0;
  done = 0;
  images = 0;
  constructor(private readonly total: number) {}

  update(): void {
    const line = progressLine(this.done, this.total, this.images, (Date.now() - this.started) / 1000);
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${line}\x1b[K`);
    } else if (Date.now() - this.lastLog >= LOG_INTERVAL_MS || this.done === this.total) {
      this.lastLog = Date.now();
      process.stderr.write(`${line}\n`);
    }
  }

  /** Before a message line, so it does not run into the progress line. */
  clear(): void {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  }
}

async function readImageDict(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a folder' : String(code ?? error);
    throw new UsageError(`Cannot read the image dictionary "${path}": ${reason}. Pass the path of MediConfusion's image_dict.json.`);
  }
}

function parseConcurrency(text: string | undefined): number {
  if (text === undefined) return DEFAULT_CONCURRENCY;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY) {
    throw new UsageError(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, not "${text}".`);
  }
  return value;
}

export const command: CliCommand = {
  summary: "Download MediConfusion's published images from PubMed Central into a folder",
  help: `Usage: mediconfusion fetch-benchmark-images --image-dict FILE --out DIR [--mirror URL] [--concurrency N]

Reads MediConfusion's image_dict.json ({"<ROCO path>": {"local", "dlink", "file_name"}, …}),
downloads each PubMed Central open-access package it names once (several figures often share
one), takes the figure <PMC id>/<file_name> out of it while it streams, and writes it byte for
byte as DIR/<local>.jpg. ftp:// links are fetched over https:// from the same host. Images
already in DIR are not downloaded again, so an interrupted run continues where it stopped.
Malformed entries and failed images are listed by local id and ROCO name; the rest continue.

Options:
  --image-dict FILE   MediConfusion's image_dict.json (required; no default)
  --out DIR           folder for the <local>.jpg files, created if missing (required; no default)
  --mirror URL        fetch every package from this scheme, host and optional base path instead
                      of the published host, e.g. http://127.0.0.1:8123 (default: none)
  --concurrency N     packages downloaded at once, 1 to ${MAX_CONCURRENCY} (default: ${DEFAULT_CONCURRENCY})

Exit codes: 0 at least one image fetched, or all already present; 1 nothing could be fetched;
2 bad options or unreadable image_dict.json; 130 interrupted (no partial file is left).

Example:
  npx mediconfusion fetch-benchmark-images --image-dict image_dict.json --out images/`,
  async run(argv) {
    let values: { 'image-dict'?: string; out?: string; mirror?: string; concurrency?: string };
    try {
      ({ values } = parseArgs({
        args: argv,
        options: { 'image-dict': { type: 'string' }, out: { type: 'string' }, mirror: { type: 'string' }, concurrency: { type: 'string' } },
        allowPositionals: false,
      }));
    } catch (error) {
      throw new UsageError(`${messageOf(error)}. Run \`mediconfusion fetch-benchmark-images --help\` for the options.`);
    }
    const dictPath = values['image-dict'];
    const outDir = values.out;
    if (!dictPath) throw new UsageError("Missing --image-dict FILE (MediConfusion's image_dict.json).");
    if (!outDir) throw new UsageError('Missing --out DIR (the folder to write the <local>.jpg images to).');
    const concurrency = parseConcurrency(values.concurrency);
    if (values.mirror !== undefined) {
      const problem = mirrorProblem(values.mirror);
      if (problem) throw new UsageError(problem);
    }

    const { entries, problems } = parseImageDict(await readImageDict(dictPath), dictPath);
    for (const problem of problems) console.error(problem);
    await mkdir(outDir, { recursive: true });
    const missing = entries.filter((entry) => !existsSync(join(outDir, outputFileName(entry))));
    const tally: FetchTally = { total: entries.length, fetched: 0, alreadyPresent: entries.length - missing.length, failed: 0, invalid: problems.length };
    if (tally.alreadyPresent) console.error(`${plural(tally.alreadyPresent, 'image is', 'images are')} already in ${outDir}; not downloading ${tally.alreadyPresent === 1 ? 'it' : 'them'} again.`);

    const plans = planPackages(missing, values.mirror);
    const progress = new Progress(plans.length);
    const abort = new AbortController();
    const onInterrupt = () => abort.abort();
    process.once('SIGINT', onInterrupt);
    try {
      let next = 0;
      const worker = async () => {
        while (next < plans.length && !abort.signal.aborted) {
          const plan = plans[next++];
          const outcome = await fetchPackage(plan, outDir, abort.signal);
          for (const [figure, failure] of outcome) {
            if (failure === null) {
              tally.fetched += 1;
            } else {
              tally.failed += 1;
              progress.clear();
              console.error(describeFailure(figure, plan.url, failure));
            }
          }
          progress.done += 1;
          progress.images = tally.fetched;
          progress.update();
        }
      };
      // allSettled: on Ctrl-C every worker must have stopped before its temporaries are removed.
      const results = await Promise.allSettled(Array.from({ length: Math.min(concurrency, plans.length) }, worker));
      const crash = results.find((result) => result.status === 'rejected');
      if (crash && !abort.signal.aborted) throw crash.reason;
    } finally {
      process.removeListener('SIGINT', onInterrupt);
      await Promise.all([...pendingTemporaries].map(discard));
    }
    progress.clear();
    if (abort.signal.aborted) {
      console.error(`Interrupted after fetching ${plural(tally.fetched, 'image')}; no partial file was left. Run the same command again to continue.`);
      return 130;
    }
    console.log(summarizeFetch(tally, outDir));
    return fetchExitCode(tally);
  },
};
