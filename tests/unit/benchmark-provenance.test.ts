import { describe, expect, it } from 'vitest';
import { buildBenchmarkZip, readBenchmarkZip } from '../../src/core/benchmark/zip.ts';
import { PROVENANCE_FILE, PROVENANCE_FORMAT, parseProvenance, provenanceToJson, type ExportProvenance } from '../../src/core/benchmark/provenance.ts';
import { ImportError } from '../../src/core/benchmark/errors.ts';
import { sampleDataset } from './benchmark-support.ts';
import { referencedLocalIds } from '../../src/core/benchmark/zip.ts';

const jpeg = (n: number): Uint8Array => Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, n, 0xff, 0xd9);

describe('provenance.json', () => {
  const dataset = sampleDataset();
  const ids = referencedLocalIds(dataset);
  const provenance: ExportProvenance = {
    format: PROVENANCE_FORMAT,
    version: 1,
    encoders: { clip: { id: 'biomedclip', revision: 'abc' }, dino: { id: 'dinov2-base', revision: 'def' } },
    images: Object.fromEntries(ids.map((id, k) => [String(id), { sha256: String(k).repeat(64), source: k === 0 ? 'thumbnail' : 'original' }])),
  };
  const jpegs = Object.fromEntries(ids.map((id, k) => [id, jpeg(k)]));

  it('travels in the zip beside dataset.json and reads back equal', () => {
    const bytes = buildBenchmarkZip(dataset, jpegs, { [PROVENANCE_FILE]: provenanceToJson(provenance) });
    const unpacked = readBenchmarkZip(bytes, 'export.zip');
    expect(unpacked.provenance).toEqual(provenance);
    expect(unpacked.notes).toEqual([]);
  });

  it('is optional (published zips have none), and a broken one is a note, not a failed import', () => {
    expect(readBenchmarkZip(buildBenchmarkZip(dataset, jpegs), 'published.zip').provenance).toBeUndefined();
    const broken = readBenchmarkZip(buildBenchmarkZip(dataset, jpegs, { [PROVENANCE_FILE]: '{"format": "other"}' }), 'x.zip');
    expect(broken.provenance).toBeUndefined();
    expect(broken.notes).toEqual(['Ignored provenance.json: x.zip/provenance.json: format: expected "mediconfusion-explorer-export". The images are added as new ones.']);
    expect(Object.keys(broken.dataset)).toEqual(Object.keys(dataset));
  });

  it('names the first bad field', () => {
    const bad = (images: unknown) => () => parseProvenance(JSON.stringify({ ...provenance, images }));
    expect(bad({ '20000': { sha256: 'XYZ', source: 'original' } })).toThrow(ImportError);
    expect(bad({ '20000': { sha256: 'XYZ', source: 'original' } })).toThrow(/images\.20000\.sha256: expected a lower-case hex SHA-256/);
    expect(bad({ '20000': { sha256: 'a'.repeat(64), source: 'copy' } })).toThrow(/images\.20000\.source: expected one of original, converted, thumbnail/);
    expect(() => parseProvenance(JSON.stringify({ ...provenance, encoders: { clip: { id: 'x' } } }))).toThrow(/encoders\.clip: expected/);
    expect(() => parseProvenance('not json')).toThrow(/is not valid JSON/);
  });

  it('reads back the hub commits of the encoders, and names a bad one', () => {
    const commit = '0123456789abcdef0123456789abcdef01234567';
    const pinned: ExportProvenance = {
      ...provenance,
      encoders: { clip: { id: 'biomedclip', revision: 'abc', commit: 'unknown' }, dino: { id: 'dinov2-small', revision: 'def', commit, earlierCommits: ['a'.repeat(40)] } },
    };
    expect(parseProvenance(provenanceToJson(pinned))).toEqual(pinned);
    // Exports made before commits were recorded have none, and read as before.
    expect(parseProvenance(provenanceToJson(provenance)).encoders.clip).toEqual({ id: 'biomedclip', revision: 'abc' });
    const bad = (dino: unknown) => () => parseProvenance(JSON.stringify({ ...pinned, encoders: { ...pinned.encoders, dino } }));
    expect(bad({ id: 'd', revision: 'r', commit: 'main' })).toThrow(/encoders\.dino\.commit: expected a hub commit \(40 lower-case hex digits\) or "unknown"/);
    expect(bad({ id: 'd', revision: 'r', earlierCommits: 'x' })).toThrow(/encoders\.dino\.earlierCommits: expected a list of hub commits/);
  });
});
