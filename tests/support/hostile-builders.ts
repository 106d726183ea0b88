/**
 * Byte-level builders for test files (no committed binaries): PNG with any header, DC-only JPEG
 * (grey, RGB or Adobe CMYK), GIF with several frames, BMP, and DICOM Part 10 files in explicit VR
 * little endian with native or encapsulated pixel data. Pure TypeScript, usable in Node and browser.
 */
import { crc32 } from '../../src/core/formats/png-encode.ts';
import { zlibSync } from 'fflate';

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(ascii(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export interface PngSpec {
  width: number;
  height: number;
  bitDepth?: number;
  colorType?: number;
  /** Raw scanlines WITHOUT filter bytes (filter 0 is added); samples big-endian for 16-bit. */
  raw?: Uint8Array;
  /** Replace the compressed IDAT payload (for bombs and damage). */
  idat?: Uint8Array;
  palette?: Uint8Array;
  transparency?: Uint8Array;
}

export function buildPng(spec: PngSpec): Uint8Array {
  const bitDepth = spec.bitDepth ?? 8;
  const colorType = spec.colorType ?? 0;
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, spec.width);
  view.setUint32(4, spec.height);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  let idat = spec.idat;
  if (!idat) {
    const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType] ?? 1;
    const rowBytes = Math.ceil((spec.width * channels * bitDepth) / 8);
    const raw = spec.raw ?? new Uint8Array(rowBytes * spec.height);
    const filtered = new Uint8Array((rowBytes + 1) * spec.height);
    for (let y = 0; y < spec.height; y++) filtered.set(raw.subarray(y * rowBytes, (y + 1) * rowBytes), y * (rowBytes + 1) + 1);
    idat = zlibSync(filtered);
  }
  const chunks = [pngChunk('IHDR', ihdr)];
  if (spec.palette) chunks.push(pngChunk('PLTE', spec.palette));
  if (spec.transparency) chunks.push(pngChunk('tRNS', spec.transparency));
  chunks.push(pngChunk('IDAT', idat), pngChunk('IEND', new Uint8Array()));
  return concatBytes([Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), ...chunks]);
}

/** Writes bits MSB first with JPEG byte stuffing (0xFF -> 0xFF 0x00). */
class BitWriter {
  private bytes: number[] = [];
  private current = 0;
  private count = 0;
  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.current = (this.current << 1) | ((value >> i) & 1);
      if (++this.count === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.bytes.push(this.current);
    if (this.current === 0xff) this.bytes.push(0);
    this.current = 0;
    this.count = 0;
  }
  finish(): Uint8Array {
    while (this.count !== 0) this.write(1, 1);
    return Uint8Array.from(this.bytes);
  }
}

function segment(marker: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  out[0] = 0xff;
  out[1] = marker;
  out[2] = (payload.length + 2) >> 8;
  out[3] = (payload.length + 2) & 0xff;
  out.set(payload, 4);
  return out;
}

/**
 * A baseline JPEG in which every 8x8 block is one flat colour: `blockValue(component, bx, by)`
 * gives the 8-bit sample of each component in each block (DC-only coding, quantiser 8, so the
 * decoded value equals the requested one). 4 components are written with an Adobe marker (CMYK,
 * Adobe's inverted convention: 255 = no ink).
 */
export function buildBlockJpeg(width: number, height: number, components: 1 | 3 | 4, blockValue: (c: number, bx: number, by: number) => number): Uint8Array {
  const blocksX = Math.ceil(width / 8);
  const blocksY = Math.ceil(height / 8);
  const quant = new Uint8Array(65).fill(8);
  quant[0] = 0;
  const dcCounts = new Uint8Array(16);
  dcCounts[3] = 12; // twelve 4-bit codes: categories 0..11
  const dcTable = concatBytes([Uint8Array.of(0x00), dcCounts, Uint8Array.from({ length: 12 }, (_, i) => i)]);
  const acCounts = new Uint8Array(16);
  acCounts[0] = 1; // one 1-bit code: end of block
  const acTable = concatBytes([Uint8Array.of(0x10), acCounts, Uint8Array.of(0x00)]);
  const sof = new Uint8Array(6 + components * 3);
  sof.set([8, height >> 8, height & 0xff, width >> 8, width & 0xff, components]);
  for (let c = 0; c < components; c++) sof.set([c + 1, 0x11, 0], 6 + c * 3);
  const sos = new Uint8Array(4 + components * 2);
  sos[0] = components;
  for (let c = 0; c < components; c++) sos.set([c + 1, 0x00], 1 + c * 2);
  sos.set([0, 63, 0], 1 + components * 2);
  const bits = new BitWriter();
  const previous = new Int32Array(components);
  for (let by = 0; by < blocksY; by++) {
    for (let bx = 0; bx < blocksX; bx++) {
      for (let c = 0; c < components; c++) {
        const dc = Math.round(blockValue(c, bx, by)) - 128;
        const diff = dc - previous[c];
        previous[c] = dc;
        const category = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
        bits.write(category, 4);
        if (category > 0) bits.write(diff > 0 ? diff : diff + (1 << category) - 1, category);
        bits.write(0, 1);
      }
    }
  }
  const parts: Uint8Array[] = [Uint8Array.of(0xff, 0xd8)];
  if (components === 4) parts.push(segment(0xee, concatBytes([ascii('Adobe'), Uint8Array.of(0, 100, 0, 0, 0, 0, 0)])));
  parts.push(
    segment(0xdb, quant),
    segment(0xc0, sof),
    segment(0xc4, dcTable),
    segment(0xc4, acTable),
    segment(0xda, sos),
    bits.finish(),
    Uint8Array.of(0xff, 0xd9),
  );
  return concatBytes(parts);
}

/**
 * A GIF whose frames are full-screen images of palette indices, LZW-coded with a clear code
 * after every two literals so codes never grow past minimum + 1 bits.
 */
export function buildGif(width: number, height: number, palette: number[][], frames: Uint8Array[]): Uint8Array {
  const tableBits = Math.max(1, Math.ceil(Math.log2(Math.max(2, palette.length))));
  const tableSize = 1 << tableBits;
  const table = new Uint8Array(tableSize * 3);
  palette.forEach((rgb, i) => table.set(rgb, i * 3));
  const minCodeSize = Math.max(2, tableBits);
  const parts: Uint8Array[] = [ascii('GIF89a'), Uint8Array.of(width & 0xff, width >> 8, height & 0xff, height >> 8, 0x80 | (tableBits - 1), 0, 0), table];
  parts.push(Uint8Array.of(0x21, 0xff, 11), ascii('NETSCAPE2.0'), Uint8Array.of(3, 1, 0, 0, 0));
  for (const indices of frames) {
    parts.push(Uint8Array.of(0x21, 0xf9, 4, 0, 10, 0, 0, 0));
    parts.push(Uint8Array.of(0x2c, 0, 0, 0, 0, width & 0xff, width >> 8, height & 0xff, height >> 8, 0));
    const codeSize = minCodeSize + 1;
    const clear = 1 << minCodeSize;
    const codes: number[] = [];
    indices.forEach((index, i) => {
      if (i % 2 === 0) codes.push(clear);
      codes.push(index);
    });
    codes.push(clear + 1);
    const bytes: number[] = [];
    let buffer = 0;
    let count = 0;
    for (const code of codes) {
      buffer |= code << count;
      count += codeSize;
      while (count >= 8) {
        bytes.push(buffer & 0xff);
        buffer >>= 8;
        count -= 8;
      }
    }
    if (count > 0) bytes.push(buffer & 0xff);
    parts.push(Uint8Array.of(minCodeSize));
    for (let i = 0; i < bytes.length; i += 255) {
      const block = bytes.slice(i, i + 255);
      parts.push(Uint8Array.of(block.length), Uint8Array.from(block));
    }
    parts.push(Uint8Array.of(0));
  }
  parts.push(Uint8Array.of(0x3b));
  return concatBytes(parts);
}

/** A 24-bit bottom-up BMP of interleaved RGB pixels. */
export function buildBmp(width: number, height: number, rgb: Uint8Array): Uint8Array {
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const out = new Uint8Array(54 + rowBytes * height);
  const view = new DataView(out.buffer);
  out.set(ascii('BM'));
  view.setUint32(2, out.length, true);
  view.setUint32(10, 54, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, width, true);
  view.setInt32(22, height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, 24, true);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * rowBytes;
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      out[row + x * 3] = rgb[s + 2];
      out[row + x * 3 + 1] = rgb[s + 1];
      out[row + x * 3 + 2] = rgb[s];
    }
  }
  return out;
}

export interface DicomElementSpec {
  tag: [number, number];
  vr: string;
  value: Uint8Array | string | number | number[];
  /** Write this length instead of the real one (to build damaged files). */
  lengthOverride?: number;
}

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN']);

function encodeValue(vr: string, value: DicomElementSpec['value']): Uint8Array {
  if (value instanceof Uint8Array) return value.length % 2 ? concatBytes([value, Uint8Array.of(0)]) : value;
  if (vr === 'US') {
    const values = Array.isArray(value) ? value : [Number(value)];
    const out = new Uint8Array(values.length * 2);
    values.forEach((v, i) => new DataView(out.buffer).setUint16(i * 2, v, true));
    return out;
  }
  if (vr === 'UL') {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, Number(value), true);
    return out;
  }
  const text = Array.isArray(value) ? value.join('\\') : String(value);
  const padded = text.length % 2 ? text + (vr === 'UI' ? '\0' : ' ') : text;
  return ascii(padded);
}

function encodeElement(element: DicomElementSpec): Uint8Array {
  const value = encodeValue(element.vr, element.value);
  const long = LONG_VRS.has(element.vr);
  const header = new Uint8Array(long ? 12 : 8);
  const view = new DataView(header.buffer);
  view.setUint16(0, element.tag[0], true);
  view.setUint16(2, element.tag[1], true);
  header.set(ascii(element.vr), 4);
  const length = element.lengthOverride ?? value.length;
  if (long) view.setUint32(8, length, true);
  else view.setUint16(6, length, true);
  return concatBytes([header, value]);
}

/** Encapsulated pixel data: empty basic offset table, one fragment per entry, delimiter. */
export function encapsulate(fragments: Uint8Array[]): Uint8Array {
  const item = (data: Uint8Array) => {
    const padded = data.length % 2 ? concatBytes([data, Uint8Array.of(0)]) : data;
    const header = new Uint8Array(8);
    const view = new DataView(header.buffer);
    view.setUint16(0, 0xfffe, true);
    view.setUint16(2, 0xe000, true);
    view.setUint32(4, padded.length, true);
    return concatBytes([header, padded]);
  };
  const header = new Uint8Array(12);
  const view = new DataView(header.buffer);
  view.setUint16(0, 0x7fe0, true);
  view.setUint16(2, 0x0010, true);
  header.set(ascii('OB'), 4);
  view.setUint32(8, 0xffffffff, true);
  const end = new Uint8Array(8);
  new DataView(end.buffer).setUint16(0, 0xfffe, true);
  new DataView(end.buffer).setUint16(2, 0xe0dd, true);
  return concatBytes([header, item(new Uint8Array()), ...fragments.map(item), end]);
}

export const EXPLICIT_LE = '1.2.840.10008.1.2.1';

export interface DicomSpec {
  transferSyntax?: string;
  rows: number;
  columns: number;
  bitsAllocated?: number;
  bitsStored?: number;
  pixelRepresentation?: number;
  samplesPerPixel?: number;
  photometric?: string;
  frames?: number;
  /** Native pixel bytes (little endian). */
  pixels?: Uint8Array;
  /** Compressed frames (encapsulated). */
  fragments?: Uint8Array[];
  windowCenter?: number;
  windowWidth?: number;
  rescaleSlope?: number;
  rescaleIntercept?: number;
  /** Further data set elements (e.g. identifying ones, to check they never come out). */
  extra?: DicomElementSpec[];
}

/** A DICOM Part 10 file: preamble, DICM, meta header, then the data set in explicit VR LE. */
export function buildDicom(spec: DicomSpec): Uint8Array {
  const transferSyntax = spec.transferSyntax ?? EXPLICIT_LE;
  const metaElements = [
    encodeElement({ tag: [0x0002, 0x0001], vr: 'OB', value: Uint8Array.of(0, 1) }),
    encodeElement({ tag: [0x0002, 0x0002], vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' }),
    encodeElement({ tag: [0x0002, 0x0003], vr: 'UI', value: '1.2.3.4.5.6.7.8.9' }),
    encodeElement({ tag: [0x0002, 0x0010], vr: 'UI', value: transferSyntax }),
  ];
  const metaLength = metaElements.reduce((n, e) => n + e.length, 0);
  const bitsAllocated = spec.bitsAllocated ?? 16;
  const elements: DicomElementSpec[] = [
    { tag: [0x0008, 0x0060], vr: 'CS', value: 'OT' },
    ...(spec.extra ?? []),
    { tag: [0x0028, 0x0002], vr: 'US', value: spec.samplesPerPixel ?? 1 },
    { tag: [0x0028, 0x0004], vr: 'CS', value: spec.photometric ?? 'MONOCHROME2' },
    ...(spec.frames ? [{ tag: [0x0028, 0x0008], vr: 'IS', value: String(spec.frames) } as DicomElementSpec] : []),
    { tag: [0x0028, 0x0010], vr: 'US', value: spec.rows },
    { tag: [0x0028, 0x0011], vr: 'US', value: spec.columns },
    { tag: [0x0028, 0x0100], vr: 'US', value: bitsAllocated },
    { tag: [0x0028, 0x0101], vr: 'US', value: spec.bitsStored ?? bitsAllocated },
    { tag: [0x0028, 0x0102], vr: 'US', value: (spec.bitsStored ?? bitsAllocated) - 1 },
    { tag: [0x0028, 0x0103], vr: 'US', value: spec.pixelRepresentation ?? 0 },
    ...(spec.windowCenter !== undefined ? [{ tag: [0x0028, 0x1050], vr: 'DS', value: String(spec.windowCenter) } as DicomElementSpec] : []),
    ...(spec.windowWidth !== undefined ? [{ tag: [0x0028, 0x1051], vr: 'DS', value: String(spec.windowWidth) } as DicomElementSpec] : []),
    ...(spec.rescaleIntercept !== undefined ? [{ tag: [0x0028, 0x1052], vr: 'DS', value: String(spec.rescaleIntercept) } as DicomElementSpec] : []),
    ...(spec.rescaleSlope !== undefined ? [{ tag: [0x0028, 0x1053], vr: 'DS', value: String(spec.rescaleSlope) } as DicomElementSpec] : []),
  ];
  elements.sort((a, b) => a.tag[0] - b.tag[0] || a.tag[1] - b.tag[1]);
  const body = elements.map(encodeElement);
  if (spec.fragments) body.push(encapsulate(spec.fragments));
  else if (spec.pixels) body.push(encodeElement({ tag: [0x7fe0, 0x0010], vr: bitsAllocated > 8 ? 'OW' : 'OB', value: spec.pixels }));
  return concatBytes([
    new Uint8Array(128),
    ascii('DICM'),
    encodeElement({ tag: [0x0002, 0x0000], vr: 'UL', value: metaLength }),
    ...metaElements,
    ...body,
  ]);
}

/** Little-endian bytes of 16-bit samples. */
export function uint16Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setUint16(i * 2, values[i] & 0xffff, true);
  return out;
}

/** Deterministic pseudo-random bytes (mulberry32). */
export function seededBytes(length: number, seed: number): Uint8Array {
  let state = seed >>> 0;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}
