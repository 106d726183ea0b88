/** Builds the app once with the project's Vite config and checks what the privacy plugin wrote. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import { buildCsp, renderHeadersFile } from '../../src/privacy/csp.ts';
import type { ShellManifest } from '../../src/sw/policy.ts';
import { shellManifest } from '../../scripts/vite-csp.ts';

const outDir = 'tests/.artifacts/privacy-dist';

beforeAll(async () => {
  await build({ root: process.cwd(), logLevel: 'error', build: { outDir, emptyOutDir: true } });
}, 120_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('the built app', () => {
  it('writes _headers with the production policy', () => {
    const headers = readFileSync(join(outDir, '_headers'), 'utf8');
    expect(headers).toBe(renderHeadersFile());
    expect(headers).toContain(`Content-Security-Policy: ${buildCsp()}`);
  });

  it('emits index.html with no inline script or style (the CSP allows neither)', () => {
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    for (const [, attributes, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      expect(attributes).toMatch(/\ssrc="\/assets\//);
      expect(body.trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
  });

  it('lists every shell file in sw-manifest.json and bakes the same list into sw.js', () => {
    const manifest = JSON.parse(readFileSync(join(outDir, 'sw-manifest.json'), 'utf8')) as ShellManifest;
    expect(manifest.shell[0]).toBe('/index.html');
    expect(manifest.shell).toContain('/favicon.svg');
    expect(manifest.shell.some((path) => path.endsWith('.js'))).toBe(true);
    expect(manifest.shell.some((path) => path.startsWith('/ort/'))).toBe(false);
    for (const path of manifest.shell) expect(existsSync(join(outDir, path)), path).toBe(true);
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    for (const [, src] of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) expect(manifest.shell).toContain(src);
    expect(manifest.ortVersion).toMatch(/^\d+\.\d+\.\d+/);

    const source = readFileSync(join(outDir, 'sw.js'), 'utf8');
    expect(source.startsWith(`var __SW_MANIFEST__ = ${JSON.stringify(manifest)};`)).toBe(true);
  });

  it('builds a classic service worker script that listens for install, activate and fetch', () => {
    const source = readFileSync(join(outDir, 'sw.js'), 'utf8');
    expect(source).not.toMatch(/^\s*(import|export)\s/m);
    const listeners: string[] = [];
    const fakeSelf = { addEventListener: (type: string) => listeners.push(type), location: { origin: 'http://127.0.0.1:4173' } };
    runInNewContext(source, { self: fakeSelf, URL, Request: class {}, caches: {} });
    expect(listeners.sort()).toEqual(['activate', 'fetch', 'install']);
  });
});

describe('shellManifest', () => {
  it('puts index.html first, drops runtime files and changes version with any byte', () => {
    const files = new Map<string, string>([
      ['assets/b.js', 'b'],
      ['index.html', '<html>'],
      ['ort/ort.wasm', 'w'],
      ['models/x/config.json', '{}'],
      ['assets/b.js.map', '{}'],
      ['sw.js', ''],
    ]);
    const first = shellManifest(files, '1.30.0');
    expect(first.shell).toEqual(['/index.html', '/assets/b.js']);
    expect(shellManifest(new Map(files), '1.30.0').version).toBe(first.version);
    files.set('assets/b.js', 'c');
    expect(shellManifest(files, '1.30.0').version).not.toBe(first.version);
    files.set('assets/b.js', 'b');
    files.set('ort/ort.wasm', 'changed');
    expect(shellManifest(files, '1.30.0').version).toBe(first.version);
  });
});
