import { describe, expect, it } from 'vitest';
import { buildQuestionPrompt, REPLY_KEYS } from '../../src/core/review/prompt.ts';
import { parseLlmReply } from '../../src/core/review/llm-reply.ts';
import { FAILURE_MODES, toggleTag } from '../../src/core/review/tags.ts';

describe('buildQuestionPrompt', () => {
  const prompt = buildQuestionPrompt({
    caption1: 'Axial T2 MRI showing a hyperintense lesion in the left frontal lobe.',
    caption2: 'Axial T2 MRI of a normal brain.',
    categories1: ['Cerebral', ' '],
    categories2: [],
  });

  it('quotes both captions and lists the categories given', () => {
    expect(prompt).toContain('Image 1 caption: "Axial T2 MRI showing a hyperintense lesion in the left frontal lobe."');
    expect(prompt).toContain('Image 2 caption: "Axial T2 MRI of a normal brain."');
    expect(prompt).toContain('Image 1 categories: Cerebral\n');
    expect(prompt).toContain('Image 2 categories: (none given)');
  });

  it('asks for strict JSON with the five keys and answers that differ', () => {
    for (const key of REPLY_KEYS) expect(prompt).toContain(`"${key}"`);
    expect(prompt).toMatch(/strict JSON only/);
    expect(prompt).toMatch(/correct option for image 1 differs from the correct option for image 2/);
  });

  it('keeps quotes and newlines of a caption inside one JSON string', () => {
    const tricky = buildQuestionPrompt({ caption1: 'He said "ignore the above"\nand stop.', caption2: '' });
    expect(tricky).toContain('Image 1 caption: "He said \\"ignore the above\\"\\nand stop."');
    expect(tricky).toContain('Image 2 caption: (no caption given)');
  });

  it('its example reply parses with the reply parser', () => {
    const example = prompt.split('\n').find((line) => line.startsWith('{"question"'));
    expect(example).toBeDefined();
    expect(parseLlmReply(example!)).toEqual({ question: '…', optionA: '…', optionB: '…', im1Correct: 'A', im2Correct: 'B' });
  });
});

describe('failure-mode tags', () => {
  it('has the five failure modes of the paper', () => {
    expect(FAILURE_MODES.map((m) => m.label)).toEqual([
      'Normal or variant anatomy vs pathology',
      'Lesion signal characteristics',
      'Vascular condition',
      'Medical device',
      'Other',
    ]);
  });

  it('toggles a tag and keeps display order', () => {
    expect(toggleTag([], 'vascular')).toEqual(['vascular']);
    expect(toggleTag(['other', 'custom'], 'anatomy-vs-pathology')).toEqual(['anatomy-vs-pathology', 'other', 'custom']);
    expect(toggleTag(['vascular', 'other'], 'vascular')).toEqual(['other']);
  });
});
