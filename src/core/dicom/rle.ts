/**
 * DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of up to 15 segment offsets, one PackBits
 * segment per byte plane, most significant byte plane first, one plane per sample per byte.
 * Output is interleaved little-endian samples (the same layout as native pixel data with
 * planar configuration 0).
 */
import { DecodeError } from '../decode/errors.ts';

export interface RleFrameShape {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
}

function decodePackBits(source: Uint8Array, start: number, end: number, plane: Uint8Array): void {
  let read = start;
  let written = 0;
  while (read < end && written < plane.length) {
    const header = source[read++];
    if (header < 128) {
      const count = Math.min(header + 1, end - read, plane.length - written);
      plane.set(source.subarray(read, read + count), written);
      read += header + 1;
      written += count;
    } else if (header > 128) {
      const count = Math.min(257 - header, plane.length - written);
      if (read >= end) break;
      plane.fill(source[read++], written, written + count);
      written += count;
    }
  }
}

export function decodeRleFrame(encoded: Uint8Array, shape: RleFrameShape): Uint8Array {
  const bytesPerSample = shape.bitsAllocated / 8;
  if (!Number.isInteger(bytesPerSample) || bytesPerSample < 1) {
    throw new DecodeError('unsupported', `RLE pixel data with ${shape.bitsAllocated} bits allocated is not supported; convert the file to an uncompressed transfer syntax.`);
  }
  if (encoded.length < 64) throw new DecodeError('dicom-corrupt', 'The RLE pixel data of this DICOM file is cut short; the file is damaged.');
  const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  const segmentCount = view.getUint32(0, true);
  const expectedSegments = shape.samplesPerPixel * bytesPerSample;
  if (segmentCount !== expectedSegments || segmentCount > 15) {
    throw new DecodeError(
      'dicom-corrupt',
      `The RLE pixel data of this DICOM file has ${segmentCount} segments where ${expectedSegments} were expected; the file is damaged.`,
    );
  }
  const pixelCount = shape.rows * shape.columns;
  const out = new Uint8Array(pixelCount * expectedSegments);
  const plane = new Uint8Array(pixelCount);
  for (let segment = 0; segment < segmentCount; segment++) {
    const start = view.getUint32(4 + segment * 4, true);
    const end = segment + 1 < segmentCount ? view.getUint32(8 + segment * 4, true) : encoded.length;
    if (start < 64 || start > encoded.length || end < start) {
      throw new DecodeError('dicom-corrupt', 'The RLE pixel data of this DICOM file has invalid segment offsets; the file is damaged.');
    }
    plane.fill(0);
    decodePackBits(encoded, start, Math.min(end, encoded.length), plane);
    const sample = Math.floor(segment / bytesPerSample);
    // Segments run from the most significant byte; little-endian output puts that byte last.
    const byteInSample = bytesPerSample - 1 - (segment % bytesPerSample);
    const stride = expectedSegments;
    const base = sample * bytesPerSample + byteInSample;
    for (let p = 0; p < pixelCount; p++) out[p * stride + base] = plane[p];
  }
  return out;
}
