/**
 * The hostile-input corpus (issue 8): files a user might drop by mistake or malice, each with the
 * outcome ingest must give — a decoded image of a known size, or a per-file error with one of the
 * listed codes. Generated in memory; nothing binary is committed.
 */
import {
  buildBlockJpeg,
  buildBmp,
  buildDicom,
  buildGif,
  buildPng,
  concatBytes,
  seededBytes,
  uint16Bytes,
} from './hostile-builders.ts';
import { zlibSync } from 'fflate';

export type HostileExpectation =
  | { ok: true; width: number; height: number; kind?: 'image' | 'dicom' }
  | { ok: false; codes: string[] }
  /** Either outcome is acceptable (e.g. a truncated JPEG may decode partially) — never a crash. */
  | { ok: 'either' };

export interface HostileFile {
  name: string;
  bytes: Uint8Array;
  expect: HostileExpectation;
  /** What the case is about, for test titles. */
  about: string;
}

function gradientGrey(width: number, height: number): Uint8Array {
  const raw = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) raw[y * width + x] = (x * 7 + y * 3) & 0xff;
  return raw;
}

/** A 64 x 48 grey DICOM with a 16-bit ramp, the base of the DICOM cases. */
export function validDicom(extra: Parameters<typeof buildDicom>[0]['extra'] = []): Uint8Array {
  const rows = 48;
  const columns = 64;
  const values = Array.from({ length: rows * columns }, (_, i) => (i % columns) * 40);
  return buildDicom({ rows, columns, pixels: uint16Bytes(values), windowCenter: 1280, windowWidth: 2560, extra });
}

export function hostileCorpus(): HostileFile[] {
  const goodPng = buildPng({ width: 40, height: 30, raw: gradientGrey(40, 30) });
  const goodJpeg = buildBlockJpeg(64, 64, 3, (c, bx, by) => 40 + c * 60 + bx * 10 + by * 5);
  const html = new TextEncoder().encode('<!DOCTYPE html><html><body><script>alert(1)</script><img src=x onerror=alert(2)></body></html>');
  const svg = new TextEncoder().encode(
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>',
  );
  const grey16Values = Array.from({ length: 20 * 10 }, (_, i) => i * 300);
  const grey16Raw = new Uint8Array(grey16Values.length * 2);
  grey16Values.forEach((v, i) => {
    grey16Raw[i * 2] = v >> 8;
    grey16Raw[i * 2 + 1] = v & 0xff;
  });
  const palette = [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [255, 255, 255],
  ];
  const gifFrames = [new Uint8Array(12 * 8).fill(0), new Uint8Array(12 * 8).fill(2)];
  const wrongLength = validDicom();
  // Rows (0028,0010) sits in the data set; claim a value length far past the end of the file.
  const rowsTag = findTag(wrongLength, 0x0028, 0x0010);
  new DataView(wrongLength.buffer).setUint16(rowsTag + 6, 0xfff0, true);
  const pixelTag = findTag(validDicom(), 0x7fe0, 0x0010);
  const shortPixels = validDicom().slice(0, pixelTag + 12 + 1000);

  return [
    { name: 'empty.jpg', about: 'zero bytes', bytes: new Uint8Array(), expect: { ok: false, codes: ['empty'] } },
    { name: 'noise.jpg', about: 'random bytes named .jpg', bytes: seededBytes(4096, 7), expect: { ok: false, codes: ['unknown-format'] } },
    { name: 'page.png', about: 'HTML named .png', bytes: html, expect: { ok: false, codes: ['not-an-image'] } },
    { name: 'drawing.svg', about: 'SVG with a script', bytes: svg, expect: { ok: false, codes: ['not-an-image'] } },
    { name: 'truncated.png', about: 'PNG cut in the middle of its data', bytes: goodPng.slice(0, Math.floor(goodPng.length * 0.6)), expect: { ok: false, codes: ['truncated', 'corrupt'] } },
    { name: 'header-only.png', about: 'PNG cut right after its header', bytes: goodPng.slice(0, 20), expect: { ok: false, codes: ['truncated'] } },
    { name: 'truncated.jpg', about: 'JPEG cut in the middle of its scan', bytes: goodJpeg.slice(0, Math.floor(goodJpeg.length * 0.7)), expect: { ok: 'either' } },
    { name: 'two-bytes.jpg', about: 'JPEG cut after its first two bytes (FF D8)', bytes: Uint8Array.of(0xff, 0xd8), expect: { ok: false, codes: ['truncated'] } },
    { name: 'soi-only.jpg', about: 'JPEG with only its start marker', bytes: Uint8Array.of(0xff, 0xd8, 0xff), expect: { ok: false, codes: ['truncated', 'corrupt'] } },
    {
      name: 'bomb.png',
      about: 'PNG decompression bomb, 30000 x 30000',
      bytes: buildPng({ width: 30000, height: 30000, idat: zlibSync(new Uint8Array(30001 * 64)) }),
      expect: { ok: false, codes: ['too-large'] },
    },
    {
      name: 'bomb.jpg',
      about: 'JPEG header claiming 60000 x 60000',
      bytes: patchJpegSize(goodJpeg, 60000, 60000),
      expect: { ok: false, codes: ['too-large'] },
    },
    { name: 'grey16.png', about: '16-bit greyscale PNG', bytes: buildPng({ width: 20, height: 10, bitDepth: 16, raw: grey16Raw }), expect: { ok: true, width: 20, height: 10 } },
    {
      name: 'cmyk.jpg',
      about: 'CMYK JPEG (Adobe)',
      bytes: buildBlockJpeg(16, 8, 4, (c) => (c === 0 ? 0 : 255)),
      expect: { ok: true, width: 16, height: 8 },
    },
    { name: 'animated.gif', about: 'animated GIF (first frame)', bytes: buildGif(12, 8, palette, gifFrames), expect: { ok: true, width: 12, height: 8 } },
    { name: 'tiny.png', about: '1 x 1 image', bytes: buildPng({ width: 1, height: 1, raw: Uint8Array.of(200) }), expect: { ok: true, width: 1, height: 1 } },
    { name: 'strip.png', about: '10000 x 30 image', bytes: buildPng({ width: 10000, height: 30, raw: gradientGrey(10000, 30) }), expect: { ok: true, width: 10000, height: 30 } },
    { name: 'strip.bmp', about: '24-bit BMP', bytes: buildBmp(5, 3, seededBytes(45, 3)), expect: { ok: true, width: 5, height: 3 } },
    { name: 'scan.dcm', about: 'valid DICOM', bytes: validDicom(), expect: { ok: true, width: 64, height: 48, kind: 'dicom' } },
    {
      name: 'report.dcm',
      about: 'DICOM without pixel data',
      bytes: buildDicom({ rows: 0, columns: 0 }),
      expect: { ok: false, codes: ['dicom-no-pixels'] },
    },
    { name: 'lengths.dcm', about: 'DICOM with a wrong value length', bytes: wrongLength, expect: { ok: false, codes: ['dicom-corrupt'] } },
    { name: 'short-pixels.dcm', about: 'DICOM with pixel data cut short', bytes: shortPixels, expect: { ok: false, codes: ['dicom-corrupt'] } },
    {
      name: 'video.dcm',
      about: 'DICOM with an unsupported transfer syntax (MPEG-2)',
      bytes: buildDicom({ rows: 16, columns: 16, transferSyntax: '1.2.840.10008.1.2.4.100', fragments: [seededBytes(64, 1)] }),
      expect: { ok: false, codes: ['dicom-unsupported-transfer-syntax'] },
    },
    {
      name: 'notes.dcm',
      about: 'text file named .dcm',
      bytes: concatBytes([new TextEncoder().encode('This is not DICOM at all, just some notes.\n')]),
      expect: { ok: false, codes: ['dicom-corrupt', 'not-an-image'] },
    },
  ];
}

/** Byte offset of the first element with this tag (explicit VR LE), -1 if none. */
export function findTag(bytes: Uint8Array, group: number, element: number): number {
  for (let i = 132; i + 4 <= bytes.length; i++) {
    if (bytes[i] === (group & 0xff) && bytes[i + 1] === group >> 8 && bytes[i + 2] === (element & 0xff) && bytes[i + 3] === element >> 8) return i;
  }
  return -1;
}

function patchJpegSize(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const copy = jpeg.slice();
  for (let i = 2; i + 9 < copy.length; i++) {
    if (copy[i] === 0xff && copy[i + 1] === 0xc0) {
      copy[i + 5] = height >> 8;
      copy[i + 6] = height & 0xff;
      copy[i + 7] = width >> 8;
      copy[i + 8] = width & 0xff;
      return copy;
    }
  }
  throw new Error('The generated JPEG has no SOF0 marker.');
}
