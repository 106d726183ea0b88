import { unzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parseCsvTable } from '../../src/core/benchmark/csv.ts';
import { parseDatasetJson } from '../../src/core/benchmark/dataset.ts';
import { ExportValidationError, ImportError } from '../../src/core/benchmark/errors.ts';
import {
  buildDataset,
  datasetToCsv,
  datasetToJson,
  validateReviewedPair,
  type ReviewedPair,
} from '../../src/core/benchmark/export.ts';
import { importDataset } from '../../src/core/benchmark/import.ts';
import { pairKey, parseSessionJson, sessionToJson, type SessionInput } from '../../src/core/benchmark/session-file.ts';
import { buildBenchmarkZip, readBenchmarkZip } from '../../src/core/benchmark/zip.ts';

const sha = (n: number): string => n.toString(16).padStart(64, '0');
const ORIGINAL = (n: number): string => `PATIENT_DOE_JOHN/1.2.840.113619.2.55.3.${n}/IM-000${n}.dcm`;

function reviewed(a: number, b: number, overrides: Partial<ReviewedPair> = {}): ReviewedPair {
  return {
    image1: { sha256: sha(a), originalName: ORIGINAL(a), caption: `caption ${a}`, categories: ['Cerebral'] },
    image2: { sha256: sha(b), originalName: ORIGINAL(b), caption: `caption ${b}`, categories: ['Spinal', ' '] },
    clipSimilarity: 0.93,
    dinoSimilarity: 0.51,
    question: ` Question ${a}-${b}? `,
    optionA: 'Yes',
    optionB: 'No',
    image1Correct: 'A',
    image2Correct: 'B',
    aiQuestion: 'Draft?',
    aiOptionA: 'Y',
    aiOptionB: 'N',
    decision: 'accept',
    ...overrides,
  };
}

const PAIRS: ReviewedPair[] = [
  reviewed(1, 2),
  reviewed(2, 3, { image1Correct: 'B', image2Correct: 'A' }),
  reviewed(4, 5, { decision: 'reject', question: '' }),
  reviewed(1, 3),
];

/** Minimal JPEG-looking bytes (SOI marker + payload + EOI). */
const jpeg = (n: number): Uint8Array => new Uint8Array([0xff, 0xd8, 0xff, 0xe0, n, n, n, 0xff, 0xd9]);

describe('buildDataset', () => {
  it('numbers pairs from 10001 and images from 20000, one local id per distinct image', () => {
    const { dataset, images } = buildDataset(PAIRS);
    expect(Object.keys(dataset)).toEqual(['10001', '10002', '10003']);
    expect(images).toEqual([
      { localId: 20000, sha256: sha(1) },
      { localId: 20001, sha256: sha(2) },
      { localId: 20002, sha256: sha(3) },
    ]);
    expect(dataset['10002']).toMatchObject({ im_1_local: 20001, im_2_local: 20002, im_1: 'images/20001.jpg' });
    expect(dataset['10003']).toMatchObject({ im_1_local: 20000, im_2_local: 20002 });
    expect(dataset['10001']).toMatchObject({ question: 'Question 1-2?', category_2: ['Spinal'], AI_question: 'Draft?' });
  });

  it('export -> dataset.json -> re-import is the identity', () => {
    const { dataset } = buildDataset(PAIRS);
    const again = parseDatasetJson(datasetToJson(dataset));
    expect(again).toEqual(dataset);
    const imported = importDataset(again);
    expect(imported.pairs.map((p) => [p.question, p.optionA, p.optionB, p.correct, p.publishedSimilarity])).toEqual(
      PAIRS.filter((p) => p.decision === 'accept').map((p) => [
        p.question.trim(),
        p.optionA,
        p.optionB,
        [p.image1Correct, p.image2Correct],
        { biomedclip: p.clipSimilarity, dino: p.dinoSimilarity },
      ]),
    );
  });

  it('never writes original names or DICOM identifiers unless opted in', () => {
    const { dataset } = buildDataset(PAIRS);
    const csv = datasetToCsv(dataset);
    for (const text of [datasetToJson(dataset), csv]) {
      expect(text).not.toMatch(/PATIENT|DOE|1\.2\.840|\.dcm|IM-000/);
      for (let n = 1; n <= 5; n += 1) expect(text).not.toContain(sha(n));
    }
    const zip = buildBenchmarkZip(dataset, new Map([[20000, jpeg(1)], [20001, jpeg(2)], [20002, jpeg(3)]]), { 'pairs.csv': csv });
    const entries = unzipSync(zip);
    const files = Object.keys(entries).filter((name) => !name.endsWith('/'));
    expect(files.sort()).toEqual(['dataset.json', 'images/20000.jpg', 'images/20001.jpg', 'images/20002.jpg', 'pairs.csv']);
    for (const [name, content] of Object.entries(entries)) {
      expect(name).not.toMatch(/PATIENT|1\.2\.840|\.dcm/);
      expect(strFromU8(content, true)).not.toMatch(/PATIENT|1\.2\.840|\.dcm/);
    }

    const opted = buildDataset(PAIRS, { includeOriginalNames: true }).dataset;
    expect(opted['10001'].im_1).toBe(ORIGINAL(1));
    expect(datasetToJson(opted)).toContain('1.2.840.113619');
  });

  it('refuses pairs that are not ready, saying why, and builds nothing', () => {
    const bad = [reviewed(1, 2, { image2Correct: 'A' }), reviewed(3, 4, { question: ' ', optionB: '' })];
    let error: unknown;
    try {
      buildDataset(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ExportValidationError);
    const issues = (error as ExportValidationError).issues;
    expect(issues.map((i) => [i.pairIndex, i.field])).toEqual([
      [0, 'image2Correct'],
      [1, 'question'],
      [1, 'optionB'],
    ]);
    expect(issues[0].message).toMatch(/correct answers for image 1 and image 2 must differ/);
  });

  it('validateReviewedPair checks options, answers, similarities and identity', () => {
    expect(validateReviewedPair(reviewed(1, 2))).toEqual([]);
    expect(validateReviewedPair(reviewed(1, 2, { optionB: 'Yes' }))[0].message).toMatch(/options A and B are the same/);
    expect(validateReviewedPair(reviewed(1, 2, { image1Correct: null }))[0].field).toBe('image1Correct');
    expect(validateReviewedPair(reviewed(1, 2, { dinoSimilarity: Number.NaN }))[0].field).toBe('dinoSimilarity');
    expect(validateReviewedPair(reviewed(1, 1)).map((i) => i.field)).toContain('image2');
    expect(() => buildDataset([reviewed(1, 2, { decision: 'needs-edit' })])).toThrow(/No accepted pairs/);
    expect(Object.keys(buildDataset([reviewed(1, 2, { decision: 'needs-edit' })], { acceptedOnly: false }).dataset)).toEqual(['10001']);
  });
});

describe('benchmark zip', () => {
  it('round-trips dataset.json and images/<local id>.jpg', () => {
    const { dataset } = buildDataset(PAIRS);
    const jpegs = { 20000: jpeg(1), 20001: jpeg(2), 20002: jpeg(3) };
    const zip = buildBenchmarkZip(dataset, jpegs);
    const back = readBenchmarkZip(zip);
    expect(back.dataset).toEqual(dataset);
    expect([...back.images.keys()].sort()).toEqual([20000, 20001, 20002]);
    expect(back.images.get(20001)).toEqual(jpeg(2));
    expect(buildBenchmarkZip(dataset, jpegs)).toEqual(zip);
  });

  it('refuses missing or non-JPEG images and bad extra names', () => {
    const { dataset } = buildDataset(PAIRS);
    expect(() => buildBenchmarkZip(dataset, { 20000: jpeg(1), 20001: jpeg(2) })).toThrow(/JPEG for image 20002 is missing/);
    expect(() => buildBenchmarkZip(dataset, { 20000: jpeg(1), 20001: jpeg(2), 20002: new Uint8Array([0x89, 0x50, 0x4e]) })).toThrow(
      /not a JPEG/,
    );
    expect(() => buildBenchmarkZip(dataset, { 20000: jpeg(1), 20001: jpeg(2), 20002: jpeg(3) }, { 'images/x.jpg': 'x' })).toThrow(
      /clash/,
    );
  });

  it('reports a file that is not a benchmark zip as an import error', () => {
    expect(() => readBenchmarkZip(new Uint8Array([1, 2, 3]))).toThrow(ImportError);
  });
});

describe('pairs CSV', () => {
  it('has one row per pair with the public fields', () => {
    const { dataset } = buildDataset(PAIRS);
    const table = parseCsvTable(datasetToCsv(dataset));
    expect(table.header.slice(0, 5)).toEqual(['id', 'im_1', 'im_2', 'im_1_local', 'im_2_local']);
    expect(table.rows.map((r) => r.cells[0])).toEqual(['10001', '10002', '10003']);
    expect(table.rows[0].cells[table.header.indexOf('question')]).toBe('Question 1-2?');
  });
});

describe('session file', () => {
  const session: SessionInput = {
    format: 'mediconfusion-explorer-session',
    version: 1,
    createdAt: '2025-01-01T00:00:00.000Z',
    thresholds: { clip: 0.9, dino: 0.75, floor: 0.8, perImageCap: 5 },
    encoders: [
      { role: 'clip', id: 'biomedclip', revision: 'abc123', files: [{ path: 'onnx/model.onnx', sha256: sha(9) }] },
      { role: 'dino', id: 'dinov2-base', revision: 'main', dtype: 'fp32', files: [] },
    ],
    decisions: [
      {
        ...pairKey(sha(2), sha(1)),
        status: 'accept',
        notes: 'clear case',
        tags: ['vascular'],
        question: { question: 'Q?', optionA: 'a', optionB: 'b', image1Correct: 'A', image2Correct: 'B' },
      },
      { ...pairKey(sha(3), sha(4)), status: 'reject' },
    ],
  };

  it('round-trips, filling defaults', () => {
    const parsed = parseSessionJson(sessionToJson(session));
    expect(parsed.decisions[0]).toMatchObject({ a: sha(1), b: sha(2), tags: ['vascular'] });
    expect(parsed.decisions[1]).toMatchObject({ notes: '', tags: [] });
    expect(parseSessionJson(sessionToJson(parsed))).toEqual(parsed);
  });

  it('names the first bad field of a malformed session file', () => {
    const text = JSON.stringify({ ...session, decisions: [{ a: sha(1), b: 'xyz', status: 'accept' }] });
    expect(() => parseSessionJson(text)).toThrow(/session\.json: decisions\.0\.b: expected a SHA-256/);
    expect(() => parseSessionJson(JSON.stringify({ ...session, version: 2 }))).toThrow(/version: expected 1/);
    const swapped = JSON.stringify({ ...session, decisions: [{ a: sha(2), b: sha(1), status: 'accept' }] });
    expect(() => parseSessionJson(swapped)).toThrow(/decisions\.0\.b: expected "a" to be the smaller hash/);
  });

  it('carries the hub commit of each encoder, and the earlier ones of a branch that moved', () => {
    const commitA = 'a'.repeat(40);
    const commitB = '0123456789abcdef0123456789abcdef01234567';
    const pinned: SessionInput = {
      ...session,
      encoders: [
        { role: 'clip', id: 'biomedclip', revision: 'self-hosted:biomedclip@x', commit: 'unknown', files: [] },
        { role: 'dino', id: 'dinov2-small', revision: 'hub:onnx-community/dinov2-small@main', commit: commitB, earlierCommits: [commitA], dtype: 'fp32', files: [] },
      ],
    };
    const parsed = parseSessionJson(sessionToJson(pinned));
    expect(parsed.encoders.map((e) => [e.commit, e.earlierCommits])).toEqual([
      ['unknown', undefined],
      [commitB, [commitA]],
    ]);
    expect(parseSessionJson(sessionToJson(parsed))).toEqual(parsed);
    // Files written before commits were recorded still read.
    expect(parseSessionJson(sessionToJson(session)).encoders[0].commit).toBeUndefined();
    const bad = (commit: string) => () => parseSessionJson(JSON.stringify({ ...pinned, encoders: [{ ...pinned.encoders[1], commit }] }));
    expect(bad('main')).toThrow(/encoders\.0\.commit: expected a hub commit \(40 lower-case hex digits\) or "unknown"/);
    expect(bad(commitA.toUpperCase())).toThrow(/encoders\.0\.commit/);
    expect(() => parseSessionJson(JSON.stringify({ ...pinned, encoders: [{ ...pinned.encoders[1], earlierCommits: ['abc'] }] }))).toThrow(
      /encoders\.0\.earlierCommits\.0: expected a hub commit/,
    );
  });
});
