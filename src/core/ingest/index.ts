/**
 * Per-file ingest: hash the bytes (SHA-256, the item's identity), decode, convert to 8-bit RGB
 * (the encoders' input), make a thumbnail and let the full-size pixels go. Bad input never throws
 * out of `ingestFile`: it becomes one `IngestError` row with a user-facing reason.
 */
import { type DecodeOptions, DecodeError, decodeFile, type ImageFormat } from '../decode/index.ts';
import { describeThrown } from '../decode/errors.ts';
import type { DicomSummary } from '../dicom/index.ts';
import type { RgbImage } from '../image.ts';
import { encoderInput } from '../preprocess/native-mode.ts';
import { makeThumbnail, type Thumbnail } from './thumbnail.ts';

export { makeThumbnail, thumbnailSize, type Thumbnail } from './thumbnail.ts';

export interface IngestSource {
  name: string;
  /** Path inside a dropped folder; the name for a loose file. */
  relativePath?: string;
}

export interface IngestOptions extends DecodeOptions {
  /** Longest side of the thumbnail (default 128). */
  thumbnailSide?: number;
  /** Return the full-size RGB pixels too (for the encoders); default false, they are released. */
  keepRgb?: boolean;
  /**
   * DICOM frame per item (SHA-256 -> 0-based frame) chosen earlier by the user: a known file read
   * again (dropped again, or its kept original) shows and embeds that frame, not the default.
   */
  frameIndexes?: Readonly<Record<string, number>>;
}

/** What ingest learned about one file; the store adds aliases, addedAt and a thumbnail Blob. */
export interface IngestedItem {
  /** Lower-case hex SHA-256 of the file bytes. */
  sha256: string;
  name: string;
  relativePath: string;
  size: number;
  width: number;
  height: number;
  kind: 'image' | 'dicom';
  /** Decoder format: 'png', 'jpeg', 'gif', 'bmp', 'tiff', 'webp', or 'dicom:<transfer syntax UID>'. */
  format: string;
  thumbnail: Thumbnail;
  dicom?: DicomSummary;
  /** The DICOM frame shown (absent for other images). */
  frameIndex?: number;
}

/** One row of the "Skipped files" list. */
export interface IngestError {
  file: string;
  code: string;
  reason: string;
}

export type IngestResult = { ok: true; item: IngestedItem; rgb?: RgbImage } | { ok: false; error: IngestError };

/** Lower-case hex SHA-256 via WebCrypto (Node >= 20, workers and pages alike). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

function formatLabel(format: ImageFormat, dicom: DicomSummary | undefined): string {
  return format === 'dicom' && dicom ? `dicom:${dicom.transferSyntaxUid}` : format;
}

export async function ingestFile(bytes: Uint8Array, source: IngestSource, options: IngestOptions = {}): Promise<IngestResult> {
  const file = source.relativePath || source.name;
  try {
    const sha256 = await sha256Hex(bytes);
    const frameIndex = options.frameIndexes?.[sha256] ?? options.frameIndex;
    const decoded = await decodeFile(bytes, source.name, { ...options, frameIndex });
    // The RGB pixels carry the decoded image where open_clip's resize-before-convert needs it.
    let rgb: RgbImage | undefined = encoderInput(decoded.image);
    const thumbnail = makeThumbnail(rgb, options.thumbnailSide ?? 128);
    const item: IngestedItem = {
      sha256,
      name: source.name,
      relativePath: source.relativePath || source.name,
      size: bytes.length,
      width: decoded.image.width,
      height: decoded.image.height,
      kind: decoded.kind,
      format: formatLabel(decoded.format, decoded.dicom),
      thumbnail,
      ...(decoded.dicom ? { dicom: decoded.dicom, frameIndex: decoded.dicom.frameIndex } : {}),
    };
    if (!options.keepRgb) rgb = undefined;
    return rgb ? { ok: true, item, rgb } : { ok: true, item };
  } catch (thrown) {
    if (thrown instanceof DecodeError) return { ok: false, error: { file, code: thrown.code, reason: thrown.message } };
    return {
      ok: false,
      error: { file, code: 'internal', reason: `This file could not be added because of an unexpected error (${describeThrown(thrown)}); please report it.` },
    };
  }
}
