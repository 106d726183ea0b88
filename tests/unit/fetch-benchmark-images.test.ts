import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  archiveEntryPath,
  fetchExitCode,
  packageUrl,
  parseImageDict,
  planPackages,
  rocoNameOf,
} from '../../src/core/benchmark/image-dict.ts';
import { runCli } from '../support/cli-run.ts';

/** Small fake JPEGs (SOI … EOI) of distinct content, so a mix-up shows in the bytes. */
function fakeJpeg(seed: number, length = 64): Buffer {
  const body = Array.from({ length }, (_, i) => (seed * 31 + i * 7) % 251);
  return Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...body, 0xff, 0xd9]);
}

async function tarGz(files: Record<string, Buffer>): Promise<Buffer> {
  const archive = pack();
  for (const [name, bytes] of Object.entries(files)) archive.entry({ name, size: bytes.length }, bytes);
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

const FIGURE_A = fakeJpeg(1);
const FIGURE_B = fakeJpeg(2, 5000);
const FIGURE_C = fakeJpeg(3);
const routes = new Map<string, Buffer>();
const requests: string[] = [];
let server: Server;
let mirror: string;
const root = mkdtempSync(join(tmpdir(), 'mc-fetch-images-'));

beforeAll(async () => {
  routes.set('/pub/pmc/oa_package/aa/bb/PMC1.tar.gz', await tarGz({ 'PMC1/a.jpg': FIGURE_A, 'PMC1/article.pdf': Buffer.alloc(20000, 9), 'PMC1/b.jpg': FIGURE_B }));
  routes.set('/pub/pmc/oa_package/cc/dd/PMC2.tar.gz', await tarGz({ './PMC2/c.jpg': FIGURE_C }));
  routes.set('/pub/pmc/oa_package/ee/ff/PMC3.tar.gz', await tarGz({ 'PMC3/other.jpg': FIGURE_C }));
  // A gzip header followed by bytes that do not inflate.
  routes.set('/pub/pmc/oa_package/gg/hh/PMC4.tar.gz', Buffer.concat([(await tarGz({ 'PMC4/d.jpg': FIGURE_A })).subarray(0, 10), Buffer.alloc(200, 0xab)]));
  // Cut off in the middle of the figure: its bytes start arriving, then the stream breaks.
  const truncated = await tarGz({ 'PMC5/e.jpg': Buffer.concat([FIGURE_A, randomBytes(200_000)]) });
  routes.set('/pub/pmc/oa_package/ii/jj/PMC5.tar.gz', truncated.subarray(0, truncated.length / 2));
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const body = routes.get(request.url ?? '');
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/gzip' });
    response.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

const link = (path: string) => `ftp://ftp.ncbi.nlm.nih.gov/pub/pmc/oa_package/${path}`;
const entry = (local: number, path: string, fileName: string) => ({ local, dlink: link(path), file_name: fileName });

function writeDict(name: string, dict: Record<string, unknown>): string {
  const path = join(root, name);
  writeFileSync(path, JSON.stringify(dict));
  return path;
}

async function fetchImages(dictPath: string, out: string, extra: string[] = []) {
  requests.length = 0;
  return runCli(['fetch-benchmark-images', '--image-dict', dictPath, '--out', out, '--mirror', mirror, ...extra], { quietProgress: true });
}

describe('image_dict.json planning (core)', () => {
  it('maps ftp links to https on the same host and path', () => {
    expect(packageUrl(link('25/da/PMC3284869.tar.gz'))).toBe('https://ftp.ncbi.nlm.nih.gov/pub/pmc/oa_package/25/da/PMC3284869.tar.gz');
    expect(packageUrl('https://example.org/x/PMC9.tar.gz')).toBe('https://example.org/x/PMC9.tar.gz');
  });

  it('--mirror replaces scheme and host and prepends its base path', () => {
    const dlink = link('25/da/PMC3284869.tar.gz');
    expect(packageUrl(dlink, 'http://127.0.0.1:8123')).toBe('http://127.0.0.1:8123/pub/pmc/oa_package/25/da/PMC3284869.tar.gz');
    expect(packageUrl(dlink, 'https://mirror.example.org/ncbi/')).toBe('https://mirror.example.org/ncbi/pub/pmc/oa_package/25/da/PMC3284869.tar.gz');
  });

  it('groups figures by package and names the entry <PMC id>/<file_name>', () => {
    const { entries, problems } = parseImageDict(
      JSON.stringify({ 'train/x/ROCO_1.jpg': entry(1, 'aa/bb/PMC1.tar.gz', 'a.jpg'), 'train/x/ROCO_2.jpg': entry(2, 'aa/bb/PMC1.tar.gz', 'b.jpg'), 'ROCO_3.jpg': entry(3, 'cc/dd/PMC2.tar.gz', 'c.jpg') }),
    );
    expect(problems).toEqual([]);
    const plans = planPackages(entries);
    expect(plans.map((p) => [p.pmcId, p.figures.map((f) => f.local)])).toEqual([['PMC1', [1, 2]], ['PMC2', [3]]]);
    expect(archiveEntryPath(entries[1])).toBe('PMC1/b.jpg');
    expect(rocoNameOf('train/radiology/images/ROCO_28778.jpg')).toBe('ROCO_28778.jpg');
  });

  it('reports each malformed entry by key and keeps the others', () => {
    const { entries, problems } = parseImageDict(
      JSON.stringify({
        good: entry(1, 'aa/bb/PMC1.tar.gz', 'a.jpg'),
        'no-local': { dlink: link('aa/bb/PMC1.tar.gz'), file_name: 'a.jpg' },
        'bad-link': entry(2, 'aa/bb/PMC1.zip', 'a.jpg'),
        'path-name': entry(3, 'aa/bb/PMC1.tar.gz', '../a.jpg'),
        'same-local': entry(1, 'aa/bb/PMC1.tar.gz', 'b.jpg'),
        'not-object': 5,
      }),
    );
    expect(entries.map((e) => e.key)).toEqual(['good']);
    expect(problems).toHaveLength(5);
    for (const key of ['no-local', 'bad-link', 'path-name', 'same-local', 'not-object']) expect(problems.join('\n')).toContain(`"${key}"`);
    expect(() => parseImageDict('[1, 2]')).toThrow(/not an object of images/);
    expect(() => parseImageDict('{')).toThrow(/not valid JSON/);
  });

  it('fails only when nothing could be fetched', () => {
    expect(fetchExitCode({ total: 3, fetched: 1, alreadyPresent: 0, failed: 2, invalid: 0 })).toBe(0);
    expect(fetchExitCode({ total: 3, fetched: 0, alreadyPresent: 3, failed: 0, invalid: 1 })).toBe(0);
    expect(fetchExitCode({ total: 3, fetched: 0, alreadyPresent: 1, failed: 2, invalid: 0 })).toBe(1);
    expect(fetchExitCode({ total: 0, fetched: 0, alreadyPresent: 0, failed: 0, invalid: 2 })).toBe(1);
  });
});

describe('mediconfusion fetch-benchmark-images', () => {
  it('downloads a shared package once, writes figures byte for byte, and skips them on a second run', async () => {
    const out = join(root, 'shared');
    const dict = writeDict('shared.json', {
      'train/radiology/images/ROCO_00001.jpg': entry(20000, 'aa/bb/PMC1.tar.gz', 'a.jpg'),
      'train/radiology/images/ROCO_00002.jpg': entry(20001, 'aa/bb/PMC1.tar.gz', 'b.jpg'),
      'test/radiology/images/ROCO_00003.jpg': entry(20002, 'cc/dd/PMC2.tar.gz', 'c.jpg'),
    });
    const first = await fetchImages(dict, out, ['--concurrency', '2']);
    expect(first.code, first.err).toBe(0);
    expect(requests.filter((r) => r.endsWith('PMC1.tar.gz'))).toHaveLength(1);
    expect(requests).toHaveLength(2);
    expect(readFileSync(join(out, '20000.jpg')).equals(FIGURE_A)).toBe(true);
    expect(readFileSync(join(out, '20001.jpg')).equals(FIGURE_B)).toBe(true);
    expect(readFileSync(join(out, '20002.jpg')).equals(FIGURE_C)).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['20000.jpg', '20001.jpg', '20002.jpg']);
    expect(first.out).toMatch(/Fetched 3 images/);

    const second = await fetchImages(dict, out);
    expect(second.code).toBe(0);
    expect(requests).toEqual([]);
    expect(second.err).toMatch(/3 images are already in/);
    expect(second.out).toMatch(/Fetched 0 images .*3 images were already present/);
  });

  it('reports a missing package, a corrupt archive and a missing figure by local id and ROCO name, leaving no partial files', async () => {
    const out = join(root, 'failures');
    const dict = writeDict('failures.json', {
      'train/radiology/images/ROCO_10.jpg': entry(30000, 'zz/zz/PMC404.tar.gz', 'x.jpg'),
      'train/radiology/images/ROCO_11.jpg': entry(30001, 'gg/hh/PMC4.tar.gz', 'd.jpg'),
      'train/radiology/images/ROCO_12.jpg': entry(30002, 'ee/ff/PMC3.tar.gz', 'absent.jpg'),
      'train/radiology/images/ROCO_13.jpg': entry(30003, 'cc/dd/PMC2.tar.gz', 'c.jpg'),
      'train/radiology/images/ROCO_15.jpg': entry(30005, 'ii/jj/PMC5.tar.gz', 'e.jpg'),
      'train/radiology/images/ROCO_14.jpg': { local: 'x', dlink: link('cc/dd/PMC2.tar.gz'), file_name: 'c.jpg' },
    });
    const run = await fetchImages(dict, out);
    expect(run.code, run.err).toBe(0);
    expect(run.err).toMatch(/Image 30000 \(ROCO_10\.jpg\): the package .*PMC404\.tar\.gz is missing \(HTTP 404\)/);
    expect(run.err).toMatch(/Image 30001 \(ROCO_11\.jpg\): the package .*PMC4\.tar\.gz is not a readable \.tar\.gz/);
    expect(run.err).toMatch(/Image 30002 \(ROCO_12\.jpg\): the package .*PMC3\.tar\.gz has no PMC3\/absent\.jpg/);
    expect(run.err).toMatch(/Image 30005 \(ROCO_15\.jpg\): the package .*PMC5\.tar\.gz is not a readable \.tar\.gz \(unexpected end of file\)/);
    expect(run.err).toMatch(/Skipped "train\/radiology\/images\/ROCO_14\.jpg": its "local"/);
    expect(readFileSync(join(out, '30003.jpg')).equals(FIGURE_C)).toBe(true);
    // Only the one fetched image: no temporaries, no partial files of the failures.
    expect(readdirSync(out)).toEqual(['30003.jpg']);
    expect(run.out).toMatch(/Fetched 1 image .*4 images failed.*1 entry of image_dict\.json was skipped/);
  });

  it('exits non-zero when nothing could be fetched', async () => {
    const out = join(root, 'nothing');
    const dict = writeDict('nothing.json', { 'ROCO_20.jpg': entry(40000, 'zz/zz/PMC404.tar.gz', 'x.jpg'), 'ROCO_21.jpg': entry(40001, 'gg/hh/PMC4.tar.gz', 'd.jpg') });
    const run = await fetchImages(dict, out);
    expect(run.code).toBe(1);
    expect(readdirSync(out)).toEqual([]);
    expect(run.out).toMatch(/Fetched 0 images .*2 images failed/);
  });

  it('answers bad options with exit code 2 and a sentence', async () => {
    expect((await runCli(['fetch-benchmark-images', '--out', root])).code).toBe(2);
    const missing = await runCli(['fetch-benchmark-images', '--image-dict', join(root, 'nope.json'), '--out', root]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/does not exist/);
    const concurrency = await runCli(['fetch-benchmark-images', '--image-dict', 'x', '--out', root, '--concurrency', '0']);
    expect(concurrency.code).toBe(2);
    expect(concurrency.err).toMatch(/--concurrency must be a whole number/);
    const badMirror = await runCli(['fetch-benchmark-images', '--image-dict', 'x', '--out', root, '--mirror', 'ftp://x']);
    expect(badMirror.code).toBe(2);
  });
});
