import { afterEach, describe, expect, inject, it } from 'vitest';
import { NetworkLog } from '../../src/privacy/network-log.ts';

let log: NetworkLog | undefined;

afterEach(() => {
  log?.stop();
  log = undefined;
});

/** Resolves once `check` holds for the log's entries (Resource Timing entries arrive asynchronously). */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > timeoutMs) throw new Error('The network log did not record the expected requests in time.');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('NetworkLog in Chromium', () => {
  it('records same-origin fetches with counts, bytes and methods, and flags nothing', async () => {
    log = new NetworkLog();
    log.start({ instrumentFetch: true });
    const tag = Math.random().toString(36).slice(2);
    const sizes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`/favicon.svg?privacy=${tag}-${i}`, { cache: 'no-store' });
      sizes.push((await response.arrayBuffer()).byteLength);
    }
    const self = () => log?.entries().find((entry) => entry.origin === location.origin);
    // The buffered observer also reports everything the test page loaded before start().
    await until(() => performance.getEntriesByType('resource').filter((e) => e.name.includes(`privacy=${tag}`)).length === 3 && (self()?.requests ?? 0) >= 3);
    const entry = self();
    expect(entry).toBeDefined();
    expect(entry?.kind).toBe('self');
    expect(entry?.methods.GET).toBeGreaterThanOrEqual(3);
    expect(entry?.bytesSent).toBe(0);
    expect(entry?.bytesReceived).toBeGreaterThanOrEqual(sizes.reduce((a, b) => a + b, 0));
    expect(log.unexpectedOrigins()).toEqual([]);
  });

  it('counts each instrumented fetch once, together with its timing entry', async () => {
    log = new NetworkLog();
    log.start({ instrumentFetch: true });
    await until(() => (log?.entries().length ?? 0) > 0);
    const before = log.entries().find((entry) => entry.origin === location.origin)?.requests ?? 0;
    const tag = Math.random().toString(36).slice(2);
    await (await fetch(`/favicon.svg?once=${tag}`, { cache: 'no-store' })).arrayBuffer();
    await until(() => performance.getEntriesByType('resource').some((e) => e.name.includes(`once=${tag}`)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(log.entries().find((entry) => entry.origin === location.origin)?.requests).toBe(before + 1);
  });

  it('records request bodies and flags an origin outside the allow-list', async () => {
    log = new NetworkLog();
    log.start({ instrumentFetch: true });
    const hub = new URL(inject('hubUrl')).origin;
    await fetch(`${hub}/privacy-probe`, { method: 'POST', body: 'twelve bytes' }).catch(() => undefined);
    await until(() => log?.entries().some((entry) => entry.origin === hub) ?? false);
    const entry = log.entries().find((e) => e.origin === hub);
    expect(entry).toMatchObject({ kind: 'unexpected', bytesSent: 12, methods: { POST: 1 } });
    expect(log.unexpectedOrigins()).toContain(hub);
  });

  it('restores fetch when stopped', () => {
    const original = globalThis.fetch;
    log = new NetworkLog();
    log.start({ instrumentFetch: true });
    expect(globalThis.fetch).not.toBe(original);
    log.stop();
    expect(globalThis.fetch).toBe(original);
  });
});
