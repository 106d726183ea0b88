import { describe, expect, it } from 'vitest';
import { emptyQuestionFields, questionProblems, SAME_ANSWERS_MESSAGE, SAME_OPTIONS_MESSAGE } from '../../src/core/review/question.ts';

const complete = { question: 'Is there a lesion?', optionA: 'Yes', optionB: 'No', im1Correct: 'A', im2Correct: 'B' };

describe('question checks', () => {
  it('accepts a complete question', () => {
    expect(questionProblems(complete)).toEqual([]);
  });

  it('names the empty fields in form order', () => {
    expect(emptyQuestionFields({ ...complete, question: ' ', optionB: '', im1Correct: '' })).toEqual([
      'the question',
      'option B',
      'the correct option for image 1',
    ]);
    expect(questionProblems({ ...complete, optionA: '' })).toEqual(['Still to fill in: option A.']);
    expect(questionProblems({ ...complete, optionA: '', im2Correct: 'x' })).toEqual(['Still to fill in: option A and the correct option for image 2.']);
  });

  it('says when both images have the same correct answer or the options are equal', () => {
    expect(questionProblems({ ...complete, im2Correct: 'A' })).toEqual([SAME_ANSWERS_MESSAGE]);
    expect(questionProblems({ ...complete, optionB: ' Yes ' })).toEqual([SAME_OPTIONS_MESSAGE]);
  });
});
