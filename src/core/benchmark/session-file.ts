/**
 * The session file: what someone needs to reproduce or continue a review elsewhere — the
 * thresholds, the encoders (id, revision key, the hub commit the weights came from, hashes of the
 * model files) and every decision, keyed by the unordered pair of image SHA-256 hashes so
 * decisions survive threshold changes. It holds neither pixels nor file names.
 */
import { z } from 'zod';
import { importErrorFromZod, parseJsonText } from './errors.ts';

export const SESSION_FORMAT = 'mediconfusion-explorer-session';
export const SESSION_VERSION = 1;

/** Failure-mode tags offered in triage (after the MediConfusion paper's failure modes). */
export const FAILURE_MODE_TAGS = ['anatomy-vs-pathology', 'lesion-signal', 'vascular', 'medical-device', 'other'] as const;

const sha256 = z.string({ error: 'expected a SHA-256 (64 hex digits)' }).regex(/^[0-9a-f]{64}$/, {
  error: 'expected a SHA-256 (64 lower-case hex digits)',
});
const option = z.enum(['A', 'B'], { error: 'expected "A" or "B"' }).nullable();
const commit = z.string({ error: 'expected a hub commit (text)' }).regex(/^[0-9a-f]{40}$/, { error: 'expected a hub commit (40 lower-case hex digits)' });
const threshold = z.number({ error: 'expected a similarity threshold (a number between -1 and 1)' }).min(-1).max(1);

const encoderSchema = z.object({
  role: z.enum(['clip', 'dino'], { error: 'expected "clip" or "dino"' }),
  id: z.string({ error: 'expected the encoder id (text)' }).min(1, { error: 'expected the encoder id (non-empty text)' }),
  revision: z.string({ error: 'expected the encoder revision (text)' }),
  dtype: z.string({ error: 'expected the dtype (text)' }).optional(),
  /**
   * The hub commit the weights came from ("unknown" when no answer named it: a self-hosted copy
   * that records none, a mirror without the header). Absent in files written before it existed.
   */
  commit: z
    .string({ error: 'expected a hub commit (text)' })
    .regex(/^([0-9a-f]{40}|unknown)$/, { error: 'expected a hub commit (40 lower-case hex digits) or "unknown"' })
    .optional(),
  /** Other commits that embeddings under the same revision key were made from on earlier visits (the branch moved). */
  earlierCommits: z.array(commit, { error: 'expected a list of hub commits' }).optional(),
  files: z.array(
    z.object({
      path: z.string({ error: 'expected the model file path (text)' }),
      sha256,
    }),
    { error: 'expected a list of {"path", "sha256"}' },
  ),
});

const questionSchema = z.object({
  question: z.string({ error: 'expected the question (text)' }),
  optionA: z.string({ error: 'expected option A (text)' }),
  optionB: z.string({ error: 'expected option B (text)' }),
  image1Correct: option,
  image2Correct: option,
  aiQuestion: z.string({ error: 'expected the AI-drafted question (text)' }).optional(),
  aiOptionA: z.string({ error: 'expected the AI-drafted option A (text)' }).optional(),
  aiOptionB: z.string({ error: 'expected the AI-drafted option B (text)' }).optional(),
});

const decisionSchema = z
  .object({
    /** The smaller hash of the pair; image 1 of the question. */
    a: sha256,
    /** The larger hash. */
    b: sha256,
    status: z.enum(['accept', 'reject', 'needs-edit'], { error: 'expected "accept", "reject" or "needs-edit"' }),
    notes: z.string({ error: 'expected notes (text)' }).default(''),
    tags: z.array(z.string({ error: 'expected a tag (text)' }), { error: 'expected a list of tags' }).default([]),
    question: questionSchema.optional(),
    updatedAt: z.string({ error: 'expected a date (ISO 8601 text)' }).optional(),
  })
  .refine((d) => d.a < d.b, { error: 'expected "a" to be the smaller hash of two different images', path: ['b'] });

export const sessionSchema = z.object(
  {
    format: z.literal(SESSION_FORMAT, { error: `expected "${SESSION_FORMAT}"` }),
    version: z.literal(SESSION_VERSION, { error: `expected ${SESSION_VERSION} (the only version this app reads)` }),
    createdAt: z.string({ error: 'expected a date (ISO 8601 text)' }),
    thresholds: z.object(
      {
        clip: threshold,
        dino: threshold,
        floor: threshold.optional(),
        perImageCap: z.number({ error: 'expected a whole number or null' }).int().positive().nullable().optional(),
      },
      { error: 'expected {"clip": …, "dino": …}' },
    ),
    encoders: z.array(encoderSchema, { error: 'expected a list of encoders' }),
    decisions: z.array(decisionSchema, { error: 'expected a list of decisions' }),
  },
  { error: 'expected a session file object' },
);

export type SessionFile = z.output<typeof sessionSchema>;
export type SessionInput = z.input<typeof sessionSchema>;
export type SessionDecision = SessionFile['decisions'][number];

/** Orders a pair's hashes as the session file stores them (smaller first). */
export function pairKey(sha1: string, sha2: string): { a: string; b: string } {
  return sha1 < sha2 ? { a: sha1, b: sha2 } : { a: sha2, b: sha1 };
}

/** Validates and serialises a session; throws {@link ImportError} (file "session") if invalid. */
export function sessionToJson(session: SessionInput): string {
  const result = sessionSchema.safeParse(session);
  if (!result.success) throw importErrorFromZod('session', result.error, session);
  return `${JSON.stringify(result.data, null, 2)}\n`;
}

/** Parses a session file. Pure: returns it or throws {@link ImportError}. */
export function parseSessionJson(text: string, file = 'session.json'): SessionFile {
  const value = parseJsonText(file, text);
  const result = sessionSchema.safeParse(value);
  if (!result.success) throw importErrorFromZod(file, result.error, value);
  return result.data;
}
