import { describe, expect, it } from 'vitest';
import { cacheNames, isCacheable, staleCaches, strategyFor, type RequestFacts } from '../../src/sw/policy.ts';

const origin = 'http://127.0.0.1:4173';
const names = cacheNames({ version: 'abc123', ortVersion: '1.30.0' });
const shell = ['/index.html', '/assets/index-1.js', '/favicon.svg'];

function get(path: string, extra: Partial<RequestFacts> = {}): RequestFacts {
  return { method: 'GET', url: path.startsWith('http') ? path : origin + path, mode: 'cors', hasRange: false, ...extra };
}

describe('cache names', () => {
  it('versions the shell per build and the ORT files per ORT version', () => {
    expect(names).toEqual({ shell: 'mediconfusion-shell-abc123', ort: 'mediconfusion-ort-1.30.0', modelMeta: 'mediconfusion-model-meta-v1' });
  });

  it('removes only our own caches that the active worker does not use', () => {
    const existing = ['mediconfusion-shell-old', names.shell, 'mediconfusion-ort-1.29.0', names.ort, names.modelMeta, 'transformers-cache'];
    expect(staleCaches(existing, names)).toEqual(['mediconfusion-shell-old', 'mediconfusion-ort-1.29.0']);
  });
});

describe('strategyFor', () => {
  it('answers navigations from the network, falling back to the precached index.html', () => {
    expect(strategyFor(get('/', { mode: 'navigate' }), origin, names, shell)).toEqual({ kind: 'navigation', cache: names.shell, fallback: '/index.html' });
    expect(strategyFor(get('/review?pair=3', { mode: 'navigate' }), origin, names, shell).kind).toBe('navigation');
  });

  it('serves hashed assets and shell files cache-first from the shell cache', () => {
    expect(strategyFor(get('/assets/index-1.js'), origin, names, shell)).toEqual({ kind: 'cache-first', cache: names.shell });
    expect(strategyFor(get('/assets/encoder.worker-9.js'), origin, names, shell)).toEqual({ kind: 'cache-first', cache: names.shell });
    expect(strategyFor(get('/favicon.svg'), origin, names, shell)).toEqual({ kind: 'cache-first', cache: names.shell });
  });

  it('keeps onnxruntime files cache-first in the ORT cache', () => {
    expect(strategyFor(get('/ort/ort-wasm-simd-threaded.jsep.wasm'), origin, names, shell)).toEqual({ kind: 'cache-first', cache: names.ort });
  });

  it('keeps small model metadata network-first and leaves model weights to transformers.js', () => {
    expect(strategyFor(get('/models/fixture-clip/config.json'), origin, names, shell)).toEqual({ kind: 'network-first', cache: names.modelMeta });
    expect(strategyFor(get('/models/fixture-clip/onnx/vision_model.onnx'), origin, names, shell).kind).toBe('passthrough');
    expect(strategyFor(get('/models/big/onnx/model.onnx_data'), origin, names, shell).kind).toBe('passthrough');
  });

  it('never handles uploads, partial requests, other origins or itself', () => {
    expect(strategyFor(get('/assets/index-1.js', { method: 'POST' }), origin, names, shell).kind).toBe('passthrough');
    expect(strategyFor(get('/ort/x.wasm', { hasRange: true }), origin, names, shell).kind).toBe('passthrough');
    expect(strategyFor(get('https://huggingface.co/onnx-community/dinov2-small/resolve/main/config.json'), origin, names, shell).kind).toBe(
      'passthrough',
    );
    expect(strategyFor(get('https://huggingface.co/', { mode: 'navigate' }), origin, names, shell).kind).toBe('passthrough');
    expect(strategyFor(get('/sw.js'), origin, names, shell).kind).toBe('passthrough');
    expect(strategyFor(get('/api/anything'), origin, names, shell).kind).toBe('passthrough');
    expect(strategyFor(get('not a url'), origin, names, shell).kind).toBe('passthrough');
  });
});

describe('isCacheable', () => {
  it('stores only complete same-origin successes', () => {
    expect(isCacheable({ status: 200, type: 'basic' })).toBe(true);
    expect(isCacheable({ status: 206, type: 'basic' })).toBe(false);
    expect(isCacheable({ status: 404, type: 'basic' })).toBe(false);
    expect(isCacheable({ status: 0, type: 'opaque' })).toBe(false);
    expect(isCacheable({ status: 200, type: 'cors' })).toBe(false);
  });
});
