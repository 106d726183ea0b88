/** Checks of a pair's two-option question while it is being written (before export). */

/** The question fields as the review view edits them; correct options are "" until chosen. */
export interface QuestionFields {
  question: string;
  optionA: string;
  optionB: string;
  im1Correct: string;
  im2Correct: string;
}

export const SAME_ANSWERS_MESSAGE =
  'The correct answers for image 1 and image 2 must differ: that is what makes the pair a test.';
export const SAME_OPTIONS_MESSAGE = 'Options A and B are the same text; make them differ.';

const FIELD_NAMES: readonly [keyof QuestionFields, string][] = [
  ['question', 'the question'],
  ['optionA', 'option A'],
  ['optionB', 'option B'],
  ['im1Correct', 'the correct option for image 1'],
  ['im2Correct', 'the correct option for image 2'],
];

const isOption = (value: string): boolean => value === 'A' || value === 'B';

/** Names of the fields still empty, in form order ("the question", "option B", …). */
export function emptyQuestionFields(fields: QuestionFields): string[] {
  return FIELD_NAMES.filter(([key]) => (key === 'im1Correct' || key === 'im2Correct' ? !isOption(fields[key]) : fields[key].trim() === '')).map(
    ([, name]) => name,
  );
}

/** Sentences about what keeps the question from being exportable; empty when it is complete. */
export function questionProblems(fields: QuestionFields): string[] {
  const problems: string[] = [];
  const empty = emptyQuestionFields(fields);
  if (empty.length > 0) {
    const list = empty.length === 1 ? empty[0] : `${empty.slice(0, -1).join(', ')} and ${empty[empty.length - 1]}`;
    problems.push(`Still to fill in: ${list}.`);
  }
  if (isOption(fields.im1Correct) && fields.im1Correct === fields.im2Correct) problems.push(SAME_ANSWERS_MESSAGE);
  if (fields.optionA.trim() !== '' && fields.optionA.trim() === fields.optionB.trim()) problems.push(SAME_OPTIONS_MESSAGE);
  return problems;
}
