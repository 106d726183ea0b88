import { describe, expect, it } from 'vitest';
import { EncoderPair } from '../../src/app/encoders.svelte.ts';
import { SessionState } from '../../src/app/session.svelte.ts';
import { encoderRevisionKey, getEncoder } from '../../src/core/encoders/registry.ts';
import type { LoadResult } from '../../src/workers/encoder.protocol.ts';

const A = 'a'.repeat(40);
const B = '0123456789abcdef0123456789abcdef01234567';
const dino = getEncoder('dinov2-small');
const key = encoderRevisionKey(dino);
const loaded = (commit?: string): LoadResult => ({ entry: dino, backend: 'wasm', label: 'WASM', source: 'hub', revisionKey: key, ...(commit ? { commit } : {}) });

describe('the encoder pair and the hub commits it loaded', () => {
  it('says once, naming both commits, that a branch moved since stored embeddings were made', () => {
    const session = new SessionState();
    const pair = new EncoderPair(session, () => {}, () => true);
    pair.dino.loaded = loaded(A);
    pair.noteCommits();
    expect(pair.notice).toBe('');
    expect(pair.commitOf('dinov2-small', key)).toEqual({ commit: A });

    // A later visit: the hub's main now resolves to B.
    pair.dino.loaded = loaded(B);
    pair.noteCommits();
    expect(pair.notice).toContain('DINOv2 Small now loads commit 0123456789ab');
    expect(pair.notice).toContain(`may come from commit ${A.slice(0, 12)}`);
    expect(pair.commitOf('dinov2-small', key)).toEqual({ commit: B, earlierCommits: [A] });
    pair.noteCommits();
    expect(pair.notice).toBe('');
  });

  it('exports what the ledger knows when the encoder is not loaded, and unknown when nothing is known', () => {
    const session = new SessionState();
    const pair = new EncoderPair(session, () => {}, () => true);
    expect(pair.commitOf('dinov2-small', key)).toEqual({ commit: 'unknown' });
    session.hubCommits = { [`dinov2-small ${key}`]: [A] };
    expect(pair.commitOf('dinov2-small', key)).toEqual({ commit: A });
    // A custom file reports no commit: nothing is recorded.
    pair.dino.loaded = loaded();
    pair.noteCommits();
    expect(session.hubCommits).toEqual({ [`dinov2-small ${key}`]: [A] });
  });
});
