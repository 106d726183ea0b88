import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCsp, cspDirectives, parseCsp, renderHeadersFile, securityHeaders } from '../../src/privacy/csp.ts';
import { MODEL_HOSTS } from '../../src/privacy/hosts.ts';

describe('production CSP', () => {
  const policy = parseCsp(buildCsp());

  it('allows only same-origin content, WASM compilation and the model hosts', () => {
    expect(policy['default-src']).toEqual(["'self'"]);
    expect(policy['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(policy['worker-src']).toEqual(["'self'"]);
    expect(policy['connect-src']).toEqual(["'self'", ...MODEL_HOSTS]);
    expect(policy['img-src']).toEqual(["'self'", 'blob:', 'data:']);
    expect(policy['style-src']).toEqual(["'self'"]);
    expect(policy['object-src']).toEqual(["'none'"]);
    expect(policy['base-uri']).toEqual(["'none'"]);
    expect(policy['frame-ancestors']).toEqual(["'none'"]);
  });

  it('never allows inline code, eval, wildcards or plain http', () => {
    const value = buildCsp();
    expect(value).not.toContain("'unsafe-inline'");
    expect(value).not.toContain("'unsafe-eval'");
    expect(value).not.toMatch(/(^|\s)\*(\s|;|$)/);
    expect(value).not.toContain('http:');
    expect(value).not.toMatch(/(^|\s)(https:|ws:|wss:)(\s|;|$)/);
  });

  it('follows a custom model-host list in connect-src only', () => {
    const custom = parseCsp(buildCsp({ modelHosts: ['https://mirror.example.org'] }));
    expect(custom['connect-src']).toEqual(["'self'", 'https://mirror.example.org']);
    expect(custom['script-src']).toEqual(policy['script-src']);
  });
});

describe('dev CSP', () => {
  it('relaxes only what the dev server needs (inline CSS and scripts, the HMR socket)', () => {
    const dev = cspDirectives({ mode: 'dev' });
    const prod = cspDirectives();
    expect(dev['style-src']).toContain("'unsafe-inline'");
    expect(dev['connect-src']).toEqual(expect.arrayContaining(['ws:', ...MODEL_HOSTS]));
    expect(dev['object-src']).toEqual(prod['object-src']);
    expect(dev['frame-ancestors']).toEqual(prod['frame-ancestors']);
  });
});

describe('serialisation', () => {
  it('round-trips through parseCsp, first directive winning', () => {
    expect(parseCsp(buildCsp())).toEqual(cspDirectives());
    expect(parseCsp("script-src 'self'; script-src *")['script-src']).toEqual(["'self'"]);
  });

  it('writes every security header for every path into _headers', () => {
    const file = renderHeadersFile();
    const lines = file.split('\n');
    expect(lines[0]).toBe('/*');
    for (const [name, value] of Object.entries(securityHeaders())) expect(lines).toContain(`  ${name}: ${value}`);
    expect(securityHeaders()['Cross-Origin-Embedder-Policy']).toBe('require-corp');
    expect(securityHeaders()['Referrer-Policy']).toBe('no-referrer');
    expect(file).toMatch(/\/sw\.js\n {2}Cache-Control: no-cache/);
  });
});

/** Every .svelte file under `dir`. */
function svelteFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return svelteFiles(full);
    return name.endsWith('.svelte') ? [full] : [];
  });
}

describe('markup the CSP would block', () => {
  it('has no static style attributes in components (style-src has no unsafe-inline; use style: directives or classes)', () => {
    const offenders: string[] = [];
    for (const file of svelteFiles('src/ui')) {
      const markup = readFileSync(file, 'utf8').replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, '');
      // Svelte compiles style="..." without expressions into HTML templates (parsed, so blocked);
      // attributes with {expressions} and style: directives go through the CSSOM (allowed).
      for (const match of markup.matchAll(/\sstyle=(["'])([^"']*)\1/g)) if (!match[2].includes('{')) offenders.push(`${file}: ${match[0].trim()}`);
    }
    expect(offenders).toEqual([]);
  });

  it('has no inline scripts in index.html', () => {
    const html = readFileSync('index.html', 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/\ssrc=/);
      expect(body.trim()).toBe('');
    }
  });
});
