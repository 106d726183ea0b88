import { describe, expect, it } from 'vitest';
import { chooseFilesToReadAgain, describeDrops, duplicatesSentence, readAgainSentence } from '../../src/app/drop-ledger.ts';
import type { DropRecord } from '../../src/store/index.ts';

const file = (name: string, size: number, lastModified = 1) => new File([new Uint8Array(size)], name, { lastModified });
const waiting = (name: string, size: number, lastModified = 1): DropRecord => ({
  key: `${name}|${size}|${lastModified}`,
  name,
  relativePath: `scans/${name}`,
  size,
  lastModified,
  state: 'waiting',
  droppedAt: 0,
});

describe('the drop ledger rules', () => {
  it('reads again only the files still to read (by name, size and time, from any folder level) and those an item waits for', () => {
    const files = [file('a.png', 3), file('b.png', 4), file('c.png', 5), file('d.png', 6), file('a.png', 3, 2)];
    const choice = chooseFilesToReadAgain(files, [waiting('a.png', 3), waiting('c.png', 9)], [{ sha256: 'x', name: 'd.png', relativePath: 'scans/d.png' }]);
    // a.png matches; c.png has another size (a changed file is not the one recorded); d.png holds an item's pixels; the second a.png is newer.
    expect(choice.toRead.map((f) => [f.name, f.size, f.lastModified])).toEqual([
      ['a.png', 3, 1],
      ['d.png', 6, 1],
    ]);
    expect(choice.alreadyDone).toBe(3);
  });

  it('says the account as an identity, leaving out the empty parts', () => {
    expect(describeDrops({ dropped: 0, waiting: 0, stored: 0, duplicate: 0, skipped: 0 })).toBe('');
    expect(describeDrops({ dropped: 1, waiting: 0, stored: 1, duplicate: 0, skipped: 0 })).toBe('1 file dropped: 1 image');
    expect(describeDrops({ dropped: 5300, waiting: 257, stored: 5000, duplicate: 3, skipped: 40 })).toBe(
      '5,300 files dropped: 5,000 images · 3 duplicates · 40 skipped · 257 still to read',
    );
  });

  it('says what a drop found and what reading again does, in sentences', () => {
    expect(duplicatesSentence(0)).toBe('');
    expect(duplicatesSentence(1)).toBe('1 file is the same image as another file: kept once.');
    expect(duplicatesSentence(3)).toBe('3 files are the same image as other files: kept once.');
    const some = { toRead: [file('a.png', 1)], alreadyDone: 4742 };
    expect(readAgainSentence(some)).toBe('Reading 1 of the 4,743 files chosen; the other 4,742 were read before.');
    expect(readAgainSentence({ toRead: [file('a.png', 1)], alreadyDone: 0 })).toBe('');
    expect(readAgainSentence({ toRead: [], alreadyDone: 1 })).toBe('The file chosen was read before.');
    expect(readAgainSentence({ toRead: [], alreadyDone: 12 })).toBe('None of the 12 files chosen is still to read.');
  });
});
