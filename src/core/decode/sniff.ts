/**
 * Format detection from the first bytes of a file. The extension is only a hint for DICOM files
 * written without the 128-byte preamble; everything else is recognised by its magic bytes, so a
 * renamed file is decoded as what it really is.
 */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'bmp' | 'tiff' | 'webp' | 'dicom';

/** What a file that is not a supported image looks like, to tell the user something useful. */
export type ForeignFormat = 'svg' | 'html' | 'xml' | 'pdf' | 'zip' | 'text' | 'heic' | 'jpeg2000' | 'unknown';

export interface Sniffed {
  format: ImageFormat | null;
  /** Set when `format` is null. */
  foreign?: ForeignFormat;
  /** Set when `format` is null because the file ends inside this format's signature. */
  truncated?: ImageFormat;
}

/**
 * Signatures a file can be cut short inside, with the fewest bytes that already identify them.
 * Without this a 2-byte JPEG (FF D8) falls through to the text check (every byte >= 128 counts as
 * possible UTF-8) and is called "a text file". Each needs enough bytes that ordinary text cannot
 * match it: a 1-byte file, "GIF" or "II" stay what the later checks call them.
 */
const SIGNATURE_PREFIXES: readonly { format: ImageFormat; signature: readonly number[]; minimum: number }[] = [
  { format: 'jpeg', signature: [0xff, 0xd8, 0xff], minimum: 2 },
  { format: 'png', signature: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], minimum: 2 },
  { format: 'gif', signature: [0x47, 0x49, 0x46, 0x38, 0x37, 0x61], minimum: 4 },
  { format: 'gif', signature: [0x47, 0x49, 0x46, 0x38, 0x39, 0x61], minimum: 4 },
  { format: 'tiff', signature: [0x49, 0x49, 0x2a, 0x00], minimum: 3 },
  { format: 'tiff', signature: [0x4d, 0x4d, 0x00, 0x2a], minimum: 3 },
];

/** The image format whose signature this whole (short) file is the start of, if any. */
function truncatedSignature(bytes: Uint8Array): ImageFormat | undefined {
  for (const { format, signature, minimum } of SIGNATURE_PREFIXES) {
    if (bytes.length >= minimum && bytes.length < signature.length && startsWith(bytes, signature.slice(0, bytes.length))) {
      return format;
    }
  }
  return undefined;
}

function startsWith(bytes: Uint8Array, signature: readonly number[], at = 0): boolean {
  if (bytes.length < at + signature.length) return false;
  for (let i = 0; i < signature.length; i++) if (bytes[at + i] !== signature[i]) return false;
  return true;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  let text = '';
  for (let i = at; i < Math.min(bytes.length, at + length); i++) text += String.fromCharCode(bytes[i]);
  return text;
}

export function hasDicomExtension(fileName: string | undefined): boolean {
  return !!fileName && /\.(dcm|dicom|dic)$/i.test(fileName);
}

/**
 * True when the bytes begin like a DICOM data set written without preamble and meta header:
 * a group 0x0008 (or 0x0002) element in little endian, followed by a plausible VR or length.
 */
export function looksLikeHeaderlessDicom(bytes: Uint8Array): boolean {
  if (bytes.length < 16) return false;
  const group = bytes[0] | (bytes[1] << 8);
  if (group !== 0x0008 && group !== 0x0002) return false;
  const vr = ascii(bytes, 4, 2);
  if (/^[A-Z]{2}$/.test(vr)) return true;
  const length = (bytes[4] | (bytes[5] << 8) | (bytes[6] << 16)) + bytes[7] * 0x1000000;
  return length < bytes.length;
}

export function sniffFormat(bytes: Uint8Array, fileName?: string): Sniffed {
  // First: a DICOM preamble may itself hold a TIFF header (dual-personality files).
  if (ascii(bytes, 128, 4) === 'DICM') return { format: 'dicom' };
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { format: 'png' };
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return { format: 'jpeg' };
  if (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a') return { format: 'gif' };
  if (ascii(bytes, 0, 2) === 'BM' && bytes.length >= 26) return { format: 'bmp' };
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return { format: 'tiff' };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return { format: 'webp' };
  if (looksLikeHeaderlessDicom(bytes)) return { format: 'dicom' };
  const truncated = truncatedSignature(bytes);
  if (truncated) return { format: null, foreign: 'unknown', truncated };
  const foreign = sniffForeign(bytes);
  // A DICOM name on a file without DICOM magic: try it as DICOM unless it is plainly something else.
  if (hasDicomExtension(fileName) && bytes.length > 0 && foreign === 'unknown') return { format: 'dicom' };
  return { format: null, foreign };
}

function sniffForeign(bytes: Uint8Array): ForeignFormat {
  if (ascii(bytes, 0, 5) === '%PDF-') return 'pdf';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  if (ascii(bytes, 4, 4) === 'ftyp' && /^(heic|heix|mif1|msf1|avif)$/.test(ascii(bytes, 8, 4))) return 'heic';
  if (startsWith(bytes, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20]) || startsWith(bytes, [0xff, 0x4f, 0xff, 0x51])) {
    return 'jpeg2000';
  }
  const head = ascii(bytes, 0, 1024).replace(/^\uFEFF|^\xEF\xBB\xBF/, '').trimStart().toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'svg';
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || /^<(head|body|script|div|p)\b/.test(head)) return 'html';
  if (head.startsWith('<?xml')) return 'xml';
  const sample = bytes.subarray(0, 512);
  if (sample.length > 0 && sample.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128)) {
    return 'text';
  }
  return 'unknown';
}
