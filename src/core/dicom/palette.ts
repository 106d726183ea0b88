/**
 * PALETTE COLOR lookup tables, plain (0028,12x1) or segmented (0028,122x; PS3.3 C.7.9.2).
 */
import type { DataSet } from 'dicom-parser';
import { DecodeError } from '../decode/errors.ts';
import { readWords, TAG } from './parse.ts';

export interface PaletteChannel {
  firstMapped: number;
  /** 8 or 16: 16-bit entries are shown by their high byte. */
  bits: number;
  lut: Uint16Array;
}

const MAX_INDIRECTION_DEPTH = 4;

function expandSegments(words: Uint16Array, entries: number): Uint16Array {
  const out = new Uint16Array(entries);
  let written = 0;
  let last = 0;
  const run = (start: number, end: number, depth: number): void => {
    let at = start;
    while (at + 1 < end && written < entries) {
      const opcode = words[at];
      const length = words[at + 1];
      at += 2;
      if (opcode === 0) {
        for (let i = 0; i < length && at < end && written < entries; i++, at++) out[written++] = last = words[at];
      } else if (opcode === 1) {
        if (at >= end) break;
        const target = words[at++];
        const from = last;
        for (let i = 1; i <= length && written < entries; i++) out[written++] = last = Math.round(from + ((target - from) * i) / length);
      } else if (opcode === 2) {
        if (at + 1 >= end || depth >= MAX_INDIRECTION_DEPTH) break;
        const offset = words[at] | (words[at + 1] << 16);
        at += 2;
        let segmentStart = offset;
        for (let s = 0; s < length && segmentStart + 1 < words.length; s++) {
          const segmentLength = words[segmentStart] === 1 ? 3 : words[segmentStart] === 2 ? 4 : 2 + words[segmentStart + 1];
          run(segmentStart, Math.min(words.length, segmentStart + segmentLength), depth + 1);
          segmentStart += segmentLength;
        }
      } else {
        throw new DecodeError('dicom-corrupt', 'The segmented colour palette of this DICOM file is damaged; the file cannot be shown.');
      }
    }
  };
  run(0, words.length, 0);
  return out;
}

function readChannel(dataSet: DataSet, descriptorTag: string, dataTag: string, segmentedTag: string): PaletteChannel {
  const descriptor = dataSet.elements[descriptorTag];
  if (!descriptor || descriptor.length < 6) {
    throw new DecodeError('dicom-corrupt', 'This PALETTE COLOR DICOM file has no palette descriptor; the file is damaged.');
  }
  const entriesRaw = dataSet.uint16(descriptorTag, 0) ?? 0;
  const entries = entriesRaw === 0 ? 65536 : entriesRaw;
  const firstRaw = dataSet.uint16(descriptorTag, 1) ?? 0;
  const pixelRepresentation = dataSet.uint16(TAG.pixelRepresentation) ?? 0;
  const firstMapped = pixelRepresentation === 1 && firstRaw >= 0x8000 ? firstRaw - 0x10000 : firstRaw;
  const bits = dataSet.uint16(descriptorTag, 2) ?? 16;
  const plain = dataSet.elements[dataTag];
  const segmented = dataSet.elements[segmentedTag];
  let lut: Uint16Array;
  if (plain && plain.length > 0) {
    const words = readWords(dataSet, plain);
    // 8-bit tables may be packed two entries per word.
    if (bits === 8 && words.length * 2 === entries) {
      lut = new Uint16Array(entries);
      for (let i = 0; i < entries; i++) lut[i] = (words[i >> 1] >> ((i & 1) * 8)) & 0xff;
    } else {
      lut = words;
    }
  } else if (segmented && segmented.length > 0) {
    lut = expandSegments(readWords(dataSet, segmented), entries);
  } else {
    throw new DecodeError('dicom-corrupt', 'This PALETTE COLOR DICOM file has no palette data; the file is damaged.');
  }
  if (lut.length === 0) throw new DecodeError('dicom-corrupt', 'This PALETTE COLOR DICOM file has an empty palette; the file is damaged.');
  return { firstMapped, bits, lut };
}

export function readPalette(dataSet: DataSet): [PaletteChannel, PaletteChannel, PaletteChannel] {
  return [
    readChannel(dataSet, TAG.redDescriptor, TAG.redData, TAG.redSegmented),
    readChannel(dataSet, TAG.greenDescriptor, TAG.greenData, TAG.greenSegmented),
    readChannel(dataSet, TAG.blueDescriptor, TAG.blueData, TAG.blueSegmented),
  ];
}
