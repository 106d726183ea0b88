/**
 * Finds a key written twice in one JSON object. `JSON.parse` (and every reader built on it, zod
 * included) keeps the last value silently, so a dataset.json with two pairs "10002" would lose
 * one pair without a word. The text has to be scanned for that.
 *
 * Hand-written rather than a dependency: none of the installed packages reports duplicate keys,
 * and the scan needed is small because it only ever runs on text `JSON.parse` has already
 * accepted: it never has to diagnose syntax, only to follow strings, objects and arrays. One pass,
 * no recursion (a deeply nested file cannot overflow the stack), strings skipped with `indexOf`.
 */

/** Where a duplicate key was found: the path of the object holding it, and the key. */
export interface DuplicateKey {
  /** Keys and array indexes from the root to the object that holds the key twice; [] for the root. */
  path: (string | number)[];
  key: string;
}

interface Frame {
  /** Keys seen so far in this object; null for an array. */
  keys: Set<string> | null;
  /** Object: the next string is a key. Array: unused. */
  expectKey: boolean;
  /** Object: the key whose value is being read. Array: the index of the current element. */
  at: string | number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** End index (exclusive) of the string literal starting at `start` (the opening quote). */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const close = text.indexOf('"', i);
    if (close < 0) return text.length;
    let slashes = 0;
    for (let j = close - 1; j > start && text.charCodeAt(j) === BACKSLASH; j--) slashes++;
    if (slashes % 2 === 0) return close + 1;
    i = close + 1;
  }
}

/**
 * The first key that appears twice in the same object, or null. `text` must be valid JSON (call it
 * after `JSON.parse` succeeded); on other text the answer is unspecified but it never throws.
 */
export function findDuplicateKey(text: string): DuplicateKey | null {
  const stack: Frame[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const literal = text.slice(i, end);
        // Escapes make two spellings of one key ("a" and "\u0061"); compare decoded keys.
        let key = literal.slice(1, -1);
        if (key.includes('\\')) {
          try {
            key = JSON.parse(literal) as string;
          } catch {
            // Not reachable on valid JSON; keep the raw spelling.
          }
        }
        if (top.keys.has(key)) return { path: stack.slice(0, -1).map((frame) => frame.at), key };
        top.keys.add(key);
        top.expectKey = false;
        top.at = key;
      }
      i = end - 1;
    } else if (c === 0x7b /* { */) {
      stack.push({ keys: new Set(), expectKey: true, at: '' });
    } else if (c === 0x5b /* [ */) {
      stack.push({ keys: null, expectKey: false, at: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
      else if (top) top.at = (top.at as number) + 1;
    }
  }
  return null;
}
