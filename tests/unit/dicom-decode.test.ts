import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeDicom } from '../../src/core/dicom/index.ts';
import { DecodeError } from '../../src/core/decode/index.ts';
import { ingestFile, sha256Hex } from '../../src/core/ingest/index.ts';
import { buildDicom, concatBytes, uint16Bytes } from '../support/hostile-builders.ts';
import { validDicom } from '../support/hostile-corpus.ts';

/** PackBits with literal runs only: valid RLE that any decoder must accept. */
function packBitsLiteral(plane: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < plane.length; i += 128) {
    const run = plane.subarray(i, i + 128);
    parts.push(Uint8Array.of(run.length - 1), run);
  }
  return concatBytes(parts);
}

function rleFrame(planes: Uint8Array[]): Uint8Array {
  const segments = planes.map(packBitsLiteral);
  const header = new Uint8Array(64);
  const view = new DataView(header.buffer);
  view.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((s, i) => {
    view.setUint32(4 + i * 4, offset, true);
    offset += s.length;
  });
  return concatBytes([header, ...segments]);
}

describe('DICOM display pipeline', () => {
  it('applies Rescale Slope/Intercept then the tag window (DICOM linear VOI)', async () => {
    const stored = [0, 100, 200, 300];
    const bytes = buildDicom({ rows: 1, columns: 4, pixels: uint16Bytes(stored), rescaleSlope: 2, rescaleIntercept: -100, windowCenter: 200, windowWidth: 401 });
    const { image, summary } = await decodeDicom(bytes);
    // values -100, 100, 300, 500; level = ((v - (c - 0.5)) / (w - 1) + 0.5) * 255 -> 0, 64.1, 191.6, 255
    expect(Array.from(image.data)).toEqual([0, 64, 192, 255]);
    expect(summary).toMatchObject({ windowCenter: 200, windowWidth: 401, windowSource: 'tags', rescaleSlope: 2, rescaleIntercept: -100 });
  });

  it('falls back to min..max without window tags and inverts MONOCHROME1', async () => {
    const bytes = buildDicom({ rows: 1, columns: 3, pixels: uint16Bytes([10, 20, 30]), photometric: 'MONOCHROME1' });
    const { image, summary } = await decodeDicom(bytes);
    // 20 sits at 127.5 of 255 before inversion: rounds to 128, inverted 127.
    expect(Array.from(image.data)).toEqual([255, 127, 0]);
    expect(summary.windowSource).toBe('min-max');
  });

  it('masks to Bits Stored and sign-extends signed pixels', async () => {
    // 12 bits stored, signed: 0xFFF = -1, 0x800 = -2048, 0x7FF = 2047; junk in the top 4 bits must be ignored.
    const bytes = buildDicom({ rows: 1, columns: 3, bitsStored: 12, pixelRepresentation: 1, pixels: uint16Bytes([0xafff, 0x5800, 0xf7ff]) });
    const { image } = await decodeDicom(bytes);
    // min..max window over -2048..2047: -1 -> 127.47
    expect(Array.from(image.data)).toEqual([127, 0, 255]);
  });

  it('shows the middle frame by default and any frame on request', async () => {
    const frames = [0, 1, 2].map((f) => new Array(4).fill(f * 100 + 50));
    const bytes = buildDicom({ rows: 2, columns: 2, frames: 3, pixels: uint16Bytes(frames.flat()), windowCenter: 150, windowWidth: 301 });
    const middle = await decodeDicom(bytes);
    expect(middle.summary).toMatchObject({ frames: 3, frameIndex: 1 });
    expect(middle.image.data[0]).toBe(128);
    const first = await decodeDicom(bytes, { frameIndex: 0 });
    expect(first.image.data[0]).toBe(43);
    await expect(decodeDicom(bytes, { frameIndex: 3 })).rejects.toBeInstanceOf(DecodeError);
  });

  it('ingest reads a known file with the frame chosen for its hash, others with the default', async () => {
    const frames = [0, 1, 2].map((f) => new Array(4).fill(f * 100 + 50));
    const bytes = buildDicom({ rows: 2, columns: 2, frames: 3, pixels: uint16Bytes(frames.flat()), windowCenter: 150, windowWidth: 301 });
    const sha256 = await sha256Hex(bytes);
    const chosen = await ingestFile(bytes, { name: 'cine.dcm' }, { keepRgb: true, frameIndexes: { [sha256]: 0 } });
    expect(chosen.ok && [chosen.item.frameIndex, chosen.item.dicom?.frameIndex, chosen.rgb?.data[0]]).toEqual([0, 0, 43]);
    const other = await ingestFile(bytes, { name: 'cine.dcm' }, { keepRgb: true, frameIndexes: { ['0'.repeat(64)]: 0 } });
    expect(other.ok && [other.item.frameIndex, other.rgb?.data[0]]).toEqual([1, 128]);
  });

  it('reads RGB with planar configuration 1', async () => {
    const planar = Uint8Array.of(10, 20, 30, 40, 50, 60);
    const bytes = buildDicom({
      rows: 1,
      columns: 2,
      samplesPerPixel: 3,
      bitsAllocated: 8,
      photometric: 'RGB',
      pixels: planar,
      extra: [{ tag: [0x0028, 0x0006], vr: 'US', value: 1 }],
    });
    const { image } = await decodeDicom(bytes);
    expect(Array.from(image.data)).toEqual([10, 30, 50, 20, 40, 60]);
  });

  it('applies a PALETTE COLOR lookup table', async () => {
    const descriptor = { vr: 'US', value: [4, 0, 8] };
    const bytes = buildDicom({
      rows: 1,
      columns: 4,
      bitsAllocated: 8,
      photometric: 'PALETTE COLOR',
      pixels: Uint8Array.of(0, 1, 2, 3),
      extra: [
        { tag: [0x0028, 0x1101], ...descriptor },
        { tag: [0x0028, 0x1102], ...descriptor },
        { tag: [0x0028, 0x1103], ...descriptor },
        { tag: [0x0028, 0x1201], vr: 'OW', value: uint16Bytes([255, 0, 0, 9]) },
        { tag: [0x0028, 0x1202], vr: 'OW', value: uint16Bytes([0, 255, 0, 9]) },
        { tag: [0x0028, 0x1203], vr: 'OW', value: uint16Bytes([0, 0, 255, 9]) },
      ],
    });
    const { image } = await decodeDicom(bytes);
    expect(Array.from(image.data)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]);
  });

  it('decodes RLE Lossless (16-bit: high byte segment first)', async () => {
    const values = [0, 1000, 2000, 4095];
    const high = Uint8Array.from(values, (v) => v >> 8);
    const low = Uint8Array.from(values, (v) => v & 0xff);
    const bytes = buildDicom({ rows: 2, columns: 2, transferSyntax: '1.2.840.10008.1.2.5', fragments: [rleFrame([high, low])], windowCenter: 2048, windowWidth: 4096 });
    const native = buildDicom({ rows: 2, columns: 2, pixels: uint16Bytes(values), windowCenter: 2048, windowWidth: 4096 });
    expect(Array.from((await decodeDicom(bytes)).image.data)).toEqual(Array.from((await decodeDicom(native)).image.data));
  });

  it('never puts identifying attributes in what it returns', async () => {
    const bytes = validDicom([
      { tag: [0x0008, 0x0050], vr: 'SH', value: 'ACC-778899' },
      { tag: [0x0008, 0x0080], vr: 'LO', value: 'St Example Hospital' },
      { tag: [0x0010, 0x0010], vr: 'PN', value: 'DOE^JANE' },
      { tag: [0x0010, 0x0020], vr: 'LO', value: 'PID-123456' },
      { tag: [0x0010, 0x0030], vr: 'DA', value: '19700101' },
      { tag: [0x0020, 0x000d], vr: 'UI', value: '1.2.826.0.1.3680043.8.498.111' },
      { tag: [0x0020, 0x000e], vr: 'UI', value: '1.2.826.0.1.3680043.8.498.222' },
    ]);
    const result = await ingestFile(bytes, { name: 'scan.dcm' });
    expect(result.ok).toBe(true);
    const text = JSON.stringify(result, (_key, value: unknown) => (value instanceof Uint8ClampedArray ? undefined : value));
    for (const secret of ['ACC-778899', 'Example Hospital', 'DOE', 'JANE', 'PID-123456', '19700101', '3680043', '1.2.3.4.5.6.7.8.9']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('1.2.840.10008.1.2.1');
  });
});

describe('DICOM reader fuzzing', () => {
  const valid = validDicom();

  async function decodesOrRefuses(bytes: Uint8Array): Promise<void> {
    const started = performance.now();
    try {
      await decodeDicom(bytes);
    } catch (thrown) {
      if (!(thrown instanceof DecodeError)) throw thrown;
      expect(thrown.message.length).toBeLessThan(400);
    }
    expect(performance.now() - started).toBeLessThan(2000);
  }

  it('truncations at any length only ever raise DecodeError', async () => {
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: valid.length }), (length) => decodesOrRefuses(valid.slice(0, length))), { numRuns: 300 });
  });

  it('random byte mutations only ever raise DecodeError', async () => {
    const mutation = fc.array(fc.tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(mutation, async (changes) => {
        const bytes = valid.slice();
        for (const [at, value] of changes) bytes[at] = value;
        await decodesOrRefuses(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('a damaged DICM magic with a damaged meta group is refused as corrupt (found by fuzzing)', async () => {
    const bytes = valid.slice();
    bytes[128] = 0;
    bytes[132] = 0;
    await expect(decodeDicom(bytes)).rejects.toBeInstanceOf(DecodeError);
  });

  it('mutations of the header region (meta and pixel attributes) only ever raise DecodeError', async () => {
    const headerEnd = valid.length - 64 * 48 * 2;
    const mutation = fc.array(fc.tuple(fc.integer({ min: 128, max: headerEnd }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 });
    await fc.assert(
      fc.asyncProperty(mutation, async (changes) => {
        const bytes = valid.slice();
        for (const [at, value] of changes) bytes[at] = value;
        await decodesOrRefuses(bytes);
      }),
      { numRuns: 500 },
    );
  });
});
