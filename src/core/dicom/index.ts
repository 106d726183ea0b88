/**
 * DICOM decoding for display: one frame (the middle one unless `frameIndex` says otherwise) as
 * an 8-bit image, plus a summary of NON-identifying metadata. Patient, institution, accession
 * and study/series/instance UIDs are never read into anything this module returns.
 */
import type { DecodedImage } from '../image.ts';
import { DecodeError, withDecodeErrors } from '../decode/errors.ts';
import { checkPixelLimit, DEFAULT_MAX_PIXELS } from '../decode/limits.ts';
import { toDisplayImage } from './display.ts';
import { readPalette } from './palette.ts';
import { parseDicomBytes, readPixelAttributes, TAG } from './parse.ts';
import { decodeFrame } from './pixels.ts';
import { pixelEncoding, transferSyntaxName } from './transfer-syntax.ts';

export { configureWasmCodecs, type WasmCodecConfig, type WasmCodecName } from '../decode/wasm-codecs.ts';
export { transferSyntaxName } from './transfer-syntax.ts';

/**
 * Non-identifying facts about a DICOM file, safe to store and export. Flat (primitives only) so
 * it can be stored and serialised as is; a type alias so it fits `Record<string, primitive>`.
 */
export type DicomSummary = {
  modality: string | null;
  bodyPart: string | null;
  rows: number;
  columns: number;
  frames: number;
  /** The frame shown (0-based). */
  frameIndex: number;
  transferSyntaxUid: string;
  transferSyntaxName: string;
  photometricInterpretation: string;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: 'unsigned' | 'signed';
  /** Physical spacing between rows / columns in mm, when the file states it. */
  rowSpacingMm: number | null;
  columnSpacingMm: number | null;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** The VOI window applied to greyscale images (null for colour). */
  windowCenter: number | null;
  windowWidth: number | null;
  windowSource: 'tags' | 'min-max' | 'override' | null;
};

export interface DicomDecodeOptions {
  /** 0-based frame to show; default: the middle frame. */
  frameIndex?: number;
  maxPixels?: number;
  /** Window to apply instead of the file's own (greyscale images only). */
  window?: { center: number; width: number };
}

export interface DecodedDicom {
  image: DecodedImage;
  summary: DicomSummary;
}

/**
 * Decodes a DICOM file for display. dicom-parser reads elements lazily, so a damaged file can
 * fail after parsing, while tags are read: every such failure becomes a 'dicom-corrupt' DecodeError.
 */
export function decodeDicom(bytes: Uint8Array, options: DicomDecodeOptions = {}): Promise<DecodedDicom> {
  return withDecodeErrors(
    'dicom-corrupt',
    (detail) => `This DICOM file could not be read (${detail.replace(/^dicomParser[.:]\w+: /, '')}); it is damaged or not DICOM.`,
    () => decodeParsedDicom(bytes, options),
  );
}

async function decodeParsedDicom(bytes: Uint8Array, options: DicomDecodeOptions): Promise<DecodedDicom> {
  const { dataSet, transferSyntaxUid } = parseDicomBytes(bytes);
  const syntaxName = transferSyntaxName(transferSyntaxUid);
  const preliminary = readPixelAttributes(dataSet);
  const tags = Object.keys(dataSet.elements);
  if (!tags.some((tag) => tag.startsWith('x0008') || tag.startsWith('x0028') || tag.startsWith('x7fe0'))) {
    throw new DecodeError('dicom-corrupt', 'This file is named or shaped like DICOM but holds no DICOM image attributes; check that it is the file you meant to add.');
  }
  if (!dataSet.elements[TAG.pixelData] && !dataSet.elements[TAG.floatPixelData]) {
    throw new DecodeError(
      'dicom-no-pixels',
      'This DICOM file contains no image (no Pixel Data element); it may be a report, a structured document or a presentation state.',
    );
  }
  if (preliminary.rows === 0 || preliminary.columns === 0) {
    throw new DecodeError('dicom-corrupt', 'This DICOM file has pixel data but no Rows / Columns; the file is damaged.');
  }
  checkPixelLimit(preliminary.columns, preliminary.rows, options.maxPixels ?? DEFAULT_MAX_PIXELS);
  const encoding = pixelEncoding(transferSyntaxUid);
  if (encoding === 'unsupported') {
    throw new DecodeError(
      'dicom-unsupported-transfer-syntax',
      `This DICOM file uses the transfer syntax ${transferSyntaxUid} (${syntaxName}), which this app cannot decode; convert it to an uncompressed or JPEG 2000 transfer syntax first.`,
    );
  }
  const frames = preliminary.frames;
  const requested = options.frameIndex ?? Math.floor(frames / 2);
  if (!Number.isInteger(requested) || requested < 0 || requested >= frames) {
    throw new DecodeError('unsupported', `Frame ${requested + 1} was asked for but this DICOM file has ${frames} frame(s); pick a frame from 1 to ${frames}.`);
  }
  const attributes = readPixelAttributes(dataSet, requested);
  if (options.window && options.window.width > 0) {
    attributes.windowCenter = options.window.center;
    attributes.windowWidth = options.window.width;
  }
  const frame = await decodeFrame(dataSet, attributes, requested, encoding, `${syntaxName} (${transferSyntaxUid})`);
  const palette = frame.photometric === 'PALETTE COLOR' ? readPalette(dataSet) : undefined;
  const { image, window } = toDisplayImage(frame, attributes, palette);
  return {
    image,
    summary: {
      modality: attributes.modality ?? null,
      bodyPart: attributes.bodyPart ?? null,
      rows: attributes.rows,
      columns: attributes.columns,
      frames,
      frameIndex: requested,
      transferSyntaxUid,
      transferSyntaxName: syntaxName,
      photometricInterpretation: attributes.photometric,
      samplesPerPixel: attributes.samplesPerPixel,
      bitsAllocated: attributes.bitsAllocated,
      bitsStored: attributes.bitsStored,
      pixelRepresentation: attributes.pixelRepresentation === 1 ? 'signed' : 'unsigned',
      rowSpacingMm: attributes.pixelSpacing?.[0] ?? null,
      columnSpacingMm: attributes.pixelSpacing?.[1] ?? null,
      rescaleSlope: attributes.rescaleSlope,
      rescaleIntercept: attributes.rescaleIntercept,
      windowCenter: window?.center ?? null,
      windowWidth: window?.width ?? null,
      windowSource: window ? (options.window ? 'override' : window.source) : null,
    },
  };
}
