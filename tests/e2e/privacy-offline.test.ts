/**
 * End to end against the built app (`vite preview`): the CSP the browser enforces, the service
 * worker's offline behaviour, and how it copes with "Forget everything" deleting its caches.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openApp, type Session } from './browser.ts';
import { buildCsp } from '../../src/privacy/csp.ts';
import { isAllowedOrigin } from '../../src/privacy/hosts.ts';

let session: Session;
let origin: string;

interface Violation {
  directive: string;
  blockedURI: string;
}

beforeAll(async () => {
  origin = inject('appOrigin');
  session = await openApp(origin);
  await session.page.waitForSelector('#app > *');
});

afterAll(async () => {
  await session?.close();
});

/** Collects CSP violations reported in the page from now on. */
async function watchViolations(): Promise<void> {
  await session.page.evaluate(() => {
    const found: { directive: string; blockedURI: string }[] = [];
    (globalThis as unknown as { __violations: typeof found }).__violations = found;
    document.addEventListener('securitypolicyviolation', (event) => found.push({ directive: event.effectiveDirective, blockedURI: event.blockedURI }));
  });
}

function violations(): Promise<Violation[]> {
  return session.page.evaluate(() => (globalThis as unknown as { __violations: Violation[] }).__violations);
}

describe('Content Security Policy', () => {
  it('is sent with the page, scripts, workers, ORT files and the service worker', async () => {
    const manifest = (await (await fetch(`${origin}/sw-manifest.json`)).json()) as { shell: string[] };
    const paths = ['/', ...manifest.shell, '/sw.js', '/ort/ort-wasm-simd-threaded.jsep.mjs'];
    for (const path of paths) {
      const response = await fetch(origin + path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-security-policy'), path).toBe(buildCsp());
      expect(response.headers.get('cross-origin-embedder-policy'), path).toBe('require-corp');
      await response.arrayBuffer();
    }
  });

  it('loads the app without a single violation', async () => {
    await watchViolations();
    await session.page.reload();
    await session.page.waitForSelector('#app > *');
    await watchViolations();
    await session.page.waitForTimeout(500);
    expect(await violations()).toEqual([]);
    expect(session.consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
  });

  it('lets WebAssembly compile but blocks inline scripts and other origins', async () => {
    await watchViolations();
    const outcome = await session.page.evaluate(async () => {
      const wasm = await (await fetch('/ort/ort-wasm-simd-threaded.jsep.wasm')).arrayBuffer();
      const compiled = (await WebAssembly.compile(wasm)) instanceof WebAssembly.Module;
      const script = document.createElement('script');
      script.textContent = 'globalThis.__inlineRan = true';
      document.head.append(script);
      let external = 'fetched';
      try {
        await fetch('https://example.com/upload', { method: 'POST', body: 'x' });
      } catch {
        external = 'blocked';
      }
      return { compiled, inlineRan: (globalThis as unknown as { __inlineRan?: boolean }).__inlineRan === true, external };
    });
    expect(outcome).toEqual({ compiled: true, inlineRan: false, external: 'blocked' });
    const seen = await violations();
    expect(seen.map((v) => v.directive)).toEqual(expect.arrayContaining(['script-src-elem', 'connect-src']));
    expect(seen.find((v) => v.directive === 'connect-src')?.blockedURI).toContain('example.com');
  });
});

/** Registers /sw.js the way the app does, and waits until it controls the page. */
async function ensureServiceWorker(): Promise<void> {
  await session.page.evaluate(async () => {
    if (!(await navigator.serviceWorker.getRegistration())) await navigator.serviceWorker.register('/sw.js', { scope: '/', updateViaCache: 'none' });
    await navigator.serviceWorker.ready;
  });
  await session.page.reload();
  await session.page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

function cacheNames(): Promise<string[]> {
  return session.page.evaluate(() => caches.keys());
}

describe('offline', () => {
  // Turns on by itself once src/main.ts calls registerServiceWorker() (the app's wiring step).
  const wired = readFileSync('src/main.ts', 'utf8').includes('registerServiceWorker');
  it.skipIf(!wired)('the app registers its service worker by itself', async () => {
    const registered = await session.page.evaluate(async () => {
      for (let i = 0; i < 50; i++) {
        if (await navigator.serviceWorker.getRegistration()) return true;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return false;
    });
    expect(registered, 'main.ts should call registerServiceWorker() from src/privacy/register-sw.ts').toBe(true);
  });

  it('cannot reload offline without a service worker (control: offline emulation is real)', async () => {
    const context = await session.browser.newContext({ serviceWorkers: 'block' });
    try {
      const page = await context.newPage();
      await page.goto(origin);
      await context.setOffline(true);
      await expect(page.reload()).rejects.toThrow();
    } finally {
      await context.close();
    }
  });

  it('precaches the shell and reloads with the network off', async () => {
    await ensureServiceWorker();
    const manifest = (await (await fetch(`${origin}/sw-manifest.json`)).json()) as { shell: string[]; version: string };
    expect(await cacheNames()).toContain(`mediconfusion-shell-${manifest.version}`);
    // ORT files are cached on first use.
    await session.page.evaluate(async () => (await fetch('/ort/ort-wasm-simd-threaded.jsep.mjs')).text());

    await session.context.setOffline(true);
    try {
      await session.page.reload();
      await session.page.waitForSelector('#app > *');
      const offline = await session.page.evaluate(async () => ({
        title: document.title,
        ort: (await fetch('/ort/ort-wasm-simd-threaded.jsep.mjs')).status,
      }));
      expect(offline).toEqual({ title: 'MediConfusion Explorer', ort: 200 });
    } finally {
      await session.context.setOffline(false);
    }
  });

  it('re-caches lazily after every cache was deleted ("Forget everything") and works offline again', async () => {
    await ensureServiceWorker();
    await session.page.evaluate(async () => {
      for (const name of await caches.keys()) await caches.delete(name);
    });
    expect(await cacheNames()).toEqual([]);
    await session.page.reload();
    await session.page.waitForSelector('#app > *');
    expect((await cacheNames()).some((name) => name.startsWith('mediconfusion-shell-'))).toBe(true);

    await session.context.setOffline(true);
    try {
      await session.page.reload();
      await session.page.waitForSelector('#app > *');
    } finally {
      await session.context.setOffline(false);
    }
  });

  it('contacted no origin but its own during the whole session', () => {
    const outside = session.requests.map((r) => new URL(r.url())).filter((u) => u.protocol.startsWith('http') && !isAllowedOrigin(u.origin, origin));
    // example.com was the deliberate probe above, blocked by the CSP before it left the browser.
    expect(outside.filter((u) => u.hostname !== 'example.com').map((u) => u.href)).toEqual([]);
  });
});
