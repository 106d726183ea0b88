/**
 * Four-component JPEGs (CMYK, YCCK) decoded as Pillow decodes them. The libjpeg-turbo build
 * only outputs grey or RGB, so each component's quantised coefficients are written out again as
 * a greyscale JPEG (same quantisation table, same coefficients; only the Huffman coding changes)
 * and decoded by libjpeg-turbo: the IDCT is libjpeg's own. What libjpeg does after the IDCT is
 * reproduced here from its source: fancy upsampling of subsampled components (jdsample.c) and
 * the YCCK -> CMYK conversion (jdcolor.c). Pillow then stores CMYK inverted ("CMYK;I", it
 * assumes Adobe's convention for every CMYK JPEG); the result is returned in that form, as
 * `pilMode: 'CMYK'`, and converted to RGB only where Pillow would convert it.
 */
import type { DecodedImage } from '../image.ts';
import { DecodeError } from './errors.ts';
import { type CoefficientComponent, type JpegCoefficients, readJpegCoefficients, ZIGZAG } from './jpeg-coefficients.ts';
import { decodeWithLibjpegTurbo, type JpegFrameHeader } from './jpeg.ts';

class BitWriter {
  private readonly bytes: number[] = [];
  private buffer = 0;
  private count = 0;

  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.buffer = (this.buffer << 1) | ((value >> i) & 1);
      if (++this.count === 8) {
        this.bytes.push(this.buffer);
        if (this.buffer === 0xff) this.bytes.push(0);
        this.buffer = 0;
        this.count = 0;
      }
    }
  }

  /** Pads the last byte with ones, as the standard asks. */
  finish(): Uint8Array {
    if (this.count > 0) this.write(0xff, 8 - this.count);
    return Uint8Array.from(this.bytes);
  }
}

// Fixed-length codes cover every symbol a coefficient can need (sizes up to 15 bits), so no
// table has to be optimised: DC categories 0..15 as 5-bit codes, AC run/size pairs, EOB and ZRL
// as 8-bit codes (neither table uses the all-ones code the standard forbids).
const DC_SYMBOLS = Uint8Array.from({ length: 16 }, (_, i) => i);
const AC_SYMBOLS = Uint8Array.from([0x00, 0xf0, ...Array.from({ length: 16 * 15 }, (_, i) => ((i / 15) << 4) | ((i % 15) + 1))]);
const DC_LENGTH = 5;
const AC_LENGTH = 8;
const AC_CODE = new Int32Array(256).fill(-1);
AC_SYMBOLS.forEach((symbol, code) => (AC_CODE[symbol] = code));

function segment(marker: number, body: Uint8Array | number[]): number[] {
  const length = body.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...body];
}

function huffmanSegment(tableClass: number, symbols: Uint8Array, codeLength: number): number[] {
  const counts = new Array<number>(16).fill(0);
  counts[codeLength - 1] = symbols.length;
  return segment(0xc4, [(tableClass << 4) | 0, ...counts, ...symbols]);
}

function category(value: number): number {
  let magnitude = Math.abs(value);
  let size = 0;
  while (magnitude > 0) {
    size++;
    magnitude >>= 1;
  }
  return size;
}

function writeValue(bits: BitWriter, value: number, size: number): void {
  if (size > 0) bits.write(value >= 0 ? value : value + (1 << size) - 1, size);
}

/** A baseline (or, with 16-bit tables, extended) greyscale JPEG holding one component's coefficients. */
export function componentAsGreyJpeg(component: CoefficientComponent, quant: Uint16Array, width: number, height: number): Uint8Array {
  const wide = quant.some((q) => q > 255);
  const table: number[] = [wide ? 0x10 : 0x00];
  for (let k = 0; k < 64; k++) {
    const q = quant[ZIGZAG[k]];
    if (wide) table.push(q >> 8, q & 0xff);
    else table.push(q);
  }
  const bits = new BitWriter();
  let previous = 0;
  for (let row = 0; row < component.usedBlocksPerColumn; row++) {
    for (let column = 0; column < component.usedBlocksPerLine; column++) {
      const base = (row * component.blocksPerLine + column) * 64;
      const coefficients = component.coefficients;
      const diff = coefficients[base] - previous;
      previous = coefficients[base];
      const dcSize = category(diff);
      bits.write(dcSize, DC_LENGTH);
      writeValue(bits, diff, dcSize);
      let run = 0;
      for (let k = 1; k < 64; k++) {
        const value = coefficients[base + ZIGZAG[k]];
        if (value === 0) {
          run++;
          continue;
        }
        for (; run >= 16; run -= 16) bits.write(AC_CODE[0xf0], AC_LENGTH);
        const size = category(value);
        if (size > 15) throw new DecodeError('corrupt', 'This CMYK JPEG file has damaged image data; copy the original file again or re-save it.');
        bits.write(AC_CODE[(run << 4) | size], AC_LENGTH);
        writeValue(bits, value, size);
        run = 0;
      }
      if (run > 0) bits.write(AC_CODE[0x00], AC_LENGTH);
    }
  }
  const bytes = [
    0xff, 0xd8,
    ...segment(0xdb, table),
    ...segment(wide ? 0xc1 : 0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    ...huffmanSegment(0, DC_SYMBOLS, DC_LENGTH),
    ...huffmanSegment(1, AC_SYMBOLS, AC_LENGTH),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
  ];
  const scan = bits.finish();
  const out = new Uint8Array(bytes.length + scan.length + 2);
  out.set(bytes);
  out.set(scan, bytes.length);
  out.set([0xff, 0xd9], bytes.length + scan.length);
  return out;
}

/** libjpeg's h2v1 fancy upsampling of one row (triangle filter, alternating rounding bias). */
function fancyRow(input: Uint8Array, at: number, width: number, out: Uint8Array, outAt: number): void {
  out[outAt] = input[at];
  out[outAt + 1] = (input[at] * 3 + input[at + 1] + 2) >> 2;
  for (let x = 1; x < width - 1; x++) {
    const value = input[at + x] * 3;
    out[outAt + 2 * x] = (value + input[at + x - 1] + 1) >> 2;
    out[outAt + 2 * x + 1] = (value + input[at + x + 1] + 2) >> 2;
  }
  const last = input[at + width - 1];
  out[outAt + 2 * width - 2] = (last * 3 + input[at + width - 2] + 1) >> 2;
  out[outAt + 2 * width - 1] = last;
}

/**
 * A component plane (`width` x `height`, its downsampled size) brought to full resolution the way
 * libjpeg-turbo's upsampler does: fancy h2v1, h1v2 and h2v2 where it applies them (edge rows and
 * columns replicated), plain replication for any other integer ratio. Returns `fullWidth` x `fullHeight`.
 */
export function upsamplePlane(plane: Uint8Array, width: number, height: number, hScale: number, vScale: number, fullWidth: number, fullHeight: number): Uint8Array {
  const outWidth = width * hScale;
  const up = new Uint8Array(outWidth * height * vScale);
  const fancy = (hScale === 2 && (vScale === 1 || vScale === 2) && width > 2) || (hScale === 1 && vScale === 2);
  if (fancy && vScale === 1) {
    for (let y = 0; y < height; y++) fancyRow(plane, y * width, width, up, y * outWidth);
  } else if (fancy && hScale === 1) {
    for (let y = 0; y < height; y++) {
      const above = plane.subarray(Math.max(0, y - 1) * width);
      const below = plane.subarray(Math.min(height - 1, y + 1) * width);
      for (let x = 0; x < width; x++) {
        const value = plane[y * width + x] * 3;
        up[2 * y * outWidth + x] = (value + above[x] + 1) >> 2;
        up[(2 * y + 1) * outWidth + x] = (value + below[x] + 2) >> 2;
      }
    }
  } else if (fancy) {
    for (let y = 0; y < height; y++) {
      for (let half = 0; half < 2; half++) {
        const neighbour = plane.subarray((half === 0 ? Math.max(0, y - 1) : Math.min(height - 1, y + 1)) * width);
        const outAt = (2 * y + half) * outWidth;
        const column = (x: number) => plane[y * width + x] * 3 + neighbour[x];
        let current = column(0);
        let next = column(1);
        up[outAt] = (current * 4 + 8) >> 4;
        up[outAt + 1] = (current * 3 + next + 7) >> 4;
        let last = current;
        current = next;
        for (let x = 1; x < width - 1; x++) {
          next = column(x + 1);
          up[outAt + 2 * x] = (current * 3 + last + 8) >> 4;
          up[outAt + 2 * x + 1] = (current * 3 + next + 7) >> 4;
          last = current;
          current = next;
        }
        up[outAt + 2 * width - 2] = (current * 3 + last + 8) >> 4;
        up[outAt + 2 * width - 1] = (current * 4 + 7) >> 4;
      }
    }
  } else {
    for (let y = 0; y < height * vScale; y++) {
      for (let x = 0; x < outWidth; x++) up[y * outWidth + x] = plane[Math.floor(y / vScale) * width + Math.floor(x / hScale)];
    }
  }
  if (outWidth === fullWidth && height * vScale === fullHeight) return up;
  const out = new Uint8Array(fullWidth * fullHeight);
  for (let y = 0; y < fullHeight; y++) out.set(up.subarray(y * outWidth, y * outWidth + fullWidth), y * fullWidth);
  return out;
}

/** jdcolor.c's fixed-point YCbCr tables (SCALEBITS 16). */
const FIX = (x: number) => Math.trunc(x * 65536 + 0.5);
const CR_R = Int32Array.from({ length: 256 }, (_, i) => (FIX(1.402) * (i - 128) + 32768) >> 16);
const CB_B = Int32Array.from({ length: 256 }, (_, i) => (FIX(1.772) * (i - 128) + 32768) >> 16);
const CR_G = Int32Array.from({ length: 256 }, (_, i) => -FIX(0.71414) * (i - 128));
const CB_G = Int32Array.from({ length: 256 }, (_, i) => -FIX(0.34414) * (i - 128) + 32768);
const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/** libjpeg's choice for four components: YCCK when an Adobe marker says so (or is unclear), else CMYK. */
function isYcck(header: JpegFrameHeader): boolean {
  return header.adobeTransform !== undefined && header.adobeTransform !== 0;
}

function decodedComponentSize(frame: JpegCoefficients, component: CoefficientComponent): { width: number; height: number } {
  return { width: Math.ceil((frame.width * component.h) / frame.maxH), height: Math.ceil((frame.height * component.v) / frame.maxV) };
}

export async function decodeJpegCmyk(bytes: Uint8Array, header: JpegFrameHeader): Promise<DecodedImage> {
  const frame = readJpegCoefficients(bytes);
  if (frame.components.length !== 4 || frame.width !== header.width || frame.height !== header.height) {
    throw new DecodeError('corrupt', 'This CMYK JPEG file has inconsistent headers; the file is damaged.');
  }
  const planes: Uint8Array[] = [];
  for (const component of frame.components) {
    const quant = frame.quantTables[component.quantTable];
    if (!quant) throw new DecodeError('corrupt', 'This CMYK JPEG file lacks a quantisation table; the file is damaged.');
    if (frame.maxH % component.h !== 0 || frame.maxV % component.v !== 0) {
      throw new DecodeError('unsupported', 'This CMYK JPEG uses a fractional sampling ratio, which is not supported; re-save it as RGB.');
    }
    const size = decodedComponentSize(frame, component);
    const grey = componentAsGreyJpeg(component, quant, size.width, size.height);
    const decoded = await decodeWithLibjpegTurbo(grey, { width: size.width, height: size.height, precision: 8, components: 1, process: 0, strayBytes: 0 });
    planes.push(upsamplePlane(decoded.data as Uint8Array, size.width, size.height, frame.maxH / component.h, frame.maxV / component.v, frame.width, frame.height));
  }
  const pixelCount = frame.width * frame.height;
  const data = new Uint8Array(pixelCount * 4);
  const ycck = isYcck(header);
  for (let p = 0, o = 0; p < pixelCount; p++, o += 4) {
    let c = planes[0][p];
    let m = planes[1][p];
    let y = planes[2][p];
    if (ycck) {
      const luma = c;
      const cb = m;
      const cr = y;
      c = 255 - clamp8(luma + CR_R[cr]);
      m = 255 - clamp8(luma + ((CB_G[cb] + CR_G[cr]) >> 16));
      y = 255 - clamp8(luma + CB_B[cb]);
    }
    // Pillow's "CMYK;I": every CMYK JPEG is taken as Adobe-inverted.
    data[o] = 255 - c;
    data[o + 1] = 255 - m;
    data[o + 2] = 255 - y;
    data[o + 3] = 255 - planes[3][p];
  }
  return { width: frame.width, height: frame.height, channels: 4, bitDepth: 8, data, pilMode: 'CMYK' };
}
