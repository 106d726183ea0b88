/**
 * Vite plugin for privacy and offline use:
 * - sends the Content Security Policy and isolation headers from `vite preview` (the production
 *   policy) and from the dev server (a relaxed dev policy; never inside Vitest, whose pages use
 *   inline scripts and other origins);
 * - writes `dist/_headers` (Netlify / Cloudflare Pages) with the same headers;
 * - builds the service worker `dist/sw.js` from src/sw/service-worker.ts with the app-shell list
 *   baked in (so every build changes its bytes and browsers pick up the update), and writes that
 *   list to `dist/sw-manifest.json` for tests and tooling.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import type { Connect, Plugin, ResolvedConfig } from 'vite';
import { securityHeaders, renderHeadersFile } from '../src/privacy/csp.ts';
import type { ShellManifest } from '../src/sw/policy.ts';
import { ortDistDir } from './vite-plugins.ts';

const SERVICE_WORKER_ENTRY = fileURLToPath(new URL('../src/sw/service-worker.ts', import.meta.url));

/** Output files that are never precached: large runtime files, and the worker's own outputs. */
function isShellFile(fileName: string): boolean {
  if (/^(ort|models)\//.test(fileName)) return false;
  if (['sw.js', 'sw-manifest.json', '_headers'].includes(fileName)) return false;
  return !fileName.endsWith('.map');
}

function publicFiles(publicDir: string): string[] {
  if (!publicDir || !existsSync(publicDir)) return [];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(publicDir, full).split(sep).join('/'));
    }
  };
  walk(publicDir);
  return out;
}

function ortVersion(): string {
  const pkg = JSON.parse(readFileSync(join(ortDistDir(), '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The shell list and a version that changes whenever any listed file's bytes change. */
export function shellManifest(files: ReadonlyMap<string, string | Uint8Array>, ort: string): ShellManifest {
  const names = [...files.keys()].filter(isShellFile).sort((a, b) => (a === 'index.html' ? -1 : b === 'index.html' ? 1 : a.localeCompare(b)));
  const hash = createHash('sha256');
  for (const name of names) hash.update(name).update('\0').update(files.get(name) ?? '').update('\0');
  return { version: hash.digest('hex').slice(0, 16), ortVersion: ort, shell: names.map((name) => `/${name}`) };
}

async function buildServiceWorker(manifest: ShellManifest): Promise<string> {
  const bundle = await rolldown({ input: SERVICE_WORKER_ENTRY, platform: 'browser', logLevel: 'silent' });
  try {
    const { output } = await bundle.generate({ format: 'iife', minify: true });
    return `var __SW_MANIFEST__ = ${JSON.stringify(manifest)};\n${output[0].code}`;
  } finally {
    await bundle.close();
  }
}

function headerMiddleware(headers: Record<string, string>): Connect.NextHandleFunction {
  return (_req, res, next) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    next();
  };
}

export interface PrivacyPluginOptions {
  /** Build `sw.js` and `sw-manifest.json` (default true). */
  serviceWorker?: boolean;
}

export function privacyHeaders(options: PrivacyPluginOptions = {}): Plugin {
  let config: ResolvedConfig | undefined;
  return {
    name: 'mediconfusion-privacy',
    // Before other plugins' middlewares (e.g. /ort/, /models/), so every response carries the headers.
    enforce: 'pre',
    configResolved(resolved) {
      config = resolved;
    },
    configureServer(server) {
      if (process.env.VITEST) return;
      server.middlewares.use(headerMiddleware(securityHeaders({ mode: 'dev' })));
    },
    configurePreviewServer(server) {
      server.middlewares.use(headerMiddleware(securityHeaders({ mode: 'production' })));
    },
    generateBundle: {
      order: 'post',
      async handler(_outputOptions, bundle) {
        this.emitFile({ type: 'asset', fileName: '_headers', source: renderHeadersFile({ mode: 'production' }) });
        if (options.serviceWorker === false) return;
        const files = new Map<string, string | Uint8Array>();
        for (const [fileName, output] of Object.entries(bundle)) files.set(fileName, output.type === 'chunk' ? output.code : output.source);
        const publicDir = config?.publicDir ?? '';
        for (const name of publicFiles(publicDir)) if (!files.has(name)) files.set(name, readFileSync(join(publicDir, name)));
        const manifest = shellManifest(files, ortVersion());
        this.emitFile({ type: 'asset', fileName: 'sw-manifest.json', source: JSON.stringify(manifest, null, 2) + '\n' });
        this.emitFile({ type: 'asset', fileName: 'sw.js', source: await buildServiceWorker(manifest) });
      },
    },
  };
}
