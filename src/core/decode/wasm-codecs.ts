/**
 * Loading of the emscripten codecs: OpenJPEG (JPEG 2000) and CharLS (JPEG-LS) for DICOM,
 * libjpeg-turbo for every JPEG (files and DICOM alike) and libwebp for WebP. Where a codec cannot
 * find its .wasm by itself, the runtime says where it is:
 * - a bundled worker knows the .wasm URLs only through the bundler (Vite `?url`) and passes them
 *   as `wasmUrls` (or the older `locateWasm`);
 * - Node hands over the bytes with `wasmBinary` for the codecs built for the web only (libwebp).
 * Each codec is instantiated once, on first use.
 */
import { DecodeError, describeThrown } from './errors.ts';

export type WasmCodecName = 'openjpeg' | 'charls' | 'libjpeg-turbo' | 'webp';

export interface CodecFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

/** The part of the OpenJPEG, CharLS and libjpeg-turbo decoder classes used here. */
export interface WasmFrameDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): CodecFrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}

interface EmscriptenOptions {
  locateFile?: (path: string, prefix: string) => string;
  wasmBinary?: Uint8Array;
  noInitialRun?: boolean;
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}

export interface OpenJpegModule {
  J2KDecoder: new () => WasmFrameDecoder;
}

export interface CharlsModule {
  JpegLSDecoder: new () => WasmFrameDecoder;
}

export interface LibjpegTurboModule {
  JPEGDecoder: new () => WasmFrameDecoder;
}

/** jSquash's libwebp build: RGBA pixels (an ImageData, polyfilled outside browsers). */
export interface WebpModule {
  decode(data: Uint8Array): { width: number; height: number; data: Uint8ClampedArray } | null;
}

type CodecModule = OpenJpegModule | CharlsModule | LibjpegTurboModule | WebpModule;
type Factory<T> = (options?: EmscriptenOptions) => Promise<T>;

export interface WasmCodecConfig {
  /** URL of a codec's .wasm file where the default lookup (next to the script) fails. */
  locateWasm?: (codec: WasmCodecName) => string | undefined;
  /** The same per codec; these win over `locateWasm`. */
  wasmUrls?: Partial<Record<WasmCodecName, string>>;
  /** The .wasm bytes themselves, for a runtime where the codec cannot fetch its file (Node). */
  wasmBinary?: (codec: WasmCodecName) => Uint8Array | undefined;
}

let config: WasmCodecConfig = {};
const loading = new Map<WasmCodecName, Promise<CodecModule>>();

/**
 * Sets where the codecs' .wasm files are; call before the first image is decoded. Settings are
 * merged, so separate modules of one bundle can each register the codecs they know about.
 */
export function configureWasmCodecs(next: WasmCodecConfig): void {
  config = { ...config, ...next, wasmUrls: { ...config.wasmUrls, ...next.wasmUrls } };
  loading.clear();
}

function factoryOf<T>(module: unknown): Factory<T> {
  const candidate = (module as { default?: unknown }).default ?? module;
  if (typeof candidate !== 'function') throw new Error('the codec module exports no factory');
  return candidate as Factory<T>;
}

async function instantiate<T>(codec: WasmCodecName, importer: () => Promise<unknown>): Promise<T> {
  const factory = factoryOf<T>(await importer());
  const url = config.wasmUrls?.[codec] ?? config.locateWasm?.(codec);
  const wasmBinary = config.wasmBinary?.(codec);
  return factory({
    locateFile: (path, prefix) => (url && path.endsWith('.wasm') ? url : prefix + path),
    ...(wasmBinary ? { wasmBinary } : {}),
    noInitialRun: true,
    // OpenJPEG logs every header it reads; errors reach us as exceptions anyway.
    print: () => {},
    printErr: () => {},
  });
}

function load<T extends CodecModule>(codec: WasmCodecName, label: string, importer: () => Promise<unknown>): Promise<T> {
  let pending = loading.get(codec);
  if (!pending) {
    pending = instantiate<T>(codec, importer).catch((thrown: unknown) => {
      loading.delete(codec);
      throw new DecodeError(
        'unsupported',
        `The ${label} decoder could not be loaded (${describeThrown(thrown)}); reload the page (or run the command again) and try again.`,
      );
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

export function loadLibjpegTurbo(): Promise<LibjpegTurboModule> {
  return load<LibjpegTurboModule>('libjpeg-turbo', 'JPEG', () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs'));
}

export function loadWebp(): Promise<WebpModule> {
  return load<WebpModule>('webp', 'WebP', () => import('@jsquash/webp/codec/dec/webp_dec.js'));
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
