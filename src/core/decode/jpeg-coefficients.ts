/**
 * Reads the quantised DCT coefficients of a JPEG (baseline, extended or progressive, Huffman
 * coded), without inverse-transforming them. Only the CMYK path needs this: the libjpeg-turbo
 * build cannot output four components, so each component is handed to it again as a greyscale
 * JPEG of the very same coefficients (see jpeg-cmyk.ts), which keeps libjpeg's own IDCT.
 * Damaged entropy data is read the way libjpeg reads it: missing bits are zeros.
 */
import { DecodeError } from './errors.ts';

export interface CoefficientComponent {
  id: number;
  h: number;
  v: number;
  quantTable: number;
  /** Blocks per row and rows of blocks held (padded to whole MCUs). */
  blocksPerLine: number;
  blocksPerColumn: number;
  /** Blocks that carry image data in a non-interleaved scan: ceil(component size / 8). */
  usedBlocksPerLine: number;
  usedBlocksPerColumn: number;
  /** 64 coefficients per block in natural (row-major) order. */
  coefficients: Int16Array;
}

export interface JpegCoefficients {
  width: number;
  height: number;
  maxH: number;
  maxV: number;
  components: CoefficientComponent[];
  /** Quantisation tables in natural order, by table index. */
  quantTables: (Uint16Array | undefined)[];
}

/** Zig-zag position -> natural position. */
export const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57,
  50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

interface HuffmanTable {
  /** Per code length 1..16: largest code of that length (-1 when none), first symbol index, first code. */
  maxCode: Int32Array;
  valueOffset: Int32Array;
  symbols: Uint8Array;
}

function damaged(): DecodeError {
  return new DecodeError('corrupt', 'This CMYK JPEG file has damaged image data; copy the original file again or re-save it.');
}

function buildHuffman(counts: Uint8Array, symbols: Uint8Array): HuffmanTable {
  const maxCode = new Int32Array(18).fill(-1);
  const valueOffset = new Int32Array(18);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= 16; length++) {
    valueOffset[length] = index - code;
    code += counts[length - 1];
    index += counts[length - 1];
    if (counts[length - 1] > 0) maxCode[length] = code - 1;
    code <<= 1;
  }
  return { maxCode, valueOffset, symbols };
}

class BitReader {
  private bits = 0;
  private count = 0;
  /** Set once a marker ends the entropy data; from then on zeros are fed, as libjpeg does. */
  private hitMarker = false;
  constructor(
    private readonly bytes: Uint8Array,
    public offset: number,
  ) {}

  private fill(): void {
    while (this.count <= 24) {
      let byte = 0;
      if (!this.hitMarker && this.offset < this.bytes.length) {
        byte = this.bytes[this.offset];
        if (byte === 0xff) {
          const next = this.bytes[this.offset + 1];
          if (next === 0x00) this.offset += 2;
          else {
            this.hitMarker = true;
            byte = 0;
          }
        } else this.offset++;
      }
      this.bits = (this.bits << 8) | byte;
      this.count += 8;
    }
  }

  read(n: number): number {
    if (n === 0) return 0;
    if (this.count < n) this.fill();
    this.count -= n;
    return (this.bits >>> this.count) & ((1 << n) - 1);
  }

  decode(table: HuffmanTable): number {
    let code = 0;
    for (let length = 1; length <= 16; length++) {
      code = (code << 1) | this.read(1);
      if (code <= table.maxCode[length]) return table.symbols[table.valueOffset[length] + code];
    }
    throw damaged();
  }

  /** Drops the partial byte and moves past a restart marker. */
  restart(): void {
    this.bits = 0;
    this.count = 0;
    this.hitMarker = false;
    while (this.offset + 1 < this.bytes.length && !(this.bytes[this.offset] === 0xff && this.bytes[this.offset + 1] >= 0xd0 && this.bytes[this.offset + 1] <= 0xd7)) {
      this.offset++;
    }
    if (this.offset + 1 < this.bytes.length) this.offset += 2;
  }

  /** The offset of the marker that ends this entropy-coded segment. */
  endOfScan(): number {
    let at = this.offset;
    while (at + 1 < this.bytes.length && !(this.bytes[at] === 0xff && this.bytes[at + 1] !== 0 && !(this.bytes[at + 1] >= 0xd0 && this.bytes[at + 1] <= 0xd7))) at++;
    return at;
  }
}

function extend(value: number, size: number): number {
  return value < 1 << (size - 1) ? value - (1 << size) + 1 : value;
}

interface Scan {
  components: { component: CoefficientComponent; dc: HuffmanTable | undefined; ac: HuffmanTable | undefined; index: number }[];
  start: number;
  end: number;
  high: number;
  low: number;
}

interface ScanState {
  predictions: Int32Array;
  eobRun: number;
}

function decodeBlock(reader: BitReader, scan: Scan, slot: number, block: number, state: ScanState, progressive: boolean): void {
  const { component, dc, ac, index } = scan.components[slot];
  const coefficients = component.coefficients;
  const base = block * 64;
  if (!progressive) {
    const size = reader.decode(dc!);
    state.predictions[index] += size ? extend(reader.read(size), size) : 0;
    coefficients[base] = state.predictions[index];
    for (let k = 1; k < 64; ) {
      const rs = reader.decode(ac!);
      const run = rs >> 4;
      const size = rs & 15;
      if (size === 0) {
        if (run !== 15) break;
        k += 16;
        continue;
      }
      k += run;
      if (k > 63) break;
      coefficients[base + ZIGZAG[k]] = extend(reader.read(size), size);
      k++;
    }
    return;
  }
  if (scan.start === 0) {
    if (scan.high === 0) {
      const size = reader.decode(dc!);
      state.predictions[index] += size ? extend(reader.read(size), size) : 0;
      coefficients[base] = state.predictions[index] * (1 << scan.low);
    } else if (reader.read(1)) {
      coefficients[base] |= 1 << scan.low;
    }
    return;
  }
  if (scan.high === 0) {
    if (state.eobRun > 0) {
      state.eobRun--;
      return;
    }
    for (let k = scan.start; k <= scan.end; ) {
      const rs = reader.decode(ac!);
      const run = rs >> 4;
      const size = rs & 15;
      if (size === 0) {
        if (run < 15) {
          state.eobRun = (1 << run) - 1 + reader.read(run);
          break;
        }
        k += 16;
        continue;
      }
      k += run;
      if (k > 63) break;
      coefficients[base + ZIGZAG[k]] = extend(reader.read(size), size) * (1 << scan.low);
      k++;
    }
    return;
  }
  refineAc(reader, ac!, coefficients, base, scan, state);
}

/** Successive-approximation refinement of AC coefficients (libjpeg's decode_mcu_AC_refine). */
function refineAc(reader: BitReader, ac: HuffmanTable, coefficients: Int16Array, base: number, scan: Scan, state: ScanState): void {
  const positive = 1 << scan.low;
  const negative = -1 << scan.low;
  let k = scan.start;
  const refine = (at: number) => {
    const value = coefficients[at];
    if (reader.read(1) && (value & positive) === 0) coefficients[at] = value >= 0 ? value + positive : value + negative;
  };
  if (state.eobRun <= 0) {
    for (; k <= scan.end; ) {
      const rs = reader.decode(ac);
      let run = rs >> 4;
      const size = rs & 15;
      let value = 0;
      if (size) {
        value = reader.read(1) ? positive : negative;
      } else if (run !== 15) {
        state.eobRun = (1 << run) + reader.read(run);
        break;
      }
      while (k <= scan.end) {
        const at = base + ZIGZAG[k];
        if (coefficients[at] !== 0) refine(at);
        else {
          if (run === 0) {
            if (value !== 0) coefficients[at] = value;
            k++;
            break;
          }
          run--;
        }
        k++;
      }
    }
  }
  if (state.eobRun > 0) {
    for (; k <= scan.end; k++) {
      const at = base + ZIGZAG[k];
      if (coefficients[at] !== 0) refine(at);
    }
    state.eobRun--;
  }
}

function decodeScan(bytes: Uint8Array, offset: number, frame: JpegCoefficients, scan: Scan, restartInterval: number, progressive: boolean): number {
  const reader = new BitReader(bytes, offset);
  const state: ScanState = { predictions: new Int32Array(frame.components.length), eobRun: 0 };
  const single = scan.components.length === 1;
  const mcusX = Math.ceil(frame.width / (8 * frame.maxH));
  const mcusY = Math.ceil(frame.height / (8 * frame.maxV));
  const units = single
    ? scan.components[0].component.usedBlocksPerLine * scan.components[0].component.usedBlocksPerColumn
    : mcusX * mcusY;
  for (let unit = 0; unit < units; unit++) {
    if (restartInterval > 0 && unit > 0 && unit % restartInterval === 0) {
      reader.restart();
      state.predictions.fill(0);
      state.eobRun = 0;
    }
    if (single) {
      const component = scan.components[0].component;
      const row = Math.floor(unit / component.usedBlocksPerLine);
      const column = unit % component.usedBlocksPerLine;
      decodeBlock(reader, scan, 0, row * component.blocksPerLine + column, state, progressive);
      continue;
    }
    const mcuRow = Math.floor(unit / mcusX);
    const mcuColumn = unit % mcusX;
    for (let slot = 0; slot < scan.components.length; slot++) {
      const component = scan.components[slot].component;
      for (let v = 0; v < component.v; v++) {
        for (let h = 0; h < component.h; h++) {
          const block = (mcuRow * component.v + v) * component.blocksPerLine + mcuColumn * component.h + h;
          decodeBlock(reader, scan, slot, block, state, progressive);
        }
      }
    }
  }
  return reader.endOfScan();
}

/** Parses the whole file and decodes every scan into coefficients. */
export function readJpegCoefficients(bytes: Uint8Array): JpegCoefficients {
  const quantTables: (Uint16Array | undefined)[] = [];
  const dcTables: HuffmanTable[] = [];
  const acTables: HuffmanTable[] = [];
  let frame: JpegCoefficients | undefined;
  let progressive = false;
  let restartInterval = 0;
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) {
      offset++;
      continue;
    }
    const marker = bytes[offset + 1];
    if (marker === 0xff || marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += marker === 0xff ? 1 : 2;
      continue;
    }
    if (marker === 0xd9) break;
    const length = (bytes[offset + 2] << 8) | bytes[offset + 3];
    const start = offset + 4;
    const end = offset + 2 + length;
    if (length < 2 || end > bytes.length) throw damaged();
    if (marker === 0xdb) {
      for (let at = start; at < end; ) {
        const wide = bytes[at] >> 4;
        const table = new Uint16Array(64);
        for (let k = 0; k < 64; k++) table[ZIGZAG[k]] = wide ? (bytes[at + 1 + 2 * k] << 8) | bytes[at + 2 + 2 * k] : bytes[at + 1 + k];
        quantTables[bytes[at] & 15] = table;
        at += 1 + (wide ? 128 : 64);
      }
    } else if (marker === 0xc4) {
      for (let at = start; at < end; ) {
        const counts = bytes.subarray(at + 1, at + 17);
        const total = counts.reduce((sum, n) => sum + n, 0);
        const table = buildHuffman(counts, bytes.slice(at + 17, at + 17 + total));
        (bytes[at] >> 4 === 0 ? dcTables : acTables)[bytes[at] & 15] = table;
        at += 17 + total;
      }
    } else if (marker === 0xdd) {
      restartInterval = (bytes[start] << 8) | bytes[start + 1];
    } else if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      progressive = marker === 0xc2;
      frame = readFrame(bytes, start, quantTables);
    } else if (marker === 0xda) {
      if (!frame) throw damaged();
      const count = bytes[start];
      const scan: Scan = { components: [], start: 0, end: 0, high: 0, low: 0 };
      for (let i = 0; i < count; i++) {
        const id = bytes[start + 1 + i * 2];
        const tables = bytes[start + 2 + i * 2];
        const index = frame.components.findIndex((c) => c.id === id);
        if (index < 0) throw damaged();
        scan.components.push({ component: frame.components[index], dc: dcTables[tables >> 4], ac: acTables[tables & 15], index });
      }
      const tail = start + 1 + count * 2;
      scan.start = bytes[tail];
      scan.end = bytes[tail + 1];
      scan.high = bytes[tail + 2] >> 4;
      scan.low = bytes[tail + 2] & 15;
      offset = decodeScan(bytes, end, frame, scan, restartInterval, progressive);
      continue;
    }
    offset = end;
  }
  if (!frame) throw damaged();
  return { ...frame, quantTables };
}

function readFrame(bytes: Uint8Array, start: number, quantTables: (Uint16Array | undefined)[]): JpegCoefficients {
  const height = (bytes[start + 1] << 8) | bytes[start + 2];
  const width = (bytes[start + 3] << 8) | bytes[start + 4];
  const count = bytes[start + 5];
  const raw = Array.from({ length: count }, (_, i) => ({
    id: bytes[start + 6 + i * 3],
    h: bytes[start + 7 + i * 3] >> 4,
    v: bytes[start + 7 + i * 3] & 15,
    quantTable: bytes[start + 8 + i * 3],
  }));
  if (raw.some((c) => c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4)) throw damaged();
  const maxH = Math.max(...raw.map((c) => c.h));
  const maxV = Math.max(...raw.map((c) => c.v));
  const mcusX = Math.ceil(width / (8 * maxH));
  const mcusY = Math.ceil(height / (8 * maxV));
  const components = raw.map((c) => {
    const blocksPerLine = mcusX * c.h;
    const blocksPerColumn = mcusY * c.v;
    return {
      ...c,
      blocksPerLine,
      blocksPerColumn,
      usedBlocksPerLine: Math.ceil(Math.ceil((width * c.h) / maxH) / 8),
      usedBlocksPerColumn: Math.ceil(Math.ceil((height * c.v) / maxV) / 8),
      coefficients: new Int16Array(blocksPerLine * blocksPerColumn * 64),
    };
  });
  return { width, height, maxH, maxV, components, quantTables };
}
