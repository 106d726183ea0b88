/**
 * DICOM transfer syntaxes: how each one's pixel data is decoded, and its name for messages.
 */
export type PixelEncoding =
  | 'native-little'
  | 'native-big'
  | 'deflated'
  | 'rle'
  | 'jpeg-baseline'
  | 'jpeg-extended'
  | 'jpeg-lossless'
  | 'jpeg-ls'
  | 'jpeg-2000'
  | 'unsupported';

interface TransferSyntax {
  name: string;
  encoding: PixelEncoding;
}

export const IMPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2';

const TRANSFER_SYNTAXES: Record<string, TransferSyntax> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian', encoding: 'native-little' },
  '1.2.840.10008.1.2.1': { name: 'Explicit VR Little Endian', encoding: 'native-little' },
  '1.2.840.10008.1.2.1.99': { name: 'Deflated Explicit VR Little Endian', encoding: 'deflated' },
  '1.2.840.10008.1.2.2': { name: 'Explicit VR Big Endian', encoding: 'native-big' },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', encoding: 'rle' },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', encoding: 'jpeg-baseline' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (Process 2 and 4)', encoding: 'jpeg-extended' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless, Non-Hierarchical (Process 14)', encoding: 'jpeg-lossless' },
  '1.2.840.10008.1.2.4.70': {
    name: 'JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])',
    encoding: 'jpeg-lossless',
  },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless Image Compression', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Lossy (Near-Lossless) Image Compression', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 Image Compression (Lossless Only)', encoding: 'jpeg-2000' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000 Image Compression', encoding: 'jpeg-2000' },
  '1.2.840.10008.1.2.4.201': { name: 'High-Throughput JPEG 2000 Image Compression (Lossless Only)', encoding: 'jpeg-2000' },
  '1.2.840.10008.1.2.4.202': { name: 'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)', encoding: 'jpeg-2000' },
  '1.2.840.10008.1.2.4.203': { name: 'High-Throughput JPEG 2000 Image Compression', encoding: 'jpeg-2000' },
  '1.2.840.10008.1.2.4.52': { name: 'JPEG Extended (Process 3 and 5) (retired)', encoding: 'unsupported' },
  '1.2.840.10008.1.2.4.53': { name: 'JPEG Spectral Selection, Non-Hierarchical (Process 6 and 8) (retired)', encoding: 'unsupported' },
  '1.2.840.10008.1.2.4.55': { name: 'JPEG Full Progression, Non-Hierarchical (Process 10 and 12) (retired)', encoding: 'unsupported' },
  '1.2.840.10008.1.2.4.92': { name: 'JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)', encoding: 'unsupported' },
  '1.2.840.10008.1.2.4.93': { name: 'JPEG 2000 Part 2 Multi-component Image Compression', encoding: 'unsupported' },
  '1.2.840.10008.1.2.4.94': { name: 'JPIP Referenced', encoding: 'unsupported' },
  '1.2.840.10008.1.2.4.100': { name: 'MPEG2 Main Profile / Main Level', encoding: 'unsupported' },
  '1.2.840.10008.1.2.4.101': { name: 'MPEG2 Main Profile / High Level', encoding: 'unsupported' },
  '1.2.840.10008.1.2.4.102': { name: 'MPEG-4 AVC/H.264 High Profile / Level 4.1', encoding: 'unsupported' },
  '1.2.840.10008.1.2.4.103': { name: 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1', encoding: 'unsupported' },
  '1.2.840.10008.1.2.4.104': { name: 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video', encoding: 'unsupported' },
  '1.2.840.10008.1.2.4.107': { name: 'HEVC/H.265 Main Profile / Level 5.1', encoding: 'unsupported' },
  '1.2.840.10008.1.2.4.110': { name: 'JPEG XL Lossless', encoding: 'unsupported' },
  '1.2.840.10008.1.2.4.111': { name: 'JPEG XL JPEG Recompression', encoding: 'unsupported' },
  '1.2.840.10008.1.2.4.112': { name: 'JPEG XL', encoding: 'unsupported' },
};

export function transferSyntaxName(uid: string): string {
  return TRANSFER_SYNTAXES[uid]?.name ?? 'unknown transfer syntax';
}

export function pixelEncoding(uid: string): PixelEncoding {
  return TRANSFER_SYNTAXES[uid]?.encoding ?? 'unsupported';
}
