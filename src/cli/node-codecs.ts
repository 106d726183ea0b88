/**
 * Node adapter for the WASM image codecs: jSquash's libwebp build is made for browsers and
 * cannot read its .wasm from disk, so Node hands it the bytes. The other codecs find their
 * files by themselves in Node.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { configureWasmCodecs } from '../core/decode/wasm-codecs.ts';

const require = createRequire(import.meta.url);

/** Makes every image format decodable in this Node process; safe to call more than once. */
export function configureNodeCodecs(): void {
  configureWasmCodecs({
    wasmBinary: (codec) => (codec === 'webp' ? new Uint8Array(readFileSync(require.resolve('@jsquash/webp/codec/dec/webp_dec.wasm'))) : undefined),
  });
}
