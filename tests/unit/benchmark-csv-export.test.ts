import { describe, expect, it } from 'vitest';
import { parseCsv, parseCsvTable } from '../../src/core/benchmark/csv.ts';
import { buildDataset, datasetToCsv, type ReviewedPair } from '../../src/core/benchmark/export.ts';
import { csvCell, isFormulaLike, toCsv } from '../../src/core/formats/csv-write.ts';
import { generateSampleSet, sampleCaptionsCsv } from '../../src/core/sample/phantoms.ts';

const sha = (n: number): string => n.toString(16).padStart(64, '0');

function reviewed(caption1: string, question: string, clip: number): ReviewedPair {
  return {
    image1: { sha256: sha(1), caption: caption1, categories: ['@Cerebral'] },
    image2: { sha256: sha(2), caption: 'plain caption', categories: ['Spinal'] },
    clipSimilarity: clip,
    dinoSimilarity: -0.12,
    question,
    optionA: '+A',
    optionB: '-B',
    image1Correct: 'A',
    image2Correct: 'B',
    aiQuestion: '\tTabbed draft',
    aiOptionA: '\rReturn',
    aiOptionB: 'fine',
    decision: 'accept',
  };
}

describe('spreadsheet-safe CSV cells (OWASP CSV injection)', () => {
  it('prefixes a single quote inside a quoted cell for every formula trigger', () => {
    expect(csvCell('=1+1')).toBe(`"'=1+1"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('+A')).toBe(`"'+A"`);
    expect(csvCell('-B')).toBe(`"'-B"`);
    expect(csvCell('\tx')).toBe(`"'\tx"`);
    expect(csvCell('\rx')).toBe(`"'\rx"`);
    // Leading spaces do not hide a formula from a spreadsheet that trims them.
    expect(csvCell('  =cmd|"/C calc"!A0')).toBe(`"'  =cmd|""/C calc""!A0"`);
  });

  it('leaves text that cannot start a formula as it is', () => {
    expect(csvCell('Axial CT, contrast')).toBe('"Axial CT, contrast"');
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell('Is it 5-10 mm?')).toBe('Is it 5-10 mm?');
    expect(csvCell('')).toBe('');
  });

  it('keeps strict numbers, negative ones included, as numbers; looser ones are neutralised', () => {
    for (const n of [-0.12, 0.5, -1, 20000, -1e-7, 0]) expect(csvCell(n)).toBe(String(n));
    expect(csvCell('-0.12')).toBe('-0.12');
    for (const loose of ['+1', '-.5', '-1+2', '-Infinity', '-01', '-1,5']) {
      expect(isFormulaLike(loose), loose).toBe(true);
      expect(csvCell(loose)).toMatch(/^"'/);
    }
  });

  it('toCsv writes neutralised cells that read back with their text after the quote', () => {
    const csv = toCsv([['=1+1', '@SUM(A1)', -0.12, 'ok']]);
    expect(csv).toBe(`"'=1+1","'@SUM(A1)",-0.12,ok\r\n`);
    expect(parseCsv(csv)).toEqual([["'=1+1", "'@SUM(A1)", '-0.12', 'ok']]);
  });
});

describe('pairs.csv is spreadsheet-safe', () => {
  it('neutralises captions, questions, options and categories but keeps similarities numeric', () => {
    const { dataset } = buildDataset([reviewed('=1+1', '@SUM(A1)', -0.34)]);
    const csv = datasetToCsv(dataset);
    expect(csv).not.toMatch(/(^|,)=1\+1/m);
    expect(csv).not.toMatch(/(^|,)@SUM/m);
    const table = parseCsvTable(csv);
    const cell = (column: string): string => table.rows[0].cells[table.header.indexOf(column)];
    expect(cell('cap_1')).toBe("'=1+1");
    expect(cell('question')).toBe("'@SUM(A1)");
    expect(cell('option_A')).toBe("'+A");
    expect(cell('option_B')).toBe("'-B");
    expect(cell('category_1')).toBe("'@Cerebral");
    expect(cell('AI_question')).toBe("'\tTabbed draft");
    expect(cell('AI_option_A')).toBe("'\rReturn");
    expect(cell('cap_2')).toBe('plain caption');
    expect(cell('BiomedCLIP_sim')).toBe('-0.34');
    expect(cell('DINO_sim')).toBe('-0.12');
    expect(cell('im_1_local')).toBe('20000');
  });

  it('the sample captions CSV uses the same writer', () => {
    const images = generateSampleSet(1, 32).slice(0, 3);
    const table = parseCsvTable(sampleCaptionsCsv(images));
    expect(table.header).toEqual(['name', 'caption', 'category']);
    expect(table.rows.map((r) => r.cells[1])).toEqual(images.map((i) => i.caption));
  });
});
