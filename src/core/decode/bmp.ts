/**
 * BMP decoder: 1/4/8-bit palette, 16/24/32-bit (BI_RGB and BI_BITFIELDS), bottom-up or top-down.
 * RLE-compressed and embedded JPEG/PNG bitmaps are refused with a clear message.
 */
import type { DecodedImage } from '../image.ts';
import { DecodeError } from './errors.ts';
import { checkPixelLimit } from './limits.ts';

const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHABITFIELDS = 6;

export interface BmpHeader {
  width: number;
  height: number;
  topDown: boolean;
  bitsPerPixel: number;
  compression: number;
  pixelOffset: number;
  headerSize: number;
  paletteSize: number;
}

function truncated(): DecodeError {
  return new DecodeError('truncated', 'This BMP file is cut short (incomplete download or copy); copy the original file again.');
}

export function readBmpHeader(bytes: Uint8Array): BmpHeader {
  if (bytes.length < 26) throw truncated();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerSize = view.getUint32(14, true);
  if (headerSize === 12) {
    return {
      width: view.getUint16(18, true),
      height: view.getUint16(20, true),
      topDown: false,
      bitsPerPixel: view.getUint16(24, true),
      compression: BI_RGB,
      pixelOffset: view.getUint32(10, true),
      headerSize,
      paletteSize: 0,
    };
  }
  if (bytes.length < 54) throw truncated();
  const rawHeight = view.getInt32(22, true);
  return {
    width: view.getInt32(18, true),
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bitsPerPixel: view.getUint16(28, true),
    compression: view.getUint32(30, true),
    pixelOffset: view.getUint32(10, true),
    headerSize,
    paletteSize: view.getUint32(46, true),
  };
}

/** Shift and width of a channel mask, to scale the masked value to 8 bits. */
function maskShape(mask: number): { shift: number; bits: number } {
  if (mask === 0) return { shift: 0, bits: 0 };
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while (((mask >>> (shift + bits)) & 1) === 1) bits++;
  return { shift, bits };
}

export function decodeBmp(bytes: Uint8Array, maxPixels: number): DecodedImage {
  const header = readBmpHeader(bytes);
  const { width, height, bitsPerPixel, compression } = header;
  checkPixelLimit(width, height, maxPixels);
  if (compression !== BI_RGB && compression !== BI_BITFIELDS && compression !== BI_ALPHABITFIELDS) {
    throw new DecodeError('unsupported', 'This BMP file is compressed (RLE or embedded JPEG/PNG), which is not supported; re-save it as an uncompressed BMP or PNG.');
  }
  if (![1, 4, 8, 16, 24, 32].includes(bitsPerPixel)) {
    throw new DecodeError('corrupt', `This BMP file declares ${bitsPerPixel} bits per pixel, which is invalid; the file is damaged.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const rowBytes = Math.ceil((width * bitsPerPixel) / 32) * 4;
  if (header.pixelOffset + rowBytes * height > bytes.length) throw truncated();

  let masks: [number, number, number, number] = bitsPerPixel === 16 ? [0x7c00, 0x03e0, 0x001f, 0] : [0xff0000, 0xff00, 0xff, 0];
  if (compression !== BI_RGB) {
    const maskAt = header.headerSize >= 52 ? 54 : 14 + header.headerSize;
    if (maskAt + 12 > bytes.length) throw truncated();
    masks = [
      view.getUint32(maskAt, true),
      view.getUint32(maskAt + 4, true),
      view.getUint32(maskAt + 8, true),
      header.headerSize >= 56 || compression === BI_ALPHABITFIELDS ? view.getUint32(maskAt + 12, true) : 0,
    ];
  } else if (bitsPerPixel === 32) {
    masks = [0xff0000, 0xff00, 0xff, 0];
  }
  const hasAlpha = bitsPerPixel >= 16 && masks[3] !== 0;
  const channels = hasAlpha ? 4 : 3;
  const data = new Uint8Array(width * height * channels);
  const paletteAt = 14 + header.headerSize;
  const paletteEntrySize = header.headerSize === 12 ? 3 : 4;
  const shapes = masks.map(maskShape);

  for (let row = 0; row < height; row++) {
    const y = header.topDown ? row : height - 1 - row;
    const source = header.pixelOffset + row * rowBytes;
    for (let x = 0; x < width; x++) {
      const target = (y * width + x) * channels;
      if (bitsPerPixel <= 8) {
        const bitOffset = x * bitsPerPixel;
        const byte = bytes[source + (bitOffset >> 3)];
        const index = (byte >> (8 - bitsPerPixel - (bitOffset & 7))) & ((1 << bitsPerPixel) - 1);
        const entry = paletteAt + index * paletteEntrySize;
        if (entry + 2 < header.pixelOffset) {
          data[target] = bytes[entry + 2];
          data[target + 1] = bytes[entry + 1];
          data[target + 2] = bytes[entry];
        }
      } else if (bitsPerPixel === 24) {
        const at = source + x * 3;
        data[target] = bytes[at + 2];
        data[target + 1] = bytes[at + 1];
        data[target + 2] = bytes[at];
      } else {
        const value = bitsPerPixel === 16 ? view.getUint16(source + x * 2, true) : view.getUint32(source + x * 4, true);
        for (let c = 0; c < channels; c++) {
          const { shift, bits } = shapes[c];
          if (bits === 0) continue;
          const raw = (value & masks[c]) >>> shift;
          data[target + c] = bits >= 8 ? raw >>> (bits - 8) : Math.round((raw * 255) / ((1 << bits) - 1));
        }
      }
    }
  }
  const pilMode = bitsPerPixel <= 8 ? bmpPaletteMode(bytes, paletteAt, paletteEntrySize, header.paletteSize || 1 << bitsPerPixel, header.pixelOffset) : undefined;
  return { width, height, channels, bitDepth: 8, data, ...(pilMode ? { pilMode } : {}) };
}

/**
 * The mode Pillow opens a palette BMP in: "1" for a black-and-white pair, "L" (no mode mark
 * here) when entry i is grey level i, else "P".
 */
function bmpPaletteMode(bytes: Uint8Array, paletteAt: number, entrySize: number, colours: number, pixelOffset: number): 'P' | '1' | undefined {
  const levels = colours === 2 ? [0, 255] : Array.from({ length: colours }, (_, i) => i);
  const greyscale = levels.every((level, index) => {
    const at = paletteAt + index * entrySize;
    return at + 2 < pixelOffset && bytes[at] === level && bytes[at + 1] === level && bytes[at + 2] === level;
  });
  if (!greyscale) return 'P';
  return colours === 2 ? '1' : undefined;
}
