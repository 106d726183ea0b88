import { describe, expect, it } from 'vitest';
import { NetworkLog, totals } from '../../src/privacy/network-log.ts';
import { formatBytes, originLabel } from '../../src/privacy/format.ts';

const app = 'http://127.0.0.1:4173';

describe('NetworkLog (fed directly)', () => {
  it('groups resources by origin and flags origins outside the allow-list', () => {
    const log = new NetworkLog({ appOrigin: app });
    log.addResource({ name: `${app}/assets/index.js`, transferSize: 1200, encodedBodySize: 900 }, 'page');
    log.addResource({ name: `${app}/ort/ort.wasm`, transferSize: 0, encodedBodySize: 5000 }, 'page');
    log.addResource({ name: 'https://huggingface.co/x/resolve/main/config.json', transferSize: 300 }, 'page');
    log.addResource({ name: 'https://cdn.jsdelivr.net/npm/onnxruntime-web/dist/ort.wasm', transferSize: 10 }, 'page');
    log.addResource({ name: 'data:image/png;base64,AAAA' }, 'page');
    log.addResource({ name: 'blob:http://127.0.0.1:4173/123' }, 'page');

    const entries = log.entries();
    expect(entries.map((e) => [e.origin, e.kind, e.requests, e.bytesReceived])).toEqual([
      [app, 'self', 2, 6200],
      ['https://cdn.jsdelivr.net', 'unexpected', 1, 10],
      ['https://huggingface.co', 'model-host', 1, 300],
    ]);
    expect(log.unexpectedOrigins()).toEqual(['https://cdn.jsdelivr.net']);
    expect(totals(entries)).toEqual({ requests: 4, bytesReceived: 6510, bytesSent: 0, unexpected: 1 });
  });

  it('counts a wrapped request and its timing entry once, with method and body bytes', () => {
    const log = new NetworkLog({ appOrigin: app });
    log.addRequest({ url: '/models/a/config.json', method: 'get', bodyBytes: 0 }, 'page');
    log.addResource({ name: `${app}/models/a/config.json`, transferSize: 400 }, 'page');
    log.addRequest({ url: `${app}/upload`, method: 'POST', bodyBytes: 17 }, 'page');
    const [entry] = log.entries();
    expect(entry).toMatchObject({ origin: app, requests: 2, bytesReceived: 400, bytesSent: 17, methods: { GET: 1, POST: 1 }, seenBy: ['page'] });
  });

  it('merges worker diagnostics, with or without resource entries', () => {
    const log = new NetworkLog({ appOrigin: app });
    log.addWorkerDiagnostics('clip', { origins: [app, 'https://huggingface.co'] });
    log.addWorkerDiagnostics('dino', {
      origins: ['https://cas-bridge.xethub.hf.co'],
      resources: [{ name: 'https://cas-bridge.xethub.hf.co/xet-bridge-us/abc?sig=1', transferSize: 90_000_000 }],
    });
    const byOrigin = Object.fromEntries(log.entries().map((e) => [e.origin, e]));
    expect(byOrigin[app].seenBy).toEqual(['worker:clip']);
    expect(byOrigin['https://huggingface.co'].kind).toBe('model-host');
    expect(byOrigin['https://cas-bridge.xethub.hf.co']).toMatchObject({ requests: 1, bytesReceived: 90_000_000, seenBy: ['worker:dino'] });
    expect(log.unexpectedOrigins()).toEqual([]);
  });

  it('notifies subscribers with the current entries', () => {
    const log = new NetworkLog({ appOrigin: app });
    const seen: number[] = [];
    const unsubscribe = log.subscribe((entries) => seen.push(entries.length));
    log.addWorkerDiagnostics('clip', { origins: ['https://huggingface.co'] });
    unsubscribe();
    log.addWorkerDiagnostics('clip', { origins: ['https://evil.example'] });
    expect(seen).toEqual([0, 1]);
  });
});

describe('formatting', () => {
  it('formats bytes and origins for people', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(14_200)).toBe('14.2 kB');
    expect(formatBytes(27_000_000)).toBe('27.0 MB');
    expect(formatBytes(-1)).toBe('unknown');
    expect(originLabel('https://huggingface.co')).toBe('huggingface.co');
    expect(originLabel('http://127.0.0.1:4173')).toBe('127.0.0.1:4173');
    expect(originLabel('https://*.cdn.hf.co')).toBe('*.cdn.hf.co');
  });
});
