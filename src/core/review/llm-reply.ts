/**
 * Reads the reply an LLM gave to `buildQuestionPrompt`. LLMs rarely answer with bare strict JSON:
 * they wrap it in ```json fences, add a sentence before or after, use single or curly quotes,
 * unquoted keys, trailing commas, or slightly different key names. This parser accepts all of
 * that, and otherwise throws an {@link LlmReplyError} whose message says what is missing. It never
 * throws anything else.
 */
import type { Option } from '../benchmark/dataset.ts';

/** The question fields drafted by the LLM. */
export interface LlmDraft {
  question: string;
  optionA: string;
  optionB: string;
  im1Correct: Option;
  im2Correct: Option;
}

/** The reply could not be read; the message is a sentence for the reviewer. */
export class LlmReplyError extends Error {
  override name = 'LlmReplyError';
}

/** Longer replies are refused rather than scanned (a question reply is a few hundred characters). */
export const MAX_REPLY_CHARS = 200_000;
const MAX_DEPTH = 32;
const MAX_OBJECT_STARTS = 40;

const ASK_AGAIN = 'Ask the LLM again for JSON with question, option_A, option_B, im_1_correct and im_2_correct.';

type Lenient = string | number | boolean | null | Lenient[] | { [key: string]: Lenient };

class SyntaxFail extends Error {}

const CLOSING_QUOTE: Record<string, string> = { '"': '"', "'": "'", '\u201c': '\u201d', '\u2018': '\u2019', '\u201e': '\u201d' };
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '0': '\0' };

/** A forgiving JSON reader: JSON plus single/curly quotes, bare words, comments, trailing commas. */
class LenientParser {
  private at = 0;
  constructor(private readonly text: string) {}

  parseDocument(): Lenient {
    const value = this.value(0);
    this.space();
    if (this.at !== this.text.length) throw new SyntaxFail();
    return value;
  }

  private space(): void {
    const text = this.text;
    while (this.at < text.length) {
      const c = text[this.at];
      if (/\s/.test(c)) this.at++;
      else if (text.startsWith('//', this.at)) {
        const end = text.indexOf('\n', this.at);
        this.at = end < 0 ? text.length : end + 1;
      } else if (text.startsWith('/*', this.at)) {
        const end = text.indexOf('*/', this.at + 2);
        if (end < 0) throw new SyntaxFail();
        this.at = end + 2;
      } else return;
    }
  }

  private value(depth: number): Lenient {
    if (depth > MAX_DEPTH) throw new SyntaxFail();
    this.space();
    const c = this.text[this.at];
    if (c === undefined) throw new SyntaxFail();
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c in CLOSING_QUOTE) return this.string();
    const word = this.bare();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(word)) return Number(word);
    return word;
  }

  /** An unquoted word or phrase, up to the next delimiter. */
  private bare(): string {
    const start = this.at;
    while (this.at < this.text.length && !/[,:{}[\]\n]/.test(this.text[this.at])) this.at++;
    const word = this.text.slice(start, this.at).trim();
    if (word === '') throw new SyntaxFail();
    return word;
  }

  private string(): string {
    const close = CLOSING_QUOTE[this.text[this.at]];
    this.at++;
    let out = '';
    while (this.at < this.text.length) {
      const c = this.text[this.at++];
      if (c === close) return out;
      if (c !== '\\') {
        out += c;
        continue;
      }
      const next = this.text[this.at++];
      if (next === undefined) break;
      if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.at, this.at + 4))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.at, this.at + 4), 16));
        this.at += 4;
      } else out += ESCAPES[next] ?? next;
    }
    throw new SyntaxFail();
  }

  private array(depth: number): Lenient[] {
    this.at++;
    const items: Lenient[] = [];
    for (;;) {
      this.space();
      if (this.text[this.at] === ']') {
        this.at++;
        return items;
      }
      items.push(this.value(depth + 1));
      this.space();
      if (this.text[this.at] === ',') this.at++;
      else if (this.text[this.at] !== ']') throw new SyntaxFail();
    }
  }

  private object(depth: number): { [key: string]: Lenient } {
    this.at++;
    const result: { [key: string]: Lenient } = {};
    for (;;) {
      this.space();
      const c = this.text[this.at];
      if (c === '}') {
        this.at++;
        return result;
      }
      if (c === undefined) throw new SyntaxFail();
      const key = c in CLOSING_QUOTE ? this.string() : this.key();
      this.space();
      if (this.text[this.at] !== ':') throw new SyntaxFail();
      this.at++;
      const value = this.value(depth + 1);
      // Own data property even for "__proto__", so no key can reach the prototype.
      Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      this.space();
      if (this.text[this.at] === ',') this.at++;
      else if (this.text[this.at] !== '}') throw new SyntaxFail();
    }
  }

  private key(): string {
    const match = /^[A-Za-z_$][\w$ -]*/.exec(this.text.slice(this.at, this.at + 200));
    if (!match) throw new SyntaxFail();
    this.at += match[0].length;
    return match[0].trim();
  }
}

/** The text of each ``` fenced block, then the whole reply. */
function candidateTexts(reply: string): string[] {
  const fenced = [...reply.matchAll(/```[^\n`]*\n?([\s\S]*?)```/g)].map((m) => m[1]);
  return [...fenced, reply];
}

/** Substrings that start at a "{" and end at its matching "}", outside quoted text. */
function objectSpans(text: string): string[] {
  const spans: string[] = [];
  let starts = 0;
  for (let start = text.indexOf('{'); start >= 0 && starts < MAX_OBJECT_STARTS; start = text.indexOf('{', start + 1)) {
    starts++;
    let depth = 0;
    let quote: string | null = null;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = null;
        continue;
      }
      // Only a quote right after a delimiter opens a string: an apostrophe inside a bare word does not.
      if (c in CLOSING_QUOTE && /[{[,:]\s*$/.test(text.slice(Math.max(start, i - 20), i))) quote = CLOSING_QUOTE[c];
      else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        spans.push(text.slice(start, i + 1));
        break;
      }
    }
  }
  return spans;
}

function parseObject(span: string): { [key: string]: Lenient } | null {
  let value: unknown;
  try {
    value = JSON.parse(span);
  } catch {
    try {
      value = new LenientParser(span).parseDocument();
    } catch (error) {
      if (error instanceof SyntaxFail || error instanceof RangeError) return null;
      throw error;
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as { [key: string]: Lenient }) : null;
}

const normaliseKey = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');

const KEY_NAMES = {
  question: ['question', 'q', 'questiontext'],
  option_A: ['optiona', 'opta', 'choicea', 'a', 'answera'],
  option_B: ['optionb', 'optb', 'choiceb', 'b', 'answerb'],
  im_1_correct: ['im1correct', 'image1correct', 'img1correct', 'im1', 'image1', 'correctim1', 'correctimage1', 'im1answer', 'image1answer', 'answerim1', 'answerimage1', 'answer1', 'correct1'],
  im_2_correct: ['im2correct', 'image2correct', 'img2correct', 'im2', 'image2', 'correctim2', 'correctimage2', 'im2answer', 'image2answer', 'answerim2', 'answerimage2', 'answer2', 'correct2'],
} as const;

type ReplyKey = keyof typeof KEY_NAMES;

function lookup(object: { [key: string]: Lenient }, field: ReplyKey): Lenient | undefined {
  const entries = Object.entries(object).map(([key, value]) => [normaliseKey(key), value] as const);
  for (const name of KEY_NAMES[field]) {
    const found = entries.find(([key]) => key === name);
    if (found) return found[1];
  }
  // {"options": {"A": …, "B": …}} or {"options": ["…", "…"]}.
  if (field === 'option_A' || field === 'option_B') {
    const options = entries.find(([key]) => key === 'options' || key === 'choices')?.[1];
    if (Array.isArray(options)) return options[field === 'option_A' ? 0 : 1];
    if (options && typeof options === 'object') return lookup(options, field);
  }
  return undefined;
}

function asText(value: Lenient | undefined): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** "A", "b", "(A)", "Option B", or the text of one of the options. */
function asOption(value: Lenient | undefined, optionA: string, optionB: string): Option | null | undefined {
  const text = asText(value);
  if (text === '') return undefined;
  const letter = /^(?:option\s*)?\(?([ab])\)?[.:]?$/i.exec(text);
  if (letter) return letter[1].toUpperCase() as Option;
  const lower = text.toLowerCase();
  if (optionA !== '' && lower === optionA.toLowerCase()) return 'A';
  if (optionB !== '' && lower === optionB.toLowerCase()) return 'B';
  return null;
}

function listNames(names: string[]): string {
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function draftFrom(object: { [key: string]: Lenient }): { draft?: LlmDraft; problem?: string; found: number } {
  const question = asText(lookup(object, 'question'));
  const optionA = asText(lookup(object, 'option_A'));
  const optionB = asText(lookup(object, 'option_B'));
  const im1 = asOption(lookup(object, 'im_1_correct'), optionA, optionB);
  const im2 = asOption(lookup(object, 'im_2_correct'), optionA, optionB);
  const present: Record<ReplyKey, boolean> = {
    question: question !== '',
    option_A: optionA !== '',
    option_B: optionB !== '',
    im_1_correct: im1 !== undefined,
    im_2_correct: im2 !== undefined,
  };
  const missing = (Object.keys(present) as ReplyKey[]).filter((key) => !present[key]);
  const found = 5 - missing.length;
  if (missing.length > 0) {
    return { found, problem: `The reply's JSON has no ${listNames(missing)}. ${ASK_AGAIN}` };
  }
  const invalid = (['im_1_correct', 'im_2_correct'] as const).filter((_, i) => [im1, im2][i] === null);
  if (invalid.length > 0) {
    return { found, problem: `In the reply, ${listNames(invalid)} must be "A" or "B". ${ASK_AGAIN}` };
  }
  return { found, draft: { question, optionA, optionB, im1Correct: im1 as Option, im2Correct: im2 as Option } };
}

/**
 * Parses an LLM's reply into question fields. Throws {@link LlmReplyError} (and nothing else) with
 * a sentence naming what is missing when the reply holds no usable JSON object.
 */
export function parseLlmReply(reply: string): LlmDraft {
  if (typeof reply !== 'string' || reply.trim() === '') {
    throw new LlmReplyError(`The reply is empty. Paste the LLM's JSON answer here.`);
  }
  if (reply.length > MAX_REPLY_CHARS) {
    throw new LlmReplyError(`The reply is longer than ${MAX_REPLY_CHARS.toLocaleString('en-US')} characters; paste only the JSON answer.`);
  }
  let best: { problem?: string; found: number } | null = null;
  let sawObject = false;
  const text = reply.replace(/^\uFEFF/, '');
  for (const candidate of candidateTexts(text)) {
    for (const span of objectSpans(candidate)) {
      const object = parseObject(span);
      if (!object) continue;
      sawObject = true;
      const result = draftFrom(object);
      if (result.draft) return result.draft;
      if (!best || result.found > best.found) best = result;
    }
  }
  if (best?.problem && best.found > 0) throw new LlmReplyError(best.problem);
  if (sawObject) throw new LlmReplyError(`The reply's JSON has none of the fields question, option_A, option_B, im_1_correct, im_2_correct. ${ASK_AGAIN}`);
  if (text.includes('{')) {
    throw new LlmReplyError('The JSON in the reply could not be read: it may be cut off or have unbalanced braces or quotes. Paste the complete answer.');
  }
  throw new LlmReplyError(`The reply contains no JSON object (nothing between "{" and "}"). ${ASK_AGAIN}`);
}
