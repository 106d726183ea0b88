/**
 * The service worker: precaches the app shell at install, removes older caches at activate and
 * answers fetches as src/sw/policy.ts decides. Built into a classic script `/sw.js` by
 * scripts/vite-csp.ts, which defines `__SW_MANIFEST__` for the build.
 *
 * "Forget everything" deletes every cache, ours included, while this worker keeps running: each
 * handler opens its cache by name (which recreates it), so files are re-cached as they are used.
 */
import { ORT_PRECACHE, cacheNames, isCacheable, staleCaches, strategyFor, type ShellManifest, type Strategy } from './policy.ts';

declare const __SW_MANIFEST__: ShellManifest;

const worker = self as unknown as ServiceWorkerGlobalScope;
const manifest = __SW_MANIFEST__;
const names = cacheNames(manifest);

worker.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(names.shell);
      // `no-cache` so the precache never takes a stale copy from the HTTP cache.
      await cache.addAll(manifest.shell.map((path) => new Request(path, { cache: 'no-cache' })));
      // Best effort: a host without /ort/ files (custom wasmPaths) still installs the shell.
      await (await caches.open(names.ort)).addAll(ORT_PRECACHE).catch(() => undefined);
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const stale = staleCaches(await caches.keys(), names);
      await Promise.all(stale.map((name) => caches.delete(name)));
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener('fetch', (event) => {
  const request = event.request;
  const strategy = strategyFor(
    { method: request.method, url: request.url, mode: request.mode, hasRange: request.headers.has('range') },
    worker.location.origin,
    names,
    manifest.shell,
  );
  if (strategy.kind === 'passthrough') return;
  event.respondWith(respond(request, strategy));
});

async function store(cacheName: string, request: Request, response: Response): Promise<void> {
  if (!isCacheable(response)) return;
  try {
    const cache = await caches.open(cacheName);
    await cache.put(request, response);
  } catch {
    // A full quota must not break the answer; the file is simply fetched again next time.
  }
}

// Lookups ignore Vary: servers answer same-origin files with `Vary: Origin`, and module scripts
// (sent with an Origin header) would otherwise never match the entries precached without one.
async function respond(request: Request, strategy: Exclude<Strategy, { kind: 'passthrough' }>): Promise<Response> {
  switch (strategy.kind) {
    case 'cache-first': {
      const cached = await caches.match(request, { cacheName: strategy.cache, ignoreVary: true });
      if (cached) return cached;
      const response = await fetch(request);
      await store(strategy.cache, request, response.clone());
      return response;
    }
    case 'network-first': {
      try {
        const response = await fetch(request);
        await store(strategy.cache, request, response.clone());
        return response;
      } catch (error) {
        const cached = await caches.match(request, { cacheName: strategy.cache, ignoreVary: true });
        if (cached) return cached;
        throw error;
      }
    }
    case 'navigation': {
      try {
        const response = await fetch(request);
        // Keep the freshest shell page; other paths may be answered differently by the server.
        const path = new URL(request.url).pathname;
        if (path === '/' || path === strategy.fallback) await store(strategy.cache, new Request(strategy.fallback), response.clone());
        return response;
      } catch (error) {
        const cached = await caches.match(strategy.fallback, { cacheName: strategy.cache, ignoreVary: true });
        if (cached) return cached;
        throw error;
      }
    }
  }
}
