/**
 * A minimal random-access zip reader for PyTorch checkpoints: reads the central directory from
 * the end of the file and then individual entries by offset, so a ~784 MB checkpoint is never
 * loaded whole. Entries may be stored (what torch.save writes) or deflated (re-zipped files).
 */
import { inflateSync } from 'fflate';

/** Bytes that can be read at any offset: a file on disk, a Blob/File, or an in-memory buffer. */
export interface RandomAccessSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A source over bytes already in memory. */
export function bytesSource(bytes: Uint8Array): RandomAccessSource {
  return {
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, offset + length),
  };
}

/** A source over a Blob or File (browser, worker, or Node >= 20): reads slices on demand. */
export function blobSource(blob: Blob): RandomAccessSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Thrown for anything that makes a checkpoint unreadable; the message is meant for users. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function u64(dv: DataView, at: number): number {
  return dv.getUint32(at, true) + dv.getUint32(at + 4, true) * 2 ** 32;
}

export class ZipReader {
  private constructor(
    private readonly source: RandomAccessSource,
    readonly entries: Map<string, ZipEntry>,
  ) {}

  static async open(source: RandomAccessSource): Promise<ZipReader> {
    const damaged = (why: string) =>
      new CheckpointError(`The checkpoint is not a readable zip archive (${why}). The file may be truncated or damaged: download it again.`);
    if (source.size < 22) throw damaged('the file is too small');
    const tailLength = Math.min(source.size, 22 + 0xffff + 20);
    const tailStart = source.size - tailLength;
    const tail = await source.read(tailStart, tailLength);
    const tv = view(tail);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tv.getUint32(i, true) === EOCD_SIGNATURE) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw damaged('no end-of-archive record');
    let count = tv.getUint16(eocd + 10, true);
    let cdSize = tv.getUint32(eocd + 12, true);
    let cdOffset = tv.getUint32(eocd + 16, true);
    if (eocd >= 20 && tv.getUint32(eocd - 20, true) === ZIP64_LOCATOR_SIGNATURE) {
      const z64 = view(await source.read(u64(tv, eocd - 12), 56));
      if (z64.getUint32(0, true) !== ZIP64_EOCD_SIGNATURE) throw damaged('bad zip64 record');
      count = u64(z64, 32);
      cdSize = u64(z64, 40);
      cdOffset = u64(z64, 48);
    }
    if (cdOffset + cdSize > source.size) throw damaged('the central directory lies past the end of the file');
    const cd = await source.read(cdOffset, cdSize);
    const cv = view(cd);
    const entries = new Map<string, ZipEntry>();
    let at = 0;
    const decoder = new TextDecoder();
    for (let i = 0; i < count; i++) {
      if (at + 46 > cd.length || cv.getUint32(at, true) !== CENTRAL_SIGNATURE) throw damaged('bad central directory');
      const nameLength = cv.getUint16(at + 28, true);
      const extraLength = cv.getUint16(at + 30, true);
      const commentLength = cv.getUint16(at + 32, true);
      const entry: ZipEntry = {
        name: decoder.decode(cd.subarray(at + 46, at + 46 + nameLength)),
        method: cv.getUint16(at + 10, true),
        compressedSize: cv.getUint32(at + 20, true),
        size: cv.getUint32(at + 24, true),
        localHeaderOffset: cv.getUint32(at + 42, true),
      };
      readZip64Extra(cd.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength), entry);
      entries.set(entry.name, entry);
      at += 46 + nameLength + extraLength + commentLength;
    }
    return new ZipReader(source, entries);
  }

  /** Absolute file offset of an entry's data (after its local header). */
  private async dataOffset(entry: ZipEntry): Promise<number> {
    const header = view(await this.source.read(entry.localHeaderOffset, 30));
    if (header.byteLength < 30 || header.getUint32(0, true) !== LOCAL_SIGNATURE) {
      throw new CheckpointError(`The checkpoint's zip entry ${entry.name} is damaged. Download the file again.`);
    }
    return entry.localHeaderOffset + 30 + header.getUint16(26, true) + header.getUint16(28, true);
  }

  /** Reads `length` bytes at `offset` within an entry's uncompressed data. */
  async read(name: string, offset = 0, length?: number): Promise<Uint8Array> {
    const entry = this.entries.get(name);
    if (!entry) throw new CheckpointError(`The checkpoint lacks the zip entry ${name}. The file is incomplete or not a PyTorch checkpoint.`);
    const wanted = length ?? entry.size - offset;
    if (offset < 0 || offset + wanted > entry.size) {
      throw new CheckpointError(`The checkpoint's entry ${name} is shorter than its tensors need. The file is damaged.`);
    }
    const start = await this.dataOffset(entry);
    if (entry.method === 0) {
      if (start + entry.size > this.source.size) {
        throw new CheckpointError(`The checkpoint ends inside ${name}: the file is truncated. Download it again.`);
      }
      return this.source.read(start + offset, wanted);
    }
    if (entry.method === 8) {
      const inflated = inflateSync(await this.source.read(start, entry.compressedSize), { out: new Uint8Array(entry.size) });
      return inflated.subarray(offset, offset + wanted);
    }
    throw new CheckpointError(`The checkpoint's entry ${name} uses zip compression method ${entry.method}, which is not supported.`);
  }
}

function readZip64Extra(extra: Uint8Array, entry: ZipEntry): void {
  const ev = view(extra);
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = ev.getUint16(at, true);
    const size = ev.getUint16(at + 2, true);
    if (id === 0x0001) {
      let p = at + 4;
      if (entry.size === 0xffffffff) {
        entry.size = u64(ev, p);
        p += 8;
      }
      if (entry.compressedSize === 0xffffffff) {
        entry.compressedSize = u64(ev, p);
        p += 8;
      }
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = u64(ev, p);
    }
    at += 4 + size;
  }
}
