/**
 * GIF decoder for the first frame only (animated GIFs are shown by their first frame, as Pillow
 * opens them). The frame is placed on the logical screen filled with the background colour;
 * transparent pixels keep their palette colour since alpha is dropped before encoding anyway.
 */
import type { DecodedImage } from '../image.ts';
import { DecodeError } from './errors.ts';
import { checkPixelLimit } from './limits.ts';

const MAX_CODE_SIZE = 12;

function truncated(): DecodeError {
  return new DecodeError('truncated', 'This GIF file is cut short (incomplete download or copy); copy the original file again.');
}

export function readGifHeader(bytes: Uint8Array): { width: number; height: number } {
  if (bytes.length < 13) throw truncated();
  return { width: bytes[6] | (bytes[7] << 8), height: bytes[8] | (bytes[9] << 8) };
}

/** Concatenates the data sub-blocks starting at `offset`; returns the data and the offset after them. */
function readSubBlocks(bytes: Uint8Array, offset: number): { data: Uint8Array; next: number } {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    if (offset >= bytes.length) return { data: concat(parts, total), next: offset };
    const size = bytes[offset++];
    if (size === 0) break;
    const end = Math.min(bytes.length, offset + size);
    parts.push(bytes.subarray(offset, end));
    total += end - offset;
    offset += size;
  }
  return { data: concat(parts, total), next: offset };
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** LZW decoding into `pixelCount` palette indices; stops early on a short stream (rest stays 0). */
function decodeLzw(data: Uint8Array, minCodeSize: number, pixelCount: number): Uint8Array {
  if (minCodeSize < 1 || minCodeSize > 11) throw new DecodeError('corrupt', 'This GIF file has an invalid code size; the file is damaged.');
  const out = new Uint8Array(pixelCount);
  const clearCode = 1 << minCodeSize;
  const endCode = clearCode + 1;
  const prefix = new Int32Array(1 << MAX_CODE_SIZE);
  const suffix = new Uint8Array(1 << MAX_CODE_SIZE);
  const firstByte = new Uint8Array(1 << MAX_CODE_SIZE);
  const stack = new Uint8Array((1 << MAX_CODE_SIZE) + 1);
  for (let i = 0; i < clearCode; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    firstByte[i] = i;
  }
  let codeSize = minCodeSize + 1;
  let nextCode = endCode + 1;
  let previous = -1;
  let bitBuffer = 0;
  let bitCount = 0;
  let written = 0;
  let byteIndex = 0;
  while (written < pixelCount) {
    while (bitCount < codeSize && byteIndex < data.length) {
      bitBuffer |= data[byteIndex++] << bitCount;
      bitCount += 8;
    }
    if (bitCount < codeSize) break;
    const code = bitBuffer & ((1 << codeSize) - 1);
    bitBuffer >>>= codeSize;
    bitCount -= codeSize;
    if (code === clearCode) {
      codeSize = minCodeSize + 1;
      nextCode = endCode + 1;
      previous = -1;
      continue;
    }
    if (code === endCode) break;
    let current = code;
    let stackTop = 0;
    if (previous === -1) {
      if (code >= clearCode) throw new DecodeError('corrupt', 'This GIF file has damaged image data; the file cannot be read.');
      out[written++] = code;
      previous = code;
      continue;
    }
    if (code > nextCode || (code >= nextCode && nextCode >= 1 << MAX_CODE_SIZE)) {
      throw new DecodeError('corrupt', 'This GIF file has damaged image data; the file cannot be read.');
    }
    if (code === nextCode) {
      stack[stackTop++] = firstByte[previous];
      current = previous;
    }
    while (current >= clearCode) {
      stack[stackTop++] = suffix[current];
      current = prefix[current];
    }
    stack[stackTop++] = current;
    if (nextCode < 1 << MAX_CODE_SIZE) {
      prefix[nextCode] = previous;
      suffix[nextCode] = current;
      firstByte[nextCode] = firstByte[previous];
      nextCode++;
      if (nextCode === 1 << codeSize && codeSize < MAX_CODE_SIZE) codeSize++;
    }
    while (stackTop > 0 && written < pixelCount) out[written++] = stack[--stackTop];
    previous = code;
  }
  return out;
}

export function decodeGif(bytes: Uint8Array, maxPixels: number): DecodedImage {
  const { width, height } = readGifHeader(bytes);
  checkPixelLimit(width, height, maxPixels);
  const flags = bytes[10];
  let offset = 13;
  let globalTable: Uint8Array | undefined;
  if (flags & 0x80) {
    const size = 3 * (1 << ((flags & 7) + 1));
    globalTable = bytes.subarray(offset, offset + size);
    offset += size;
  }
  const background = bytes[11];
  while (offset < bytes.length) {
    const block = bytes[offset++];
    if (block === 0x21) {
      offset = readSubBlocks(bytes, offset + 1).next;
    } else if (block === 0x2c) {
      if (offset + 9 > bytes.length) throw truncated();
      const left = bytes[offset] | (bytes[offset + 1] << 8);
      const top = bytes[offset + 2] | (bytes[offset + 3] << 8);
      const frameWidth = bytes[offset + 4] | (bytes[offset + 5] << 8);
      const frameHeight = bytes[offset + 6] | (bytes[offset + 7] << 8);
      const frameFlags = bytes[offset + 8];
      offset += 9;
      checkPixelLimit(Math.max(1, frameWidth), Math.max(1, frameHeight), maxPixels);
      let table = globalTable;
      if (frameFlags & 0x80) {
        const size = 3 * (1 << ((frameFlags & 7) + 1));
        table = bytes.subarray(offset, offset + size);
        offset += size;
      }
      if (!table) throw new DecodeError('corrupt', 'This GIF file has no colour table; the file is damaged.');
      if (offset >= bytes.length) throw truncated();
      const minCodeSize = bytes[offset++];
      const { data } = readSubBlocks(bytes, offset);
      const indices = decodeLzw(data, minCodeSize, frameWidth * frameHeight);
      const rowOrder = frameFlags & 0x40 ? interlacedRows(frameHeight) : null;
      return compose(width, height, table, background, indices, { left, top, frameWidth, frameHeight, rowOrder });
    } else if (block === 0x3b) {
      break;
    } else {
      throw new DecodeError('corrupt', 'This GIF file has an unknown block; the file is damaged.');
    }
  }
  throw truncated();
}

/** Destination row of each stored row in an interlaced frame. */
function interlacedRows(height: number): Int32Array {
  const rows = new Int32Array(height);
  let stored = 0;
  for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]] as const) {
    for (let y = start; y < height; y += step) rows[stored++] = y;
  }
  return rows;
}

function compose(
  width: number,
  height: number,
  table: Uint8Array,
  background: number,
  indices: Uint8Array,
  frame: { left: number; top: number; frameWidth: number; frameHeight: number; rowOrder: Int32Array | null },
): DecodedImage {
  const data = new Uint8Array(width * height * 3);
  const colour = (index: number, target: number) => {
    const at = index * 3;
    if (at + 2 < table.length) {
      data[target] = table[at];
      data[target + 1] = table[at + 1];
      data[target + 2] = table[at + 2];
    }
  };
  for (let p = 0; p < width * height; p++) colour(background, p * 3);
  for (let row = 0; row < frame.frameHeight; row++) {
    const y = frame.top + (frame.rowOrder ? frame.rowOrder[row] : row);
    if (y >= height) continue;
    for (let x = 0; x < frame.frameWidth; x++) {
      const dx = frame.left + x;
      if (dx >= width) break;
      colour(indices[row * frame.frameWidth + x], (y * width + dx) * 3);
    }
  }
  // Pillow opens a GIF's first frame in mode "P" (resized with nearest neighbour).
  return { width, height, channels: 3, bitDepth: 8, data, pilMode: 'P' };
}
