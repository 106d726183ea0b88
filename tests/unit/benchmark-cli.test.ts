import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBenchmarkZip } from '../../src/core/benchmark/zip.ts';
import { sampleDataset } from './benchmark-support.ts';
import { runCli } from '../support/cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'mc-score-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const run = (argv: string[]) => runCli(argv);

describe('mediconfusion score', () => {
  const benchmark = write('dataset.json', JSON.stringify(sampleDataset(), null, 4));
  const answersJson = write(
    'answers.json',
    JSON.stringify({ '10001': { im1: 'A', im2: 'B' }, '10002': { im1: 'B', im2: 'B' }, '10003': { im1: 'A', im2: 'x' } }),
  );

  it('prints the scores as JSON with fractions in [0, 1]', async () => {
    const { code, out } = await run(['score', '--benchmark', benchmark, '--answers', answersJson]);
    expect(code).toBe(0);
    const report = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(report).slice(0, 5)).toEqual([
      'individual_accuracy',
      'set_accuracy',
      'confusion',
      'invalid_rate',
      'per_category',
    ]);
    expect(report).toMatchObject({ individual_accuracy: 0.5, set_accuracy: 0.25, confusion: 0.5, invalid_rate: 0.375 });
    expect(Object.keys(report.per_category as object)).toContain('Spinal');
  });

  it('reads CSV answers and a benchmark zip', async () => {
    const csv = write('answers.csv', 'id,im1,im2\r\n10001,A,B\r\n10002,B,A\r\n10003,A,B\r\n10004,B,A\r\n');
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
    const zip = write('bench.zip', buildBenchmarkZip(sampleDataset(), new Map([20000, 20001, 20002, 20003, 20004].map((id) => [id, jpeg]))));
    const { code, out } = await run(['score', '--benchmark', zip, '--answers', csv, '--compact']);
    expect(code).toBe(0);
    expect(out.split('\n')).toHaveLength(1);
    expect(JSON.parse(out)).toMatchObject({ individual_accuracy: 1, set_accuracy: 1, confusion: 0, invalid_rate: 0 });
  });

  it('prints the import notes of a benchmark zip (an entry outside its folder) to stderr and still scores', async () => {
    const csv = write('answers-notes.csv', 'id,im1,im2\r\n10001,A,B\r\n');
    const zip = write('notes.zip', zipSync({ 'dataset.json': strToU8(JSON.stringify(sampleDataset())), 'x/../../evil.txt': strToU8('x') }));
    const { code, err } = await run(['score', '--benchmark', zip, '--answers', csv, '--compact']);
    expect(code).toBe(0);
    expect(err).toContain('Note: Ignored the entry "x/../../evil.txt" in notes.zip: it points outside the zip\'s folder.');
  });

  it('names the bad file and field of a malformed benchmark or answers file', async () => {
    const data = sampleDataset();
    const broken = write('broken.json', JSON.stringify({ ...data, '10003': { ...data['10003'], option_B: '' } }));
    const bad = await run(['score', '--benchmark', broken, '--answers', answersJson]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/broken\.json: 10003\.option_B: expected option B/);

    const badAnswers = write('bad-answers.json', '{"10001": {"im1": "A", "im3": "B"}}');
    const second = await run(['score', '--benchmark', benchmark, '--answers', badAnswers]);
    expect(second.code).toBe(1);
    expect(second.err).toMatch(/bad-answers\.json: 10001\.im3: unexpected field "im3"/);
  });

  it('explains missing options and unreadable files', async () => {
    expect((await run(['score', '--answers', answersJson])).err).toMatch(/Missing --benchmark/);
    const missing = await run(['score', '--benchmark', join(dir, 'nope.json'), '--answers', answersJson]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/Cannot read the benchmark file .*nope\.json.*does not exist/);
    expect((await run(['score', '--bench', 'x'])).code).toBe(2);
  });

  it('notes answer ids that are not in the benchmark', async () => {
    const extra = write('extra.json', '{"77777": {"im1": "A", "im2": "B"}}');
    const { code, err } = await run(['score', '--benchmark', benchmark, '--answers', extra]);
    expect(code).toBe(0);
    expect(err).toMatch(/1 answer id\(s\) are not pairs of the benchmark.*77777/);
  });
});
