import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAnswers } from '../../src/core/benchmark/answers.ts';
import { parseCaptions, splitCategories } from '../../src/core/benchmark/captions.ts';
import { MEDICONFUSION_CATEGORIES, PAIR_FIELDS, parseDatasetJson } from '../../src/core/benchmark/dataset.ts';
import { ImportError } from '../../src/core/benchmark/errors.ts';
import { importDataset } from '../../src/core/benchmark/import.ts';
import { scoreAnswers } from '../../src/core/benchmark/score.ts';
import { PUBLISHED_DATASET, pairEntry, sampleDataset } from './benchmark-support.ts';

function errorOf(fn: () => unknown): ImportError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error('expected an ImportError');
}

describe('MediConfusion dataset.json schema', () => {
  it('accepts the published layout and keeps file order', () => {
    const dataset = parseDatasetJson(JSON.stringify(sampleDataset()));
    expect(Object.keys(dataset)).toEqual(['10001', '10002', '10003', '10004']);
    expect(Object.keys(dataset['10001'])).toEqual([...PAIR_FIELDS]);
    expect(dataset['10001'].cap_1).toBe(' Sagittal T1 image showing a sellar mass.');
  });

  it('reads local ids written as digit strings as numbers', () => {
    const dataset = parseDatasetJson(JSON.stringify({ '10001': { ...pairEntry(), im_1_local: '20000' } }));
    expect(dataset['10001'].im_1_local).toBe(20000);
  });

  it.each([
    ['10003.option_B', { '10003': { ...pairEntry(), option_B: 5 } }, /10003\.option_B: expected option B \(non-empty text\), got the number 5\./],
    ['10001.question', { '10001': { ...pairEntry(), question: '  ' } }, /10001\.question: expected the question/],
    ['10001.im_1_correct', { '10001': { ...pairEntry(), im_1_correct: 'a' } }, /10001\.im_1_correct: expected "A" or "B", got the text "a"/],
    ['10001.im_2_correct', { '10001': { ...pairEntry(), im_2_correct: 'A' } }, /must differ/],
    ['10001.DINO_sim', { '10001': { ...pairEntry(), DINO_sim: '0.5' } }, /10001\.DINO_sim: expected a cosine similarity/],
    ['10001.category_2', { '10001': { ...pairEntry(), category_2: 'Spinal' } }, /10001\.category_2: expected a list of category names/],
    ['10001.AI_option_B', { '10001': { ...pairEntry(), AI_option_B: undefined } }, /10001\.AI_option_B: .*missing/],
    ['10001.im_1_local', { '10001': { ...pairEntry(), im_1_local: 1.5 } }, /10001\.im_1_local: expected a local image id/],
    ['10001.extra', { '10001': { ...pairEntry(), extra: 'x' } }, /10001\.extra: unexpected field "extra"/],
    ['10001', { '10001': 'pair' }, /10001: expected a pair object/],
  ])('names the first bad field: %s', (field, value, message) => {
    const error = errorOf(() => parseDatasetJson(JSON.stringify(value)));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith('dataset.json: ')).toBe(true);
  });

  it('reports the first bad pair in file order, not a later one', () => {
    const bad = { '10001': pairEntry(), '10002': { ...pairEntry(), question: 1 }, '10003': { ...pairEntry(), option_A: 2 } };
    expect(errorOf(() => parseDatasetJson(JSON.stringify(bad))).field).toBe('10002.question');
  });

  it('rejects a local id reused for a different image', () => {
    const bad = { ...sampleDataset(), '10005': pairEntry({ im_1: 'other.jpg', im_1_local: 20002, im_2_local: 20001 }) };
    expect(errorOf(() => parseDatasetJson(JSON.stringify(bad))).message).toMatch(/local id 20002 is used for two different images/);
  });

  it('says what is wrong with files that are not a benchmark at all', () => {
    expect(errorOf(() => parseDatasetJson('')).message).toMatch(/empty/);
    expect(errorOf(() => parseDatasetJson('{"10001": ')).message).toMatch(/not valid JSON/);
    expect(errorOf(() => parseDatasetJson('[]')).message).toMatch(/expected an object keyed by pair id/);
    expect(errorOf(() => parseDatasetJson('{}')).message).toMatch(/no pairs/);
    expect(errorOf(() => parseDatasetJson('{"__proto__": {}}')).field).toBe('"__proto__"');
  });
});

describe('importDataset', () => {
  it('normalises pairs and shares one image object per local id', () => {
    const imported = importDataset(parseDatasetJson(JSON.stringify(sampleDataset())));
    expect(imported.pairs).toHaveLength(4);
    expect(imported.images.map((i) => i.localId)).toEqual([20000, 20001, 20002, 20003, 20004]);
    const [first] = imported.pairs;
    expect(first.images[0].candidateFileNames).toEqual(['20000.jpg', 'ROCO_00001.jpg']);
    expect(first.publishedSimilarity).toEqual({ biomedclip: 0.9213, dino: 0.6012 });
    expect(first.correct).toEqual(['A', 'B']);
    expect(first.aiDraft.question).toBe('What is seen in the pituitary fossa?');
    expect(imported.pairs[3].images[0]).toBe(first.images[0]);
    expect(imported.warnings).toEqual([]);
  });

  it('warns when two pairs give one image different captions', () => {
    const data = sampleDataset();
    data['10004'] = { ...data['10004'], cap_1: 'another caption' };
    const imported = importDataset(parseDatasetJson(JSON.stringify(data)));
    expect(imported.warnings[0]).toMatch(/Pair 10004 gives image 20000 a different caption/);
  });
});

describe.skipIf(!existsSync(fileURLToPath(PUBLISHED_DATASET)))('the published benchmark', () => {
  const text = () => readFileSync(fileURLToPath(PUBLISHED_DATASET), 'utf8');

  it('validates and imports', () => {
    const dataset = parseDatasetJson(text());
    const ids = Object.keys(dataset);
    expect(ids.length).toBe(176);
    expect(ids[0]).toBe('10001');
    const imported = importDataset(dataset);
    expect(imported.pairs.length).toBe(ids.length);
    for (const pair of imported.pairs) {
      expect(pair.correct[0]).not.toBe(pair.correct[1]);
      for (const image of pair.images) {
        expect(image.localId).toBeGreaterThanOrEqual(20000);
        for (const category of image.categories) expect(MEDICONFUSION_CATEGORIES).toContain(category);
      }
    }
  });

  it('per-category image counts match MediConfusion data/stats/statistics.json', () => {
    const report = scoreAnswers(parseDatasetJson(text()), new Map());
    const images = Object.fromEntries(Object.entries(report.per_category).map(([c, s]) => [c, s.images]));
    expect(images).toEqual({
      Cerebral: 79,
      Vascular: 73,
      'Head and Neck': 67,
      Spinal: 51,
      Musculoskeletal: 42,
      Cardiac: 52,
      Gastrointestinal: 43,
      Pulmonary: 20,
      'Nuclear Medicine': 14,
    });
  });
});

describe('captions import', () => {
  it('reads a ROCO-style name,caption CSV as is and an id,name,caption one', () => {
    const index = parseCaptions('name,caption\nPMC1_a.jpg, Axial CT of the chest.\n"PMC2_b.jpg","MRI, T2, ""FLAIR"""\n', 'roco.csv');
    expect(index.entries).toEqual([
      { name: 'PMC1_a.jpg', caption: 'Axial CT of the chest.', categories: [] },
      { name: 'PMC2_b.jpg', caption: 'MRI, T2, "FLAIR"', categories: [] },
    ]);
    const withId = parseCaptions('id,name,caption\r\nROCO_00002,PMC3_c.jpg,Ultrasound.\r\n', 'roco.csv');
    expect(withId.lookup('PMC3_c.jpg')?.caption).toBe('Ultrasound.');
  });

  it('reads categories as ; or | lists or as JSON/Python lists', () => {
    expect(splitCategories("['Cerebral', 'Head and Neck']")).toEqual(['Cerebral', 'Head and Neck']);
    expect(splitCategories('["Spinal"]')).toEqual(['Spinal']);
    expect(splitCategories('Cardiac; Vascular')).toEqual(['Cardiac', 'Vascular']);
    expect(splitCategories('Cardiac|Vascular|')).toEqual(['Cardiac', 'Vascular']);
    expect(splitCategories('')).toEqual([]);
    const index = parseCaptions('file,caption,categories\nx/a.png,cap,"[\'Pulmonary\']"\n', 'c.csv');
    expect(index.entries[0].categories).toEqual(['Pulmonary']);
  });

  it('reads the three JSON shapes', () => {
    expect(parseCaptions('{"a.jpg": "one"}', 'c.json').entries).toEqual([{ name: 'a.jpg', caption: 'one', categories: [] }]);
    expect(parseCaptions('{"a.jpg": {"caption": "one", "categories": ["Spinal"]}}', 'c.json').entries[0].categories).toEqual([
      'Spinal',
    ]);
    expect(parseCaptions('[{"name": "d/a.jpg", "caption": "one", "categories": "A; B"}]', 'c.json').entries[0]).toEqual({
      name: 'd/a.jpg',
      caption: 'one',
      categories: ['A', 'B'],
    });
  });

  it('looks up by relative path, then base name, then base name ignoring case', () => {
    const index = parseCaptions('path,caption\ncases/1/a.jpg,first\ncases/2/a.jpg,second\nB.PNG,third\n', 'c.csv');
    expect(index.lookup('cases/2/a.jpg')?.caption).toBe('second');
    expect(index.lookup('cases\\1\\a.jpg')?.caption).toBe('first');
    expect(index.lookup('a.jpg')).toBeUndefined();
    expect(index.lookup('other/b.png')?.caption).toBe('third');
  });

  it('names the first bad field of a malformed captions file', () => {
    expect(errorOf(() => parseCaptions('file_name,text\n', 'c.csv')).message).toMatch(/c\.csv: row 2: the file has a header but no captions/);
    expect(errorOf(() => parseCaptions('picture,caption\na,b\n', 'c.csv')).message).toMatch(/c\.csv: header: needs a file name column/);
    expect(errorOf(() => parseCaptions('name,notes\na,b\n', 'c.csv')).message).toMatch(/c\.csv: header: needs a caption column/);
    expect(errorOf(() => parseCaptions('name,caption\na.jpg,x\n,y\n', 'c.csv')).message).toMatch(/row 3, column "name": expected a file name/);
    expect(errorOf(() => parseCaptions('name,caption\na.jpg,x\na.jpg,y\n', 'c.csv')).message).toMatch(
      /row 3: the name "a\.jpg" already appears at row 2/,
    );
    expect(errorOf(() => parseCaptions('{"a.jpg": 3}', 'c.json')).message).toMatch(/c\.json: a\.jpg: expected a caption/);
    expect(errorOf(() => parseCaptions('[{"name": "a", "caption": "x"}, {"caption": "y"}]', 'c.json')).field).toBe('1.name');
  });
});

describe('answers import', () => {
  it('reads JSON answers, keeping anything but "A"/"B" as invalid', () => {
    const sheet = parseAnswers('{"10001": {"im1": "A", "im2": "B"}, "10002": {"im1": "a", "im2": null}, "10003": {}}');
    expect(sheet.get('10001')).toMatchObject({ im1: 'A', im2: 'B' });
    expect(sheet.get('10002')).toMatchObject({ im1: null, im2: null, raw: { im1: 'a', im2: null } });
    expect(sheet.get('10003')).toMatchObject({ im1: null, im2: null });
  });

  it('reads CSV answers with the header id,im1,im2', () => {
    const sheet = parseAnswers('\uFEFFid,im1,im2\r\n10001,A,B\r\n10002, B ,C\r\n', 'answers.csv');
    expect(sheet.get('10001')).toMatchObject({ im1: 'A', im2: 'B' });
    expect(sheet.get('10002')).toMatchObject({ im1: 'B', im2: null });
  });

  it('names the first bad field of a malformed answers file', () => {
    expect(errorOf(() => parseAnswers('{"10001": "AB"}')).field).toBe('10001');
    expect(errorOf(() => parseAnswers('{"10001": {"img1": "A"}}')).message).toMatch(/10001\.img1: unexpected field "img1"/);
    expect(errorOf(() => parseAnswers('{"10001": {"im1": {"A": 10}}}')).field).toBe('10001.im1');
    expect(errorOf(() => parseAnswers('[["A","B"]]')).message).toMatch(/expected an object keyed by pair id/);
    expect(errorOf(() => parseAnswers('id,im1\n10001,A\n', 'a.csv')).message).toMatch(/a\.csv: header: .*"im2" is missing/);
    expect(errorOf(() => parseAnswers('id,im1,im2\n10001,A,B\n10001,B,A\n', 'a.csv')).message).toMatch(/row 3.*appears twice/);
  });
});
