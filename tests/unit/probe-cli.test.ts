/**
 * `mediconfusion probe` end to end on a generated benchmark with the fixture CLIP encoder (image and
 * text towers from `fixtureEncoderFiles`). The command's probe.json is checked against a computation
 * done here: the image tower run directly on onnxruntime-node, the texts through the text adapter,
 * the softmax, preference and verdict by hand.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import jpeg from 'jpeg-js';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeFile } from '../../src/cli/commands/probe.ts';
import { openNodeTextEncoder } from '../../src/cli/node-text.ts';
import type { MediConfusionPair } from '../../src/core/benchmark/dataset.ts';
import { getEncoder } from '../../src/core/encoders/registry.ts';
import { encodePng } from '../../src/core/formats/png-encode.ts';
import { ingestFile } from '../../src/core/ingest/index.ts';
import { fixtureEncoderFiles } from '../../src/core/onnx/fixture-encoders.ts';
import { preprocess } from '../../src/core/preprocess/index.ts';
import { runCli } from '../support/cli-run.ts';
import { pairEntry, sampleDataset } from './benchmark-support.ts';

const work = mkdtempSync(join(tmpdir(), 'probe-cli-'));
const models = join(work, 'models');
const images = join(work, 'images');
const benchmarkPath = join(work, 'dataset.json');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Deterministic RGB noise-free patterns, different per seed, so the images embed differently. */
function rgb(width: number, height: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * (seed + 2) + seed * 40) & 255;
      data[i + 1] = (y * (7 - seed) + seed * 17) & 255;
      data[i + 2] = ((x ^ y) * (seed + 1)) & 255;
    }
  }
  return data;
}

function jpegOf(seed: number): Buffer {
  const [w, h] = [64 + seed * 8, 48];
  const src = rgb(w, h, seed);
  const rgba = Buffer.alloc(w * h * 4, 255);
  for (let p = 0; p < w * h; p++) rgba.set(src.subarray(p * 3, p * 3 + 3), p * 4);
  return jpeg.encode({ data: rgba, width: w, height: h }, 95).data;
}

/**
 * The sample benchmark (pairs 10001-10004 over local ids 20000-20004) plus 10005 (an image that is
 * nowhere) and 10006 (two images found). Image 20003 is a PNG found by its source name only.
 */
function benchmark(): Record<string, MediConfusionPair> {
  const data = sampleDataset();
  data['10002'] = { ...data['10002'], im_2: 'validation/radiology/images/scan-4.png' };
  data['10005'] = pairEntry({ im_1: 'train/radiology/images/ROCO_00009.jpg', im_1_local: 20005 });
  data['10006'] = pairEntry({
    im_1: data['10001'].im_2,
    im_1_local: 20001,
    im_2: data['10002'].im_1,
    im_2_local: 20002,
    question: 'Which side is the lesion on?',
    option_A: 'Left',
    option_B: 'Right',
    im_1_correct: 'B',
    im_2_correct: 'A',
  });
  return data;
}

/** Where each local id's file lies under `images` (20004 is not an image; 20005 is absent). */
const FILES: Record<number, string> = { 20000: '20000.jpg', 20001: '20001.jpg', 20002: 'sub/ROCO_00003.jpg', 20003: 'scan-4.png', 20004: '20004.jpg' };

beforeAll(() => {
  for (const [rel, content] of Object.entries(fixtureEncoderFiles('fixture-clip'))) {
    const path = join(models, 'fixture-clip', rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  mkdirSync(join(images, 'sub'), { recursive: true });
  writeFileSync(join(images, FILES[20000]), jpegOf(0));
  writeFileSync(join(images, FILES[20001]), jpegOf(1));
  writeFileSync(join(images, FILES[20002]), jpegOf(2));
  writeFileSync(join(images, FILES[20003]), encodePng(80, 60, 3, rgb(80, 60, 3)));
  writeFileSync(join(images, FILES[20004]), 'not a picture\n');
  writeFileSync(join(images, 'unrelated.jpg'), jpegOf(4));
  writeFileSync(benchmarkPath, JSON.stringify(benchmark(), null, 2));
});

/** The fixture image tower run here on onnxruntime-node: decode, preprocess, image_embeds, unit length. */
async function imageEmbeddings(): Promise<Map<number, Float32Array>> {
  const entry = getEncoder('fixture-clip');
  const session = await ort.InferenceSession.create(join(models, 'fixture-clip', 'onnx', 'vision_model.onnx'));
  const out = new Map<number, Float32Array>();
  for (const local of [20000, 20001, 20002, 20003]) {
    const file = FILES[local];
    const result = await ingestFile(new Uint8Array(readFileSync(join(images, file))), { name: file }, { keepRgb: true });
    if (!result.ok || !result.rgb) throw new Error(`the test image ${file} did not decode`);
    const size = entry.preprocess.cropSize;
    const outputs = await session.run({ pixel_values: new ort.Tensor('float32', preprocess(result.rgb, entry.preprocess), [1, 3, size, size]) });
    const row = Float32Array.from(outputs.image_embeds.data as Float32Array);
    const norm = Math.hypot(...row);
    out.set(local, row.map((v) => v / norm));
  }
  await session.release();
  return out;
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

let probeRuns = 0;
async function probe(extra: string[] = []) {
  const out = join(work, `probe-${++probeRuns}.json`);
  const run = await runCli(['probe', '--benchmark', benchmarkPath, '--images', images, '--out', out, '--encoder', 'fixture-clip', '--models', models, '--quiet', ...extra]);
  return { ...run, file: existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as ProbeFile) : null };
}

/** Checks every probed pair of `result` against the hand computation with `template`. */
async function expectMatchesHand(result: ProbeFile, template: (option: string) => string) {
  const imageRows = await imageEmbeddings();
  const text = await openNodeTextEncoder(getEncoder('fixture-clip'), models);
  const config = JSON.parse(readFileSync(join(models, 'fixture-clip', 'config.json'), 'utf8')) as { logit_scale: number };
  const scale = Math.exp(config.logit_scale);
  expect(result.logit_scale).toBeCloseTo(scale, 6);
  const data = benchmark();
  const verdicts: Record<string, string> = {};
  try {
    for (const id of ['10001', '10002', '10006']) {
      const pair = data[id];
      const prompts = [template(pair.option_A), template(pair.option_B)];
      const [ta, tb] = await text.embed(prompts);
      const got = result.pairs[id];
      expect(got.prompts).toEqual(prompts);
      const preferred = [pair.im_1_local, pair.im_2_local].map((local, i) => {
        const image = imageRows.get(local) as Float32Array;
        const sims = [dot(image, ta), dot(image, tb)];
        const ea = Math.exp(scale * sims[0]);
        const eb = Math.exp(scale * sims[1]);
        const g = got.images[i];
        expect(g.local_id).toBe(local);
        expect(g.file).toBe(FILES[local]);
        expect(g.similarities[0]).toBeCloseTo(sims[0], 5);
        expect(g.similarities[1]).toBeCloseTo(sims[1], 5);
        expect(g.probabilities[0]).toBeCloseTo(ea / (ea + eb), 4);
        expect(g.probabilities[1]).toBeCloseTo(eb / (ea + eb), 4);
        const p = sims[0] >= sims[1] ? 'A' : 'B';
        expect(g.preferred).toBe(p);
        return p;
      });
      const verdict = preferred[0] === preferred[1] ? 'encoder-confused' : preferred[0] === pair.im_1_correct ? 'encoder-correct' : 'encoder-inverted';
      expect(got.verdict, id).toBe(verdict);
      verdicts[id] = verdict;
    }
  } finally {
    await text.dispose();
  }
  const setCorrect = Object.values(verdicts).filter((v) => v === 'encoder-correct').length;
  const confused = Object.values(verdicts).filter((v) => v === 'encoder-confused').length;
  // Six pairs in all; the three left out count as invalid answers, as in `mediconfusion score`.
  expect(result.score.set_accuracy).toBeCloseTo(setCorrect / 6, 12);
  expect(result.score.confusion).toBeCloseTo(confused / 3, 12);
  expect(result.score.invalid_rate).toBeCloseTo(6 / 12, 12);
  expect(result.counts).toEqual({
    pairs: 6,
    probed: 3,
    left_out: 3,
    'encoder-correct': setCorrect,
    'encoder-confused': confused,
    'encoder-inverted': 3 - setCorrect - confused,
  });
  return verdicts;
}

describe('mediconfusion probe', () => {
  it('writes each image\'s similarities, probabilities, preference and the pair verdict as computed by hand, with the scores and what was used', async () => {
    const run = await probe();
    expect(run.code, run.err).toBe(0);
    const result = run.file as ProbeFile;
    expect(result.encoder).toEqual({ id: 'fixture-clip', label: getEncoder('fixture-clip').label, revision: 'self-hosted:fixture-clip@fixture-v1', meaningful: false });
    expect(result.template).toBe('{option}');
    expect(Object.keys(result.pairs)).toEqual(['10001', '10002', '10006']);
    expect(result.pairs['10006']).toMatchObject({ options: ['Left', 'Right'], correct: ['B', 'A'] });
    const verdicts = await expectMatchesHand(result, (o) => o);
    const counts = result.counts;
    expect(run.out).toContain(
      `Probed 3 of 6 pairs with fixture-clip: ${counts['encoder-correct']} encoder-correct, ${counts['encoder-confused']} encoder-confused, ${counts['encoder-inverted']} encoder-inverted.`,
    );
    expect(run.out).toContain(`Set accuracy ${(100 * result.score.set_accuracy).toFixed(1)}% over all 6 pairs`);
    expect(run.out).toContain(`confusion ${(100 * result.score.confusion).toFixed(1)}% over the probed ones`);
    expect(Object.values(verdicts)).toHaveLength(3);
    expect(run.err).toMatch(/random weights; its probe means nothing/);
  });

  it('lists pairs whose images are missing or unreadable by id and file name, and leaves them out', async () => {
    const { code, err, file } = await probe();
    expect(code).toBe(0);
    const result = file as ProbeFile;
    const unreadable = { image: expect.any(Number), local_id: 20004, file_name: '20004.jpg', source_name: 'ROCO_00005.jpg', found: '20004.jpg', reason: expect.stringMatching(/\S/) };
    expect(result.missing).toEqual([
      { id: '10003', images: [{ ...unreadable, image: 1 }] },
      { id: '10004', images: [{ ...unreadable, image: 2 }] },
      { id: '10005', images: [{ image: 1, local_id: 20005, file_name: '20005.jpg', source_name: 'ROCO_00009.jpg', reason: 'No file with either name is in the images folder.' }] },
    ]);
    expect(err).toContain('Note: 3 pairs left out because an image is missing or unreadable: 10003 (20004.jpg, unreadable), 10004 (20004.jpg, unreadable), 10005 (20005.jpg or ROCO_00009.jpg).');
    expect(result.score.counts.missing_pairs).toBe(3);
  });

  it('fills the prompt template into what the text tower embeds', async () => {
    const template = 'a radiograph showing {option}';
    const plain = (await probe()).file as ProbeFile;
    const run = await probe(['--template', template]);
    expect(run.code, run.err).toBe(0);
    const result = run.file as ProbeFile;
    expect(result.template).toBe(template);
    await expectMatchesHand(result, (o) => `a radiograph showing ${o}`);
    // The template changes the texts, so it changes what the images are compared with.
    expect(result.pairs['10001'].images[0].similarities[0]).not.toBeCloseTo(plain.pairs['10001'].images[0].similarities[0], 4);
  });

  it('refuses a template without {option} with the sentence, and writes nothing', async () => {
    const run = await probe(['--template', 'a radiograph']);
    expect(run.code).toBe(2);
    expect(run.err).toBe('The prompt template "a radiograph" has no {option} placeholder; add one, e.g. "a medical image showing {option}".');
    expect(run.file).toBeNull();
  });

  it('refuses encoders without a text tower, and unknown ones, naming the encoders that have one', async () => {
    for (const id of ['fixture-dino', 'clip-vit-b16']) {
      const run = await probe(['--encoder', id]);
      expect(run.code, id).toBe(2);
      expect(run.err).toBe(`The encoder ${id} has no text tower here, so it cannot compare images with option texts; choose one that has: biomedclip, fixture-clip.`);
      expect(run.file).toBeNull();
    }
    const unknown = await probe(['--encoder', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe('There is no encoder called "nope"; choose one with a text tower: biomedclip, fixture-clip.');
  });

  it('exits 1 and still lists what is missing when no pair can be probed', async () => {
    const empty = join(work, 'empty');
    mkdirSync(empty, { recursive: true });
    const out = join(work, 'none.json');
    const run = await runCli(['probe', '--benchmark', benchmarkPath, '--images', empty, '--out', out, '--encoder', 'fixture-clip', '--models', join(work, 'no-models')]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/No pair could be probed: none has both images readable in .*empty/);
    const result = JSON.parse(readFileSync(out, 'utf8')) as ProbeFile;
    expect(result.pairs).toEqual({});
    expect(result.logit_scale).toBeNull();
    expect(result.missing.map((m) => m.id)).toEqual(['10001', '10002', '10003', '10004', '10005', '10006']);
    expect(result.score.invalid_rate).toBe(1);
  });

  it('explains missing options, an unreadable or malformed benchmark and a missing model', async () => {
    expect((await runCli(['probe', '--images', images, '--out', 'x.json'])).err).toMatch(/Missing --benchmark FILE/);
    expect((await runCli(['probe', '--benchmark', benchmarkPath, '--out', 'x.json'])).err).toMatch(/Missing --images DIR/);
    expect((await runCli(['probe', '--benchmark', benchmarkPath, '--images', images])).code).toBe(2);
    expect((await runCli(['probe', '--bench', 'x'])).code).toBe(2);
    const nope = await runCli(['probe', '--benchmark', join(work, 'nope.json'), '--images', images, '--out', join(work, 'b.json')]);
    expect(nope.code).toBe(2);
    expect(nope.err).toMatch(/Cannot read the benchmark file .*nope\.json.*does not exist/);
    const broken = join(work, 'broken.json');
    writeFileSync(broken, JSON.stringify({ ...benchmark(), '10001': { ...benchmark()['10001'], option_B: '' } }));
    const bad = await runCli(['probe', '--benchmark', broken, '--images', images, '--out', join(work, 'c.json'), '--encoder', 'fixture-clip']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/broken\.json: 10001\.option_B: expected option B/);
    const noModels = await runCli(['probe', '--benchmark', benchmarkPath, '--images', images, '--out', join(work, 'd.json'), '--encoder', 'fixture-clip', '--models', join(work, 'no-models')]);
    expect(noModels.code).toBe(1);
    expect(noModels.err).toMatch(/npm run fixtures/);
  });
});
