import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LlmReplyError, parseLlmReply, type LlmDraft } from '../../src/core/review/llm-reply.ts';

const expected: LlmDraft = {
  question: 'Is there a hyperintense lesion in this image?',
  optionA: 'Yes, a hyperintense lesion is present',
  optionB: "No, it's a normal scan",
  im1Correct: 'A',
  im2Correct: 'B',
};

const strict = JSON.stringify({
  question: expected.question,
  option_A: expected.optionA,
  option_B: expected.optionB,
  im_1_correct: 'A',
  im_2_correct: 'B',
});

function errorOf(reply: string): string {
  try {
    parseLlmReply(reply);
  } catch (error) {
    expect(error).toBeInstanceOf(LlmReplyError);
    return (error as Error).message;
  }
  throw new Error('expected the reply to be rejected');
}

describe('parseLlmReply', () => {
  it('reads strict JSON', () => {
    expect(parseLlmReply(strict)).toEqual(expected);
  });

  it('reads JSON in a ```json fence with prose around it', () => {
    const reply = `Sure! Here's a question that separates the two images:\n\n\`\`\`json\n${JSON.stringify(JSON.parse(strict), null, 2)}\n\`\`\`\n\nLet me know if you'd like another.`;
    expect(parseLlmReply(reply)).toEqual(expected);
  });

  it('reads JSON after leading prose without a fence', () => {
    expect(parseLlmReply(`Answer: ${strict} Hope this helps.`)).toEqual(expected);
  });

  it('reads single quotes, unquoted keys, trailing commas and comments', () => {
    const reply = `{
      question: 'Is there a hyperintense lesion in this image?',
      // the finding
      'option_A': 'Yes, a hyperintense lesion is present',
      option_B: "No, it's a normal scan",
      im_1_correct: 'A',
      im_2_correct: B,
    }`;
    expect(parseLlmReply(reply)).toEqual(expected);
  });

  it('reads curly quotes', () => {
    const reply = '{“question”: “Is the stent visible?”, “option_A”: “Yes”, “option_B”: “No”, “im_1_correct”: “B”, “im_2_correct”: “A”}';
    expect(parseLlmReply(reply)).toEqual({ question: 'Is the stent visible?', optionA: 'Yes', optionB: 'No', im1Correct: 'B', im2Correct: 'A' });
  });

  it('accepts key variants, nested options and answers written as option text or "Option B"', () => {
    const reply = JSON.stringify({
      Question: 'Which vessel is occluded?',
      options: { A: 'Left MCA', B: 'Right MCA' },
      image1_correct: 'Option B',
      'Image 2 answer': 'left mca',
    });
    expect(parseLlmReply(reply)).toEqual({ question: 'Which vessel is occluded?', optionA: 'Left MCA', optionB: 'Right MCA', im1Correct: 'B', im2Correct: 'A' });
    expect(parseLlmReply('{"question":"Q?","options":["x","y"],"im1":"(a)","im2":"b"}')).toMatchObject({ optionA: 'x', optionB: 'y', im1Correct: 'A', im2Correct: 'B' });
  });

  it('keeps equal answers for the editor to flag', () => {
    expect(parseLlmReply('{"question":"Q?","option_A":"x","option_B":"y","im_1_correct":"A","im_2_correct":"A"}')).toMatchObject({ im1Correct: 'A', im2Correct: 'A' });
  });

  it('names what is missing', () => {
    expect(errorOf('{"question": "Q?", "option_A": "x", "im_1_correct": "A"}')).toBe(
      "The reply's JSON has no option_B and im_2_correct. Ask the LLM again for JSON with question, option_A, option_B, im_1_correct and im_2_correct.",
    );
    expect(errorOf('{"question": "  ", "option_A": "x", "option_B": "y", "im_1_correct": "A", "im_2_correct": "B"}')).toMatch(/has no question\./);
    expect(errorOf('{"question":"Q?","option_A":"x","option_B":"y","im_1_correct":"C","im_2_correct":"B"}')).toMatch(/im_1_correct must be "A" or "B"/);
  });

  it('says when there is no JSON, when it is cut off, and when it is empty', () => {
    expect(errorOf('I cannot help with that.')).toMatch(/contains no JSON object/);
    expect(errorOf('```json\n{"question": "Is there')).toMatch(/cut off/);
    expect(errorOf('   ')).toMatch(/The reply is empty/);
    expect(errorOf('{"foo": 1}')).toMatch(/none of the fields question, option_A/);
  });

  it('survives hostile nesting and keys', () => {
    expect(errorOf('['.repeat(100_000))).toMatch(/no JSON object/);
    expect(errorOf(`{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5001)}`)).toMatch(/none of the fields/);
    expect(errorOf(`{'__proto__': {'question': 'x'}, "option_A": "a"}`)).toMatch(/has no question/);
    expect(({} as Record<string, unknown>).question).toBeUndefined();
  });

  it('never throws anything but LlmReplyError (fuzzed)', () => {
    const pieces = fc.constantFrom('{', '}', '[', ']', '"', "'", '“', '”', ':', ',', '\\', '```json\n', '```', 'question', 'option_A', 'im_1_correct', 'A', 'B', ' ', '\n', '//', '/*', '__proto__');
    const replies = fc.oneof(fc.string(), fc.array(pieces, { maxLength: 60 }).map((parts) => parts.join('')));
    fc.assert(
      fc.property(replies, (reply) => {
        try {
          const draft = parseLlmReply(reply);
          expect(['A', 'B']).toContain(draft.im1Correct);
          expect(draft.question.trim()).not.toBe('');
        } catch (error) {
          if (!(error instanceof LlmReplyError)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips any non-blank texts through a fenced reply (fuzzed)', () => {
    const text = fc.string({ minLength: 1, maxLength: 80 }).filter((s) => s.trim() !== '');
    fc.assert(
      fc.property(text, text, text, fc.constantFrom<'A' | 'B'>('A', 'B'), (question, a, b, first) => {
        const reply = `Here you go:\n\`\`\`json\n${JSON.stringify({ question, option_A: a, option_B: b, im_1_correct: first, im_2_correct: first === 'A' ? 'B' : 'A' })}\n\`\`\``;
        expect(parseLlmReply(reply)).toEqual({ question: question.trim(), optionA: a.trim(), optionB: b.trim(), im1Correct: first, im2Correct: first === 'A' ? 'B' : 'A' });
      }),
      { numRuns: 1000 },
    );
  });
});
