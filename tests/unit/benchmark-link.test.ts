/**
 * Finding an imported benchmark's images: by file name (local id or source-collection base name)
 * among dropped files and stored items, a recorded hash winning over a name; and the published
 * MediConfusion dataset.json with its images folder when ../shared/data/mediconfusion is present.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { baseNameOf, importDataset, linkImages, matchFiles, parseDatasetJson, unitCosine, validateDataset } from '../../src/core/benchmark/index.ts';
import { sampleDataset } from './benchmark-support.ts';

const publishedDir = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/mediconfusion');
const publishedJson = join(publishedDir, 'dataset.json');

const hash = (n: number) => n.toString(16).padStart(64, '0');

describe('imported benchmark images', () => {
  const benchmark = importDataset(validateDataset(sampleDataset()));

  it('takes the last path segment with either separator', () => {
    expect(baseNameOf('train/radiology/images/ROCO_00001.jpg')).toBe('ROCO_00001.jpg');
    expect(baseNameOf('a\\b\\20001.jpg')).toBe('20001.jpg');
    expect(baseNameOf('20001.jpg')).toBe('20001.jpg');
  });

  it('matches files by local id first, then by the source base name; other files stay out', () => {
    const names = ['images/ROCO_00002.jpg', 'folder/20000.jpg', 'ROCO_00001.jpg', 'notes.txt', 'x/20000.jpg'];
    const matches = matchFiles(benchmark.images, names);
    // 20000: its local-id name beats its source name (index 2); the first file of a name wins.
    expect(matches.get(20000)).toBe(1);
    expect(matches.get(20001)).toBe(0);
    expect([...matches.keys()].sort()).toEqual([20000, 20001]);
    // Names are compared exactly: the evaluation code opens them so.
    expect(matchFiles(benchmark.images, ['roco_00001.JPG']).size).toBe(0);
  });

  it('links images to stored items: a recorded hash of a stored item wins, else a name or alias, else the file to ask for', () => {
    const items = [
      { sha256: hash(1), name: '20000.jpg', relativePath: 'old-benchmark/images/20000.jpg' },
      { sha256: hash(2), name: 'scan.jpg', relativePath: 'scan.jpg', aliases: ['drop/ROCO_00002.jpg'] },
      { sha256: hash(3), name: '20000.jpg', relativePath: 'images/20000.jpg' },
    ];
    const links = linkImages(benchmark, new Map([[20000, hash(3)]]), items);
    expect(links.get(20000)).toEqual({ found: true, sha256: hash(3) });
    expect(links.get(20001)).toEqual({ found: true, sha256: hash(2) });
    expect(links.get(20002)).toEqual({ found: false, fileName: '20002.jpg', sourceName: 'ROCO_00003.jpg' });
    // A recorded hash whose item is gone falls back to the names.
    expect(linkImages(benchmark, new Map([[20000, hash(9)]]), items).get(20000)).toEqual({ found: true, sha256: hash(1) });
    expect(links.size).toBe(benchmark.images.length);
  });

  it('computes the cosine of unit rows inside one matrix', () => {
    const m = Float32Array.from([0.6, 0.8, 1, 0, 0, 1]);
    expect(unitCosine(m, m, 0, 2, 2)).toBeCloseTo(0.6, 6);
    expect(unitCosine(m, m, 0, 4, 2)).toBeCloseTo(0.8, 6);
    expect(unitCosine(m, m, 2, 4, 2)).toBe(0);
  });

  it.skipIf(!existsSync(publishedJson))('the published dataset.json imports, and its images folder has every image by local id', () => {
    const dataset = parseDatasetJson(readFileSync(publishedJson, 'utf8'), 'dataset.json');
    const imported = importDataset(dataset);
    expect(imported.pairs.length).toBe(Object.keys(dataset).length);
    for (const pair of imported.pairs) {
      for (const s of [pair.publishedSimilarity.biomedclip, pair.publishedSimilarity.dino]) expect(Math.abs(s)).toBeLessThanOrEqual(1);
    }
    const imagesDir = join(publishedDir, 'images');
    if (existsSync(imagesDir)) {
      const matches = matchFiles(imported.images, readdirSync(imagesDir));
      expect(matches.size).toBe(imported.images.length);
    }
  });
});
