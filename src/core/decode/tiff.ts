/**
 * TIFF decoding (first page) with utif. The size tags are checked against the pixel limit
 * before the strips are decompressed.
 */
import UTIF from 'utif';
import type { DecodedImage } from '../image.ts';
import { DecodeError, withDecodeErrors } from './errors.ts';
import { checkPixelLimit } from './limits.ts';

/**
 * A copy of the file whose first directory claims to be the last, so utif reads one page and a
 * directory chain that loops back on itself cannot keep it busy forever.
 */
function firstPageOnly(bytes: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  const littleEndian = copy[0] === 0x49;
  if (copy.length < 8) throw new DecodeError('truncated', 'This TIFF file is cut short; copy the original file again.');
  const firstIfd = view.getUint32(4, littleEndian);
  if (firstIfd + 2 > copy.length) throw new DecodeError('truncated', 'This TIFF file is cut short; copy the original file again.');
  const entries = view.getUint16(firstIfd, littleEndian);
  const nextPointer = firstIfd + 2 + entries * 12;
  if (nextPointer + 4 > copy.length) throw new DecodeError('truncated', 'This TIFF file is cut short; copy the original file again.');
  view.setUint32(nextPointer, 0, littleEndian);
  return copy;
}

export async function decodeTiff(bytes: Uint8Array, maxPixels: number): Promise<DecodedImage> {
  const buffer = firstPageOnly(bytes);
  const explain = (detail: string) => `This TIFF file could not be read (${detail}); re-save it as PNG or an uncompressed TIFF.`;
  const ifds = await withDecodeErrors('corrupt', explain, () => UTIF.decode(buffer.buffer as ArrayBuffer));
  const page = ifds[0];
  const width = page?.t256?.[0];
  const height = page?.t257?.[0];
  if (!page || width === undefined || height === undefined) {
    throw new DecodeError('corrupt', 'This TIFF file holds no image; the file is damaged.');
  }
  checkPixelLimit(width, height, maxPixels);
  const rgba = await withDecodeErrors('corrupt', explain, () => {
    UTIF.decodeImage(buffer.buffer as ArrayBuffer, page, ifds);
    return UTIF.toRGBA8(page);
  });
  if (rgba.length !== width * height * 4) {
    throw new DecodeError('unsupported', 'This TIFF uses a compression or sample layout that cannot be read; re-save it as PNG.');
  }
  return { width, height, channels: 4, bitDepth: 8, data: rgba };
}
