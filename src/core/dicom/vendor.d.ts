declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (options?: { locateFile?: (path: string, prefix: string) => string }) => Promise<unknown>;
  export default factory;
}
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (options?: { locateFile?: (path: string, prefix: string) => string }) => Promise<unknown>;
  export default factory;
}
declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    decode(buffer: ArrayBuffer, offset?: number, length?: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}
declare module '@cornerstonejs/codec-charls/wasmjs' {
  const factory: (options?: { locateFile?: (path: string, prefix: string) => string }) => Promise<unknown>;
  export default factory;
}
declare module '@cornerstonejs/codec-charls/wasm?url' {
  const url: string;
  export default url;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: (options?: { locateFile?: (path: string, prefix: string) => string }) => Promise<unknown>;
  export default factory;
}
