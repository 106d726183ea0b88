/**
 * The Content Security Policy and the other security headers of the built app, as data and as
 * header strings. Pure: the Vite plugin (scripts/vite-csp.ts) writes them into `dist/_headers`
 * and the preview server; src/privacy/HOSTING.md explains each choice.
 */
import { MODEL_HOSTS } from './hosts.ts';

export type CspMode = 'production' | 'dev';

/** Directive name -> source list, in the order they are written. */
export type CspDirectives = Record<string, readonly string[]>;

export interface CspOptions {
  /** `dev` relaxes what Vite's dev server needs (CSS injected as <style>, the HMR WebSocket). */
  mode?: CspMode;
  /** Hosts allowed in `connect-src` besides 'self'; the hub and its CDNs by default. */
  modelHosts?: readonly string[];
}

/**
 * The policy's directives.
 * - `script-src 'self' 'wasm-unsafe-eval'`: Vite emits only external module scripts (no inline
 *   code); onnxruntime-web compiles WebAssembly, which needs 'wasm-unsafe-eval' and nothing more.
 * - `worker-src 'self'`: our workers and ORT's pthread workers are same-origin module scripts;
 *   ORT uses blob: workers only when its WASM is cross-origin, and ours is served from /ort/.
 * - `style-src 'self'`: Svelte's component CSS is extracted into a hashed file, and Svelte 5 sets
 *   dynamic styles through the CSSOM (`style.setProperty`, `style.cssText`), which CSP does not
 *   govern. Static `style="..."` attributes in markup would be blocked; a unit test forbids them.
 * - `img-src 'self' blob: data:`: thumbnails are object URLs; icons may be data URLs.
 */
export function cspDirectives(options: CspOptions = {}): CspDirectives {
  const mode = options.mode ?? 'production';
  const modelHosts = options.modelHosts ?? MODEL_HOSTS;
  const dev = mode === 'dev';
  return {
    'default-src': ["'self'"],
    'script-src': dev ? ["'self'", "'wasm-unsafe-eval'", "'unsafe-inline'"] : ["'self'", "'wasm-unsafe-eval'"],
    'worker-src': ["'self'"],
    'connect-src': dev ? ["'self'", 'ws:', 'wss:', ...modelHosts] : ["'self'", ...modelHosts],
    'img-src': ["'self'", 'blob:', 'data:'],
    'style-src': dev ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    'font-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
}

/** Serialises directives as one header value: `name source source; name source`. */
export function serializeCsp(directives: CspDirectives): string {
  return Object.entries(directives)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ');
}

/** The Content-Security-Policy header value for `mode`. */
export function buildCsp(options: CspOptions = {}): string {
  return serializeCsp(cspDirectives(options));
}

/** Parses a CSP header value back into directives (first occurrence wins, as browsers do). */
export function parseCsp(value: string): CspDirectives {
  const directives: Record<string, string[]> = {};
  for (const part of value.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name && !(name.toLowerCase() in directives)) directives[name.toLowerCase()] = sources;
  }
  return directives;
}

/** Cross-origin isolation (WASM threads need SharedArrayBuffer) plus the privacy headers. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Every header the app's responses should carry. */
export function securityHeaders(options: CspOptions = {}): Record<string, string> {
  return {
    'Content-Security-Policy': buildCsp(options),
    ...ISOLATION_HEADERS,
    // The hub never learns which page asked for a model file.
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  };
}

/**
 * A Netlify / Cloudflare Pages `_headers` file: the security headers on every path, and the
 * service worker revalidated on every load so updates reach users.
 */
export function renderHeadersFile(options: CspOptions = {}): string {
  const lines = ['/*'];
  for (const [name, value] of Object.entries(securityHeaders(options))) lines.push(`  ${name}: ${value}`);
  lines.push('/sw.js', '  Cache-Control: no-cache');
  lines.push('/assets/*', '  Cache-Control: public, max-age=31536000, immutable');
  return lines.join('\n') + '\n';
}
