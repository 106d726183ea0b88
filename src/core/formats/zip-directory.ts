/**
 * Reading a zip that is already in memory, entry by entry, trusting nothing it declares.
 *
 * fflate's `unzipSync` takes the central directory's sizes at their word and checks no CRC: an
 * entry that declares fewer bytes than it holds comes back silently cut to the declared size,
 * one that declares more comes back short, and a stored entry's declared size is not even read.
 * Here the directory is listed first (so a caller can refuse an entry by its declared size before
 * inflating anything), and each entry is then extracted with its length and CRC-32 checked
 * against what the directory declares; any mismatch is a {@link ZipEntryDamagedError}.
 */
import { inflateSync } from 'fflate';
import { crc32 } from './png-encode.ts';

/** One central-directory record, with ZIP64 sizes resolved. */
export interface ZipDirectoryEntry {
  name: string;
  /** 0 stored, 8 deflated; anything else is refused on extraction. */
  method: number;
  compressedSize: number;
  /** Declared uncompressed size. */
  size: number;
  crc32: number;
  localHeaderOffset: number;
}

/** The archive itself cannot be read; `message` is a short reason, for a caller's sentence. */
export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

/** One entry cannot be trusted; `message` is a short reason, for a caller's sentence. */
export class ZipEntryDamagedError extends Error {
  override name = 'ZipEntryDamagedError';
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
}

function applyZip64Extra(view: DataView, start: number, end: number, entry: ZipDirectoryEntry): void {
  for (let at = start; at + 4 <= end; ) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (id === 0x0001) {
      let p = at + 4;
      const take = (): number => {
        const value = p + 8 <= end ? u64(view, p) : 0xffffffff;
        p += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = take();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = take();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = take();
    }
    at += 4 + size;
  }
}

/** Lists the central directory. Throws {@link ZipFormatError} when there is no readable one. */
export function readZipDirectory(bytes: Uint8Array): ZipDirectoryEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 22) throw new ZipFormatError('the file is too small to be a zip');
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('no end-of-archive record');
  let count = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (eocd >= 20 && view.getUint32(eocd - 20, true) === ZIP64_LOCATOR_SIGNATURE) {
    const record = u64(view, eocd - 12);
    if (record + 56 > bytes.length || view.getUint32(record, true) !== ZIP64_EOCD_SIGNATURE) {
      throw new ZipFormatError('a damaged ZIP64 record');
    }
    count = u64(view, record + 32);
    offset = u64(view, record + 48);
  }
  const decoder = new TextDecoder();
  const entries: ZipDirectoryEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== CENTRAL_SIGNATURE) {
      throw new ZipFormatError('a damaged central directory');
    }
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const nameStart = offset + 46;
    if (nameStart + nameLength + extraLength > bytes.length) throw new ZipFormatError('a damaged central directory');
    const entry: ZipDirectoryEntry = {
      name: decoder.decode(bytes.subarray(nameStart, nameStart + nameLength)),
      method: view.getUint16(offset + 10, true),
      crc32: view.getUint32(offset + 16, true),
      compressedSize: view.getUint32(offset + 20, true),
      size: view.getUint32(offset + 24, true),
      localHeaderOffset: view.getUint32(offset + 42, true),
    };
    applyZip64Extra(view, nameStart + nameLength, nameStart + nameLength + extraLength, entry);
    entries.push(entry);
    offset = nameStart + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * The entry's bytes, checked against its declared size and CRC-32. Throws
 * {@link ZipEntryDamagedError} saying what does not match.
 */
export function extractZipEntry(bytes: Uint8Array, entry: ZipDirectoryEntry): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = entry.localHeaderOffset;
  if (header + 30 > bytes.length || view.getUint32(header, true) !== LOCAL_SIGNATURE) {
    throw new ZipEntryDamagedError('its local header is missing');
  }
  const start = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
  const end = start + entry.compressedSize;
  if (end > bytes.length) throw new ZipEntryDamagedError('the zip ends before its data does');
  let content: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) {
      throw new ZipEntryDamagedError(`it declares ${entry.size} bytes but stores ${entry.compressedSize}`);
    }
    content = bytes.subarray(start, end);
  } else if (entry.method === 8) {
    try {
      // One byte of room past the declared size: data that holds more shows as longer than declared.
      content = inflateSync(bytes.subarray(start, end), { out: new Uint8Array(entry.size + 1) });
    } catch {
      throw new ZipEntryDamagedError('its compressed data cannot be inflated');
    }
  } else {
    throw new ZipEntryDamagedError(`it uses zip compression method ${entry.method}, which is not supported`);
  }
  if (content.length > entry.size) throw new ZipEntryDamagedError(`it declares ${entry.size} bytes but holds more`);
  if (content.length < entry.size) {
    throw new ZipEntryDamagedError(`it declares ${entry.size} bytes but holds ${content.length}`);
  }
  if (crc32(content) !== entry.crc32) throw new ZipEntryDamagedError('its contents do not match its checksum (CRC-32)');
  return content;
}
