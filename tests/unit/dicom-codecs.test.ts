import { describe, expect, it } from 'vitest';
import { decodeDicom } from '../../src/core/dicom/index.ts';
import { buildDicom, seededBytes } from '../support/hostile-builders.ts';
import { jpegLsDicom } from '../support/hostile-jpegls.ts';

describe('WASM codecs in Node', () => {
  it('decodes a generated JPEG-LS DICOM exactly like its uncompressed twin', async () => {
    const values = Array.from({ length: 40 * 30 }, (_, i) => (i * 37) % 4096);
    const { jpegLs, native } = await jpegLsDicom(40, 30, values);
    const fromJpegLs = await decodeDicom(jpegLs);
    const fromNative = await decodeDicom(native);
    expect(fromJpegLs.summary.transferSyntaxName).toBe('JPEG-LS Lossless Image Compression');
    expect(Array.from(fromJpegLs.image.data)).toEqual(Array.from(fromNative.image.data));
  });

  it('loads OpenJPEG and reports a damaged JPEG 2000 stream as a damaged file, not a missing decoder', async () => {
    const bytes = buildDicom({ rows: 8, columns: 8, transferSyntax: '1.2.840.10008.1.2.4.90', fragments: [Uint8Array.of(0xff, 0x4f, 0xff, 0x51, ...seededBytes(60, 2))] });
    await expect(decodeDicom(bytes)).rejects.toMatchObject({ code: 'dicom-corrupt' });
  });
});
