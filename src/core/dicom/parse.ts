/**
 * Reading a DICOM data set (dicom-parser) and the attributes that describe its pixels. Only
 * attributes needed to show the image are read; nothing identifying leaves this module except
 * through `DicomSummary`, which lists non-identifying fields only.
 */
import * as dicomParserModule from 'dicom-parser';
import type { DataSet, Element } from 'dicom-parser';
import { inflateSync } from 'fflate';
import { DecodeError, describeThrown } from '../decode/errors.ts';
import { IMPLICIT_VR_LITTLE_ENDIAN } from './transfer-syntax.ts';

type DicomParser = typeof dicomParserModule;
/** dicom-parser is a UMD bundle: Node sees its exports under `default`, bundlers may not. */
export const dicomParser: DicomParser = (dicomParserModule as unknown as { default?: DicomParser }).default ?? dicomParserModule;

export const TAG = {
  transferSyntax: 'x00020010',
  modality: 'x00080060',
  bodyPart: 'x00180015',
  samplesPerPixel: 'x00280002',
  photometric: 'x00280004',
  planarConfiguration: 'x00280006',
  numberOfFrames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  pixelSpacing: 'x00280030',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  highBit: 'x00280102',
  pixelRepresentation: 'x00280103',
  windowCenter: 'x00281050',
  windowWidth: 'x00281051',
  rescaleIntercept: 'x00281052',
  rescaleSlope: 'x00281053',
  redDescriptor: 'x00281101',
  greenDescriptor: 'x00281102',
  blueDescriptor: 'x00281103',
  redData: 'x00281201',
  greenData: 'x00281202',
  blueData: 'x00281203',
  redSegmented: 'x00281221',
  greenSegmented: 'x00281222',
  blueSegmented: 'x00281223',
  sharedGroups: 'x52009229',
  perFrameGroups: 'x52009230',
  pixelMeasures: 'x00289110',
  pixelValueTransformation: 'x00289145',
  frameVoiLut: 'x00289132',
  pixelData: 'x7fe00010',
  floatPixelData: 'x7fe00008',
  doubleFloatPixelData: 'x7fe00009',
} as const;

export function parseDicomBytes(bytes: Uint8Array): { dataSet: DataSet; transferSyntaxUid: string } {
  const hasPreamble = bytes.length >= 132 && String.fromCharCode(bytes[128], bytes[129], bytes[130], bytes[131]) === 'DICM';
  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes, {
      ...(hasPreamble ? {} : { TransferSyntaxUID: IMPLICIT_VR_LITTLE_ENDIAN }),
      // Deflated data sets: dicom-parser continues at offset 0 of what this returns.
      inflater: (array: Uint8Array, position: number) => inflateSync(array.subarray(position)),
    } as Parameters<DicomParser['parseDicom']>[1]);
  } catch (thrown) {
    throw new DecodeError(
      'dicom-corrupt',
      `This DICOM file could not be read (${describeThrown(thrown).replace(/^dicomParser[.:]\w+: /, '')}); it is damaged or not DICOM.`,
    );
  }
  const transferSyntaxUid = (dataSet.string(TAG.transferSyntax) ?? IMPLICIT_VR_LITTLE_ENDIAN).replace(/\0/g, '').trim();
  return { dataSet, transferSyntaxUid };
}


export interface PixelAttributes {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  photometric: string;
  planarConfiguration: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: number;
  frames: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  windowCenter?: number;
  windowWidth?: number;
  modality?: string;
  bodyPart?: string;
  pixelSpacing?: [number, number];
}

function firstItem(dataSet: DataSet | undefined, tag: string, index = 0): DataSet | undefined {
  return dataSet?.elements[tag]?.items?.[index]?.dataSet;
}

/** Rescale, window and spacing for one frame, from the enhanced multi-frame functional groups. */
function functionalGroupValues(dataSet: DataSet, frameIndex: number): Partial<PixelAttributes> {
  const found: Partial<PixelAttributes> = {};
  for (const group of [firstItem(dataSet, TAG.sharedGroups), firstItem(dataSet, TAG.perFrameGroups, frameIndex)]) {
    const transform = firstItem(group, TAG.pixelValueTransformation);
    const slope = transform?.floatString(TAG.rescaleSlope);
    const intercept = transform?.floatString(TAG.rescaleIntercept);
    if (slope !== undefined && Number.isFinite(slope) && slope !== 0) found.rescaleSlope = slope;
    if (intercept !== undefined && Number.isFinite(intercept)) found.rescaleIntercept = intercept;
    const voi = firstItem(group, TAG.frameVoiLut);
    const center = voi?.floatString(TAG.windowCenter);
    const width = voi?.floatString(TAG.windowWidth);
    if (center !== undefined && width !== undefined && Number.isFinite(center) && width > 0) {
      found.windowCenter = center;
      found.windowWidth = width;
    }
    const measures = firstItem(group, TAG.pixelMeasures);
    const spacing = measures ? readSpacing(measures) : undefined;
    if (spacing) found.pixelSpacing = spacing;
  }
  return found;
}

function readSpacing(dataSet: DataSet): [number, number] | undefined {
  const row = dataSet.floatString(TAG.pixelSpacing, 0);
  const column = dataSet.floatString(TAG.pixelSpacing, 1);
  return row !== undefined && column !== undefined && Number.isFinite(row) && Number.isFinite(column) ? [row, column] : undefined;
}

function cleanString(value: string | undefined): string | undefined {
  const text = value?.replace(/\0/g, '').trim();
  return text ? text : undefined;
}

export function readPixelAttributes(dataSet: DataSet, frameIndexHint?: number): PixelAttributes {
  const rows = dataSet.uint16(TAG.rows) ?? 0;
  const columns = dataSet.uint16(TAG.columns) ?? 0;
  const bitsAllocated = dataSet.uint16(TAG.bitsAllocated) ?? 0;
  const bitsStored = dataSet.uint16(TAG.bitsStored) ?? bitsAllocated;
  const framesValue = dataSet.intString(TAG.numberOfFrames);
  const frames = framesValue !== undefined && Number.isFinite(framesValue) && framesValue > 0 ? framesValue : 1;
  const slope = dataSet.floatString(TAG.rescaleSlope);
  const intercept = dataSet.floatString(TAG.rescaleIntercept);
  const center = dataSet.floatString(TAG.windowCenter, 0);
  const width = dataSet.floatString(TAG.windowWidth, 0);
  const attributes: PixelAttributes = {
    rows,
    columns,
    samplesPerPixel: dataSet.uint16(TAG.samplesPerPixel) ?? 1,
    photometric: cleanString(dataSet.string(TAG.photometric))?.toUpperCase() ?? 'MONOCHROME2',
    planarConfiguration: dataSet.uint16(TAG.planarConfiguration) ?? 0,
    bitsAllocated,
    bitsStored,
    highBit: dataSet.uint16(TAG.highBit) ?? bitsStored - 1,
    pixelRepresentation: dataSet.uint16(TAG.pixelRepresentation) ?? 0,
    frames,
    rescaleSlope: slope !== undefined && Number.isFinite(slope) && slope !== 0 ? slope : 1,
    rescaleIntercept: intercept !== undefined && Number.isFinite(intercept) ? intercept : 0,
    windowCenter: center !== undefined && Number.isFinite(center) && width !== undefined && width > 0 ? center : undefined,
    windowWidth: center !== undefined && Number.isFinite(center) && width !== undefined && width > 0 ? width : undefined,
    modality: cleanString(dataSet.string(TAG.modality)),
    bodyPart: cleanString(dataSet.string(TAG.bodyPart)),
    pixelSpacing: readSpacing(dataSet),
  };
  const frameIndex = Math.min(Math.max(0, frameIndexHint ?? 0), frames - 1);
  return { ...attributes, ...functionalGroupValues(dataSet, frameIndex) };
}

/** Words (16-bit) of an OW/US element, in the data set's byte order. */
export function readWords(dataSet: DataSet, element: Element): Uint16Array {
  const count = Math.floor(element.length / 2);
  const end = element.dataOffset + count * 2;
  if (end > dataSet.byteArray.length) {
    throw new DecodeError('dicom-corrupt', 'An element of this DICOM file runs past the end of the file; the file is damaged.');
  }
  const words = new Uint16Array(count);
  for (let i = 0; i < count; i++) words[i] = dataSet.byteArrayParser.readUint16(dataSet.byteArray, element.dataOffset + i * 2);
  return words;
}
