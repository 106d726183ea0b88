import { describe, expect, it } from 'vitest';
import { ENCODERS, encoderRevisionKey, getEncoder } from '../../src/core/encoders/registry.ts';
import {
  UNKNOWN_COMMIT,
  checkServedCommit,
  commitDriftSentence,
  commitNote,
  commitOf,
  commitRecordOf,
  isCommit,
  ledgerKey,
  noteCommit,
  oneCommit,
  parseRevision,
  parseSourceRecord,
  sanitiseLedger,
  withRevision,
} from '../../src/core/encoders/revision.ts';

const A = 'a'.repeat(40);
const B = '0123456789abcdef0123456789abcdef01234567';
const headers = (value?: string) => new Headers(value === undefined ? {} : { 'X-Repo-Commit': value });

describe('hub revisions and commits', () => {
  it('tells a full commit from a branch name', () => {
    expect(isCommit(A)).toBe(true);
    expect(isCommit(A.toUpperCase())).toBe(false);
    expect(isCommit('main')).toBe(false);
    expect(isCommit(A.slice(1))).toBe(false);
  });

  it('parses a revision given on the command line, in sentences when it cannot be one', () => {
    expect(parseRevision('main')).toBe('main');
    expect(parseRevision('v1.0')).toBe('v1.0');
    expect(parseRevision(` ${B.toUpperCase()} `)).toBe(B);
    expect(() => parseRevision('0123456')).toThrow(/looks like a shortened commit; give all 40 hex digits/);
    expect(() => parseRevision('a b')).toThrow(/neither a commit \(40 hex digits\) nor a branch or tag name/);
    expect(() => parseRevision('../etc')).toThrow(/neither a commit/);
    expect(() => parseRevision('')).toThrow(/neither a commit/);
  });

  it('reads the commit a hub answer names, and nothing else', () => {
    expect(commitOf(headers(A))).toBe(A);
    expect(commitOf(headers(B.toUpperCase()))).toBe(B);
    expect(commitOf(headers())).toBeNull();
    expect(commitOf(headers('main'))).toBeNull();
  });

  it('refuses a pinned commit answered with another, lets a branch resolve to any, never guesses', () => {
    expect(checkServedCommit('X', A, A, 'hub')).toBe(A);
    expect(() => checkServedCommit('DINOv2 Small', A, B, 'https://mirror')).toThrow(
      `DINOv2 Small is pinned to commit ${A}, but https://mirror served commit ${B}; check that the host is the Hugging Face hub or a faithful mirror, or fetch that commit again with \`npm run models\`.`,
    );
    expect(checkServedCommit('X', 'main', B, 'hub')).toBe(B);
    expect(checkServedCommit('X', 'main', null, 'hub')).toBe(UNKNOWN_COMMIT);
    // The URL itself named the commit, so a host that sends no header still served it.
    expect(checkServedCommit('X', A, null, 'hub')).toBe(A);
  });

  it('takes one commit from a load and refuses files of two', () => {
    expect(oneCommit('X', [A, UNKNOWN_COMMIT, A])).toBe(A);
    expect(oneCommit('X', [UNKNOWN_COMMIT])).toBe(UNKNOWN_COMMIT);
    expect(oneCommit('X', [])).toBe(UNKNOWN_COMMIT);
    expect(() => oneCommit('X', [A, B])).toThrow(/come from two hub commits \(aaaaaaaaaaaa and 0123456789ab\).*reload the page/);
  });

  it('keeps branch keys as they were and puts a pinned commit in the key', () => {
    const dino = getEncoder('dinov2-small');
    expect(encoderRevisionKey(dino)).toBe('hub:onnx-community/dinov2-small@main');
    const pinned = withRevision(dino, B.toUpperCase());
    expect(pinned.source).toEqual({ kind: 'hub', repo: 'onnx-community/dinov2-small', revision: B });
    expect(encoderRevisionKey(pinned)).toBe(`hub:onnx-community/dinov2-small@${B}`);
    expect(encoderRevisionKey(pinned, 'q8')).toBe(`hub:onnx-community/dinov2-small@${B}#q8`);
    expect(() => withRevision(getEncoder('fixture-clip'), A)).toThrow(/does not come from the hub/);
  });

  it('has registry revisions that are a branch name or a full lower-case commit', () => {
    for (const entry of ENCODERS) {
      if (entry.source.kind !== 'hub') continue;
      expect(parseRevision(entry.source.revision)).toBe(entry.source.revision);
    }
  });

  it('reads source.json and rejects what is not one', () => {
    expect(parseSourceRecord({ repo: 'o/r', revision: 'main', commit: A })).toEqual({ repo: 'o/r', revision: 'main', commit: A });
    expect(parseSourceRecord({ repo: 'o/r', revision: 'main', commit: 'unknown' })?.commit).toBe(UNKNOWN_COMMIT);
    expect(parseSourceRecord({ repo: 'o/r', revision: 'main', commit: 'abc' })).toBeNull();
    expect(parseSourceRecord('<html>')).toBeNull();
    expect(parseSourceRecord(null)).toBeNull();
  });

  it('says which commit runs, and that an unknown one is unknown', () => {
    expect(commitNote('DINOv2 Small', A, { kind: 'hub', where: 'https://huggingface.co' })).toBe('DINOv2 Small: commit aaaaaaaaaaaa (from https://huggingface.co).');
    expect(commitNote('D', UNKNOWN_COMMIT, { kind: 'self-hosted', where: '/models/d/' })).toMatch(/^D: \/models\/d\/ does not record which hub commit it holds, so the commit is recorded as unknown/);
    expect(commitNote('D', UNKNOWN_COMMIT, { kind: 'hub', where: 'https://mirror', revision: 'main' })).toMatch(/did not say which commit "main" is/);
  });
});

describe('the commit ledger (a branch that moved between visits)', () => {
  const key = 'hub:o/r@main';

  it('records the first commit silently and says a move once', () => {
    const first = noteCommit({}, 'd', key, A);
    expect(first).toEqual({ ledger: { [ledgerKey('d', key)]: [A] }, earlier: [] });
    const again = noteCommit(first.ledger, 'd', key, A);
    expect(again.earlier).toEqual([]);
    expect(again.ledger).toBe(first.ledger);
    const moved = noteCommit(first.ledger, 'd', key, B);
    expect(moved.earlier).toEqual([A]);
    expect(moved.ledger[ledgerKey('d', key)]).toEqual([A, B]);
    expect(noteCommit(moved.ledger, 'd', key, B).earlier).toEqual([]);
    // Back to the earlier weights (a self-hosted copy of the old commit): rows of B may exist.
    const back = noteCommit(moved.ledger, 'd', key, A);
    expect(back.earlier).toEqual([B]);
    expect(back.ledger[ledgerKey('d', key)]).toEqual([B, A]);
  });

  it('records nothing for an unknown commit, and keeps keys apart', () => {
    const ledger = noteCommit({}, 'd', key, A).ledger;
    expect(noteCommit(ledger, 'd', key, UNKNOWN_COMMIT)).toEqual({ ledger, earlier: [] });
    expect(noteCommit(ledger, 'd', `${key}#q8`, B).earlier).toEqual([]);
    expect(noteCommit(ledger, 'other', key, B).earlier).toEqual([]);
  });

  it('names both commits and the command that keeps the earlier weights', () => {
    const sentence = commitDriftSentence(getEncoder('dinov2-small'), key, [A], B);
    expect(sentence).toContain('DINOv2 Small now loads commit 0123456789ab');
    expect(sentence).toContain(`embeddings stored under ${key} may come from commit aaaaaaaaaaaa`);
    expect(sentence).toContain(`npm run models -- dinov2-small --revision ${A}`);
  });

  it('gives an export the loaded commit, else the latest seen, with the others', () => {
    const ledger = noteCommit(noteCommit({}, 'd', key, A).ledger, 'd', key, B).ledger;
    expect(commitRecordOf({}, 'd', key)).toEqual({ commit: UNKNOWN_COMMIT });
    expect(commitRecordOf(ledger, 'd', key)).toEqual({ commit: B, earlierCommits: [A] });
    expect(commitRecordOf(ledger, 'd', key, A)).toEqual({ commit: A, earlierCommits: [B] });
    expect(commitRecordOf(noteCommit({}, 'd', key, A).ledger, 'd', key, A)).toEqual({ commit: A });
    expect(commitRecordOf(ledger, 'd', key, UNKNOWN_COMMIT)).toEqual({ commit: UNKNOWN_COMMIT, earlierCommits: [A, B] });
  });

  it('keeps only well-formed entries of a stored ledger', () => {
    expect(sanitiseLedger({ k: [A, 'x', A, B], bad: 'no', empty: ['x'] })).toEqual({ k: [A, B] });
    expect(sanitiseLedger([A])).toEqual({});
    expect(sanitiseLedger(undefined)).toEqual({});
  });
});
