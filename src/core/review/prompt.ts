/**
 * The prompt a reviewer copies into an LLM to draft a MediConfusion-style question for one pair:
 * two options, one correct for image 1 and the other for image 2, answered as strict JSON so the
 * reply can be pasted back and parsed by `parseLlmReply`.
 */

/** What the prompt is built from: the two captions and their categories (body regions). */
export interface PromptInput {
  caption1: string;
  caption2: string;
  categories1?: readonly string[];
  categories2?: readonly string[];
}

/** The JSON keys the LLM must answer with, in the order the prompt lists them. */
export const REPLY_KEYS = ['question', 'option_A', 'option_B', 'im_1_correct', 'im_2_correct'] as const;

function describeImage(label: string, caption: string, categories: readonly string[] | undefined): string {
  const cleanCategories = (categories ?? []).map((c) => c.trim()).filter((c) => c !== '');
  const text = caption.trim();
  const lines = [
    `${label} caption: ${text === '' ? '(no caption given)' : JSON.stringify(text)}`,
    `${label} categories: ${cleanCategories.length > 0 ? cleanCategories.join(', ') : '(none given)'}`,
  ];
  return lines.join('\n');
}

/**
 * Builds the prompt. Captions are quoted as JSON strings so that quotes or instructions inside a
 * caption read as data, not as part of the prompt.
 */
export function buildQuestionPrompt(input: PromptInput): string {
  return [
    'You are helping a radiologist write a benchmark question for a pair of medical images that an image encoder confuses.',
    'The two images look alike, but their captions describe different findings.',
    '',
    describeImage('Image 1', input.caption1, input.categories1),
    describeImage('Image 2', input.caption2, input.categories2),
    '',
    'Write ONE multiple-choice question with exactly two options, A and B, such that:',
    '- the same question is asked about each image on its own, without showing the other image or the captions;',
    '- the correct option for image 1 differs from the correct option for image 2 (one is "A", the other "B");',
    '- the question is answerable by looking at the image, and concerns a visual difference stated in the captions (finding, lesion signal, anatomy, vessels or a device), not the modality or the file;',
    '- the options are short, mutually exclusive and of similar length, and neither names the image.',
    '',
    'Answer with strict JSON only, no prose and no code fence, exactly in this form:',
    '{"question": "…", "option_A": "…", "option_B": "…", "im_1_correct": "A", "im_2_correct": "B"}',
    'where im_1_correct and im_2_correct are "A" or "B" and differ.',
  ].join('\n');
}
