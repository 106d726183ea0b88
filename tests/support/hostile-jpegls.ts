/**
 * Generates JPEG-LS DICOM files with CharLS's encoder (the full codec build), so codec tests do
 * not depend on shared data. `locateWasm` gives the encoder's .wasm URL where the bundler hides it.
 */
import charlsFactory from '@cornerstonejs/codec-charls/wasmjs';
import { buildDicom, uint16Bytes } from './hostile-builders.ts';

interface CharlsEncoder {
  getDecodedBuffer(info: { width: number; height: number; bitsPerSample: number; componentCount: number }): Uint8Array;
  setNearLossless(value: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

export async function jpegLsDicom(width: number, height: number, values: number[], wasmUrl?: string): Promise<{ jpegLs: Uint8Array; native: Uint8Array }> {
  const charls = (await charlsFactory({
    locateFile: (path: string, prefix: string) => (wasmUrl && path.endsWith('.wasm') ? wasmUrl : prefix + path),
    print: () => {},
    printErr: () => {},
  } as never)) as { JpegLSEncoder: new () => CharlsEncoder };
  const encoder = new charls.JpegLSEncoder();
  try {
    encoder.getDecodedBuffer({ width, height, bitsPerSample: 16, componentCount: 1 }).set(uint16Bytes(values));
    encoder.setNearLossless(0);
    encoder.encode();
    const encoded = encoder.getEncodedBuffer().slice();
    const common = { rows: height, columns: width, windowCenter: 2048, windowWidth: 4096 };
    return {
      jpegLs: buildDicom({ ...common, transferSyntax: '1.2.840.10008.1.2.4.80', fragments: [encoded] }),
      native: buildDicom({ ...common, pixels: uint16Bytes(values) }),
    };
  } finally {
    encoder.delete();
  }
}
