/**
 * MediConfusion's `image_dict.json`: where each benchmark image comes from. Every entry names a
 * PubMed Central open-access package (a .tar.gz per article) and the figure inside it; the local
 * id is the file name the benchmark expects (`<local>.jpg`). This module only parses, validates
 * and plans; the download and extraction live in src/cli/commands/fetch-benchmark-images.ts.
 */
import { ImportError, describeValue } from './errors.ts';
import { formatDuration, plural } from '../words.ts';

/** One valid entry of image_dict.json. */
export interface ImageDictEntry {
  /** The key as written, e.g. `train/radiology/images/ROCO_28778.jpg`. */
  key: string;
  /** The ROCO file name: the basename of the key, e.g. `ROCO_28778.jpg`. */
  rocoName: string;
  /** Local id; the image is written as `<local>.jpg`. */
  local: number;
  /** Download link of the open-access package as published (usually ftp://ftp.ncbi.nlm.nih.gov/…). */
  dlink: string;
  /** The figure's file name inside the package folder. */
  fileName: string;
}

export interface ParsedImageDict {
  entries: ImageDictEntry[];
  /** One sentence per skipped entry, naming its key. */
  problems: string[];
}

/** Link schemes an open-access package can be published under; ftp is fetched over https. */
const PACKAGE_SCHEMES = new Set(['ftp:', 'http:', 'https:']);
const PACKAGE_SUFFIX = '.tar.gz';

/** `train/radiology/images/ROCO_28778.jpg` -> `ROCO_28778.jpg`. */
export function rocoNameOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1) || key;
}

/** Why `dlink` is not a package link, or null when it is one. */
function dlinkProblem(dlink: string): string | null {
  let url: URL;
  try {
    url = new URL(dlink);
  } catch {
    return `its "dlink" ${describeValue(dlink)} is not a URL`;
  }
  if (!PACKAGE_SCHEMES.has(url.protocol)) return `its "dlink" ${JSON.stringify(dlink)} is not an ftp, http or https link`;
  if (!url.pathname.endsWith(PACKAGE_SUFFIX) || pmcIdOf(dlink) === '') {
    return `its "dlink" ${JSON.stringify(dlink)} does not name a ${PACKAGE_SUFFIX} package`;
  }
  return null;
}

/** Why `fileName` cannot be a figure inside the package folder, or null when it can. */
function fileNameProblem(fileName: unknown): string | null {
  if (typeof fileName !== 'string' || fileName.trim() === '') return `its "file_name" is ${describeValue(fileName)}, not a file name`;
  // The name is joined to the package folder; a path could reach outside it.
  if (fileName.includes('/') || fileName.includes('\\') || fileName === '.' || fileName === '..') {
    return `its "file_name" ${JSON.stringify(fileName)} is a path, not a file name`;
  }
  return null;
}

/**
 * Parses image_dict.json. A file that is not a JSON object throws an {@link ImportError}; an entry
 * that is malformed (or reuses another entry's local id, which would overwrite its image) is left
 * out with a sentence in `problems`, so the rest can still be fetched.
 */
export function parseImageDict(text: string, file = 'image_dict.json'): ParsedImageDict {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw new ImportError(file, '', `is not valid JSON (${error instanceof Error ? error.message : String(error)}); pass MediConfusion's image_dict.json`);
  }
  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new ImportError(file, '', `holds ${describeValue(root)}, not an object of images; pass MediConfusion's image_dict.json`);
  }
  const entries: ImageDictEntry[] = [];
  const problems: string[] = [];
  const keyOfLocal = new Map<number, string>();
  for (const [key, value] of Object.entries(root)) {
    const skip = (reason: string) => problems.push(`Skipped "${key}": ${reason}; fix or remove this entry in ${file}.`);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      skip(`it is ${describeValue(value)}, not an object with "local", "dlink" and "file_name"`);
      continue;
    }
    const fields = value as Record<string, unknown>;
    const { local, dlink, file_name: fileName } = fields;
    if (typeof local !== 'number' || !Number.isSafeInteger(local) || local < 0) {
      skip(`its "local" is ${describeValue(local)}, not a whole number 0 or above`);
      continue;
    }
    if (typeof dlink !== 'string') {
      skip(`its "dlink" is ${describeValue(dlink)}, not a link`);
      continue;
    }
    const problem = dlinkProblem(dlink) ?? fileNameProblem(fileName);
    if (problem) {
      skip(problem);
      continue;
    }
    const earlier = keyOfLocal.get(local);
    if (earlier !== undefined) {
      skip(`its local id ${local} is already used by "${earlier}", and both would be written to ${local}.jpg`);
      continue;
    }
    keyOfLocal.set(local, key);
    entries.push({ key, rocoName: rocoNameOf(key), local, dlink, fileName: fileName as string });
  }
  return { entries, problems };
}

/**
 * The URL to download a package from. The NCBI host serves the same paths over https, which
 * `fetch` speaks and ftp it does not; a mirror (`http://host:port[/base]`) replaces scheme, host
 * and port and puts its path before the package path.
 */
export function packageUrl(dlink: string, mirror?: string): string {
  const link = new URL(dlink);
  if (mirror !== undefined) {
    const base = new URL(mirror);
    const prefix = base.pathname.replace(/\/+$/, '');
    return `${base.origin}${prefix}${link.pathname}`;
  }
  if (link.protocol === 'ftp:') link.protocol = 'https:';
  return link.toString();
}

/** Why `mirror` cannot replace the package host, or null when it can. */
export function mirrorProblem(mirror: string): string | null {
  let url: URL;
  try {
    url = new URL(mirror);
  } catch {
    return `--mirror ${JSON.stringify(mirror)} is not a URL; pass one such as http://127.0.0.1:8123.`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `--mirror ${JSON.stringify(mirror)} is not an http or https URL; pass one such as https://mirror.example.org/ncbi.`;
  if (url.search || url.hash) return `--mirror ${JSON.stringify(mirror)} has a query or fragment; pass only scheme, host and an optional base path.`;
  return null;
}

/** `…/PMC3284869.tar.gz` -> `PMC3284869`: the folder the package unpacks into. */
export function pmcIdOf(dlink: string): string {
  const path = new URL(dlink).pathname;
  const name = path.slice(path.lastIndexOf('/') + 1);
  return name.endsWith(PACKAGE_SUFFIX) ? name.slice(0, -PACKAGE_SUFFIX.length) : name;
}

/** Where the figure lies inside its package: `<PMC id>/<file_name>`. */
export function archiveEntryPath(entry: ImageDictEntry): string {
  return `${pmcIdOf(entry.dlink)}/${entry.fileName}`;
}

/** Tar entry names as written by different tools (`./PMC1/a.jpg`, `PMC1//a.jpg`) -> `PMC1/a.jpg`. */
export function normalizeArchivePath(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/\/{2,}/g, '/');
}

/** The file name an image is written under. */
export function outputFileName(entry: Pick<ImageDictEntry, 'local'>): string {
  return `${entry.local}.jpg`;
}

/** One package to download and the figures to take from it. */
export interface PackagePlan {
  url: string;
  pmcId: string;
  figures: ImageDictEntry[];
}

/** Groups entries by download URL (first appearance order) so each package is fetched once. */
export function planPackages(entries: readonly ImageDictEntry[], mirror?: string): PackagePlan[] {
  const plans = new Map<string, PackagePlan>();
  for (const entry of entries) {
    const url = packageUrl(entry.dlink, mirror);
    let plan = plans.get(url);
    if (!plan) {
      plan = { url, pmcId: pmcIdOf(entry.dlink), figures: [] };
      plans.set(url, plan);
    }
    plan.figures.push(entry);
  }
  return [...plans.values()];
}

/** What went wrong for one figure. */
export type FigureFailure =
  | { kind: 'http-status'; status: number }
  | { kind: 'network'; message: string }
  | { kind: 'corrupt'; message: string }
  | { kind: 'missing-figure' }
  | { kind: 'write'; message: string };

/** One sentence naming the image by local id and ROCO name, what failed and what to do. */
export function describeFailure(entry: ImageDictEntry, url: string, failure: FigureFailure): string {
  const image = `Image ${entry.local} (${entry.rocoName})`;
  switch (failure.kind) {
    case 'http-status':
      return failure.status === 404
        ? `${image}: the package ${url} is missing (HTTP 404); it may have been withdrawn or moved, check the link or try --mirror.`
        : `${image}: downloading the package ${url} failed with HTTP ${failure.status}; run the command again later.`;
    case 'network':
      return `${image}: the package ${url} could not be downloaded (${failure.message}); check the connection and run the command again.`;
    case 'corrupt':
      return `${image}: the package ${url} is not a readable .tar.gz (${failure.message}); run the command again, or report the damaged package.`;
    case 'missing-figure':
      return `${image}: the package ${url} has no ${archiveEntryPath(entry)}; check "file_name" in image_dict.json.`;
    case 'write':
      return `${image}: ${outputFileName(entry)} could not be written (${failure.message}); check the space and permissions of the output folder.`;
  }
}

export interface FetchTally {
  /** Valid entries in image_dict.json. */
  total: number;
  fetched: number;
  alreadyPresent: number;
  failed: number;
  /** Entries skipped because they were malformed. */
  invalid: number;
}

/** The final sentence of a run. */
export function summarizeFetch(tally: FetchTally, outDir: string): string {
  const parts = [`Fetched ${plural(tally.fetched, 'image')} into ${outDir}`];
  if (tally.alreadyPresent) parts.push(`${plural(tally.alreadyPresent, 'image was', 'images were')} already present`);
  if (tally.failed) parts.push(`${plural(tally.failed, 'image')} failed (listed above)`);
  if (tally.invalid) parts.push(`${plural(tally.invalid, 'entry', 'entries')} of image_dict.json ${tally.invalid === 1 ? 'was' : 'were'} skipped as malformed`);
  const sentence = `${parts.join('; ')}.`;
  return tally.failed ? `${sentence} Run the same command again to retry the failed ones; present images are not downloaded again.` : sentence;
}

/** Exit code of a run: failure only when nothing could be fetched and something was still missing. */
export function fetchExitCode(tally: FetchTally): number {
  if (tally.fetched > 0) return 0;
  if (tally.total > 0 && tally.failed === 0) return 0;
  return 1;
}

/** One progress line: packages done of all, images written, rate and ETA. */
export function progressLine(done: number, total: number, images: number, elapsedSeconds: number): string {
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const eta = rate > 0 && done < total ? ` · ETA ${formatDuration((total - done) / rate)}` : '';
  return `fetch-benchmark-images: ${done}/${total} packages · ${plural(images, 'image')} · ${rate.toFixed(rate < 10 ? 1 : 0)} packages/s${eta}`;
}
