import { describe, expect, it } from 'vitest';
import { DEFAULT_SESSION, SessionState, sanitiseSnapshot } from '../../src/app/session.svelte.ts';

describe('session state', () => {
  it('restores only valid fields from an untrusted stored value', () => {
    const s = sanitiseSnapshot({ clipMin: 0.93, dinoMax: 'x', projection: 'tsne', theme: 'dark', maxPerImage: 1e9 });
    expect(s.clipMin).toBe(0.93);
    expect(s.dinoMax).toBe(DEFAULT_SESSION.dinoMax);
    expect(s.projection).toBe('pca');
    expect(s.theme).toBe('dark');
    expect(s.maxPerImage).toBe(1000);
    expect(sanitiseSnapshot(null)).toEqual(DEFAULT_SESSION);
  });

  it('presets and thresholds write the same two numbers, kept above the floor', () => {
    const state = new SessionState();
    state.applyPreset('mmvp');
    expect([state.clipMin, state.dinoMax]).toEqual([0.95, 0.6]);
    state.setThresholds(0.5, 0.7);
    expect(state.clipMin).toBe(state.floor);
  });

  it('persists through a settings backend (debounced) and restores', async () => {
    const saved = new Map<string, unknown>();
    const backend = { load: async (k: string) => saved.get(k), save: async (k: string, v: unknown) => void saved.set(k, v) };
    const a = new SessionState();
    a.setThresholds(0.91, 0.7);
    a.scheduleSave(backend, 1);
    a.setThresholds(0.92, 0.7);
    a.scheduleSave(backend, 1);
    await new Promise((r) => setTimeout(r, 20));
    const b = new SessionState();
    await b.restore(backend);
    expect([b.clipMin, b.dinoMax]).toEqual([0.92, 0.7]);
  });

  it('keeps the hub commits seen per revision key across a reload, dropping malformed ones', async () => {
    const saved = new Map<string, unknown>();
    const backend = { load: async (k: string) => saved.get(k), save: async (k: string, v: unknown) => void saved.set(k, v) };
    const a = new SessionState();
    a.hubCommits = { 'dinov2-small hub:onnx-community/dinov2-small@main': ['a'.repeat(40)] };
    a.scheduleSave(backend, 1);
    await new Promise((r) => setTimeout(r, 20));
    const b = new SessionState();
    await b.restore(backend);
    expect(b.hubCommits).toEqual(a.hubCommits);
    expect(sanitiseSnapshot({ hubCommits: { k: ['main', 'b'.repeat(40)], j: 'x' } }).hubCommits).toEqual({ k: ['b'.repeat(40)] });
  });
});
