/**
 * Loading of the emscripten codecs (OpenJPEG for JPEG 2000, CharLS for JPEG-LS). In Node each
 * codec finds its .wasm next to its script by itself; in a bundled worker the .wasm has a URL
 * only the bundler knows, so the worker injects it with `configureWasmCodecs` (Vite `?url`).
 * Each codec is instantiated once, on first use.
 */
import { DecodeError, describeThrown } from '../decode/errors.ts';

export type WasmCodecName = 'openjpeg' | 'charls';

export interface CodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** The part of the OpenJPEG J2KDecoder and CharLS JpegLSDecoder classes used here. */
export interface WasmFrameDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): CodecFrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

interface EmscriptenOptions {
  locateFile?: (path: string, prefix: string) => string;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}

export interface OpenJpegModule {
  J2KDecoder: new () => WasmFrameDecoder;
}

export interface CharlsModule {
  JpegLSDecoder: new () => WasmFrameDecoder;
}

type Factory<T> = (options?: EmscriptenOptions) => Promise<T>;

export interface WasmCodecConfig {
  /** URL of a codec's .wasm file where the default lookup (next to the script) fails. */
  locateWasm?: (codec: WasmCodecName) => string | undefined;
}

let config: WasmCodecConfig = {};
const loading = new Map<WasmCodecName, Promise<OpenJpegModule | CharlsModule>>();

/** Sets where the codecs' .wasm files are; call before the first DICOM is decoded. */
export function configureWasmCodecs(next: WasmCodecConfig): void {
  config = next;
  loading.clear();
}

function factoryOf<T>(module: unknown): Factory<T> {
  const candidate = (module as { default?: unknown }).default ?? module;
  if (typeof candidate !== 'function') throw new Error('the codec module exports no factory');
  return candidate as Factory<T>;
}

async function instantiate<T>(codec: WasmCodecName, importer: () => Promise<unknown>): Promise<T> {
  const factory = factoryOf<T>(await importer());
  const url = config.locateWasm?.(codec);
  return factory({
    locateFile: (path, prefix) => (url && path.endsWith('.wasm') ? url : prefix + path),
    // OpenJPEG logs every header it reads; errors reach us as exceptions anyway.
    print: () => {},
    printErr: () => {},
  });
}

function load<T extends OpenJpegModule | CharlsModule>(codec: WasmCodecName, label: string, importer: () => Promise<unknown>): Promise<T> {
  let pending = loading.get(codec);
  if (!pending) {
    pending = instantiate<T>(codec, importer).catch((thrown: unknown) => {
      loading.delete(codec);
      throw new DecodeError('unsupported', `The ${label} decoder could not be loaded (${describeThrown(thrown)}); reload the page and try again.`);
    });
    loading.set(codec, pending);
  }
  return pending as Promise<T>;
}

export function loadOpenJpeg(): Promise<OpenJpegModule> {
  return load<OpenJpegModule>('openjpeg', 'JPEG 2000', () => import('@cornerstonejs/codec-openjpeg/decodewasmjs'));
}

export function loadCharls(): Promise<CharlsModule> {
  return load<CharlsModule>('charls', 'JPEG-LS', () => import('@cornerstonejs/codec-charls/decodewasmjs'));
}

/** Runs one codec decoder over `encoded`, copies the result out of WASM memory, frees the decoder. */
export function runWasmDecoder(decoder: WasmFrameDecoder, encoded: Uint8Array): { info: CodecFrameInfo; pixels: Uint8Array } {
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const pixels = decoder.getDecodedBuffer().slice();
    return { info: { ...info }, pixels };
  } finally {
    decoder.delete();
  }
}
