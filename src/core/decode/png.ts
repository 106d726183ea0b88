/**
 * PNG decoder (all colour types and bit depths, Adam7) written over fflate so that it runs the
 * same in Node, workers and the page (pngjs needs Node streams). The header is read first so the
 * pixel limit is checked before anything is inflated; inflation writes into a buffer of exactly
 * the expected size, so a stream that expands further cannot allocate more.
 */
import { unzlibSync } from 'fflate';
import type { DecodedImage } from '../image.ts';
import { DecodeError, withDecodeErrors } from './errors.ts';
import { checkPixelLimit } from './limits.ts';

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
}

const SIGNATURE_LENGTH = 8;
const CHANNELS_BY_COLOR_TYPE: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ALLOWED_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function truncated(): DecodeError {
  return new DecodeError('truncated', 'This PNG file is cut short (incomplete download or copy); copy the original file again.');
}

export function readPngHeader(bytes: Uint8Array): PngHeader {
  if (bytes.length < SIGNATURE_LENGTH + 25) throw truncated();
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (type !== 'IHDR') throw new DecodeError('corrupt', 'This PNG file has no header chunk (IHDR); the file is damaged.');
  const header: PngHeader = {
    width: readUint32(bytes, 16),
    height: readUint32(bytes, 20),
    bitDepth: bytes[24],
    colorType: bytes[25],
    interlace: bytes[28],
  };
  const depths = ALLOWED_DEPTHS[header.colorType];
  if (!depths || !depths.includes(header.bitDepth) || header.interlace > 1 || header.width === 0 || header.height === 0) {
    throw new DecodeError('corrupt', 'This PNG file declares an invalid size, colour type or bit depth; the file is damaged.');
  }
  return header;
}

interface PngChunks {
  idat: Uint8Array;
  palette?: Uint8Array;
  transparency?: Uint8Array;
}

function collectChunks(bytes: Uint8Array): PngChunks {
  const parts: Uint8Array[] = [];
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  let offset = SIGNATURE_LENGTH;
  let sawEnd = false;
  while (offset + 8 <= bytes.length) {
    const length = readUint32(bytes, offset);
    const type = String.fromCharCode(bytes[offset + 4], bytes[offset + 5], bytes[offset + 6], bytes[offset + 7]);
    const start = offset + 8;
    const end = start + length;
    if (end > bytes.length) {
      if (type === 'IDAT') parts.push(bytes.subarray(start));
      break;
    }
    if (type === 'IDAT') parts.push(bytes.subarray(start, end));
    else if (type === 'PLTE') palette = bytes.subarray(start, end);
    else if (type === 'tRNS') transparency = bytes.subarray(start, end);
    else if (type === 'IEND') {
      sawEnd = true;
      break;
    }
    offset = end + 4;
  }
  if (parts.length === 0) throw sawEnd ? new DecodeError('corrupt', 'This PNG file contains no image data; the file is damaged.') : truncated();
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const idat = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    idat.set(part, at);
    at += part.length;
  }
  return { idat, palette, transparency };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}

/** Reverses the per-row filters in place; returns the rows without their filter bytes. */
function unfilter(data: Uint8Array, start: number, rowBytes: number, rows: number, bytesPerPixel: number): Uint8Array {
  const out = new Uint8Array(rowBytes * rows);
  for (let y = 0; y < rows; y++) {
    const filter = data[start + y * (rowBytes + 1)];
    const source = start + y * (rowBytes + 1) + 1;
    const row = y * rowBytes;
    const previous = row - rowBytes;
    for (let x = 0; x < rowBytes; x++) {
      const raw = data[source + x];
      const left = x >= bytesPerPixel ? out[row + x - bytesPerPixel] : 0;
      const up = y > 0 ? out[previous + x] : 0;
      const upLeft = y > 0 && x >= bytesPerPixel ? out[previous + x - bytesPerPixel] : 0;
      let value: number;
      switch (filter) {
        case 0: value = raw; break;
        case 1: value = raw + left; break;
        case 2: value = raw + up; break;
        case 3: value = raw + ((left + up) >> 1); break;
        case 4: value = raw + paeth(left, up, upLeft); break;
        default:
          throw new DecodeError('corrupt', 'This PNG file has an invalid row filter; the file is damaged.');
      }
      out[row + x] = value & 0xff;
    }
  }
  return out;
}

/** Reads sample `index` of a packed row as an integer of `bitDepth` bits. */
function sampleAt(row: Uint8Array, rowStart: number, index: number, bitDepth: number): number {
  if (bitDepth === 8) return row[rowStart + index];
  if (bitDepth === 16) return (row[rowStart + index * 2] << 8) | row[rowStart + index * 2 + 1];
  const bitOffset = index * bitDepth;
  const byte = row[rowStart + (bitOffset >> 3)];
  return (byte >> (8 - bitDepth - (bitOffset & 7))) & ((1 << bitDepth) - 1);
}

export async function decodePng(bytes: Uint8Array, maxPixels: number): Promise<DecodedImage> {
  const header = readPngHeader(bytes);
  const { width, height, bitDepth, colorType } = header;
  checkPixelLimit(width, height, maxPixels);
  const chunks = collectChunks(bytes);
  const samplesPerPixel = CHANNELS_BY_COLOR_TYPE[colorType];
  const bitsPerPixel = samplesPerPixel * bitDepth;
  const bytesPerPixel = Math.max(1, bitsPerPixel >> 3);
  const passes = header.interlace ? ADAM7 : ([[0, 0, 1, 1]] as const);
  const passSizes = passes.map(([x0, y0, dx, dy]) => {
    const w = width > x0 ? Math.ceil((width - x0) / dx) : 0;
    const h = height > y0 ? Math.ceil((height - y0) / dy) : 0;
    return { w, h, rowBytes: Math.ceil((w * bitsPerPixel) / 8) };
  });
  const expected = passSizes.reduce((sum, p) => sum + (p.w > 0 ? p.h * (p.rowBytes + 1) : 0), 0);
  const inflated = await withDecodeErrors(
    'corrupt',
    () => 'The compressed image data of this PNG file is damaged or cut short; copy the original file again.',
    () => unzlibSync(chunks.idat, { out: new Uint8Array(expected) }),
  );
  if (inflated.length < expected) throw truncated();

  const palette = chunks.palette;
  const isPalette = colorType === 3;
  if (isPalette && !palette) throw new DecodeError('corrupt', 'This palette PNG file has no palette; the file is damaged.');
  const hasPaletteAlpha = isPalette && !!chunks.transparency && chunks.transparency.length > 0;
  const outChannels = (isPalette ? (hasPaletteAlpha ? 4 : 3) : samplesPerPixel) as 1 | 2 | 3 | 4;
  const outDepth: 8 | 16 = bitDepth === 16 ? 16 : 8;
  const data = outDepth === 16 ? new Uint16Array(width * height * outChannels) : new Uint8Array(width * height * outChannels);
  const scale = !isPalette && bitDepth < 8 ? 255 / ((1 << bitDepth) - 1) : 1;

  let offset = 0;
  passes.forEach(([x0, y0, dx, dy], passIndex) => {
    const { w, h, rowBytes } = passSizes[passIndex];
    if (w === 0 || h === 0) return;
    const rows = unfilter(inflated, offset, rowBytes, h, bytesPerPixel);
    offset += h * (rowBytes + 1);
    for (let py = 0; py < h; py++) {
      const y = y0 + py * dy;
      const rowStart = py * rowBytes;
      for (let px = 0; px < w; px++) {
        const target = (y * width + x0 + px * dx) * outChannels;
        if (isPalette) {
          const index = sampleAt(rows, rowStart, px, bitDepth);
          const entry = palette && index * 3 + 2 < palette.length ? index * 3 : -1;
          data[target] = entry >= 0 ? palette![entry] : 0;
          data[target + 1] = entry >= 0 ? palette![entry + 1] : 0;
          data[target + 2] = entry >= 0 ? palette![entry + 2] : 0;
          if (hasPaletteAlpha) data[target + 3] = index < chunks.transparency!.length ? chunks.transparency![index] : 255;
          continue;
        }
        for (let s = 0; s < samplesPerPixel; s++) {
          const value = sampleAt(rows, rowStart, px * samplesPerPixel + s, bitDepth);
          data[target + s] = scale === 1 ? value : Math.round(value * scale);
        }
      }
    }
  });
  // Pillow opens colour type 3 as "P" and 1-bit grey as "1" (resized with nearest neighbour).
  const pilMode = isPalette ? 'P' : colorType === 0 && bitDepth === 1 ? '1' : undefined;
  return { width, height, channels: outChannels, bitDepth: outDepth, data, ...(pilMode ? { pilMode } : {}) };
}
