import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render } from 'vitest-browser-svelte';
import { userEvent } from 'vitest/browser';
import QuestionEditor from '../../src/ui/review/QuestionEditor.svelte';
import type { ReviewFields } from '../../src/ui/review/types.ts';
import { fields, host, pairInfo, screenshotBothThemes } from './review-support.ts';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  document.body.innerHTML = '';
});

const SAME = 'The correct answers for image 1 and image 2 must differ: that is what makes the pair a test.';

async function controlled(initial: Partial<ReviewFields> = {}, pairPatch = {}) {
  let decision = fields(initial);
  const onchange = vi.fn();
  const target = await host(520);
  const screen = await render(QuestionEditor, {
    target,
    props: {
      decision,
      pair: pairInfo(pairPatch),
      onchange: (patch: Partial<ReviewFields>) => {
        onchange(patch);
        decision = { ...decision, ...patch };
        void screen.rerender({ decision });
      },
    },
  });
  return { screen, target, onchange, current: () => decision };
}

describe('QuestionEditor', () => {
  it('names the empty fields and says when both images have the same correct answer', async () => {
    const { screen, onchange } = await controlled();
    const problems = screen.getByTestId('question-problems');
    await expect.element(problems).toHaveTextContent(
      'Still to fill in: the question, option A, option B, the correct option for image 1 and the correct option for image 2.',
    );
    await screen.getByRole('textbox', { name: 'Question' }).fill('Is there a hyperintense lesion?');
    expect(onchange).toHaveBeenLastCalledWith({ question: 'Is there a hyperintense lesion?' });
    await screen.getByRole('textbox', { name: 'Option A' }).fill('Yes');
    await screen.getByRole('textbox', { name: 'Option B' }).fill('No');
    await screen.getByRole('group', { name: 'Correct for image 1' }).getByRole('radio', { name: 'A' }).click();
    expect(onchange).toHaveBeenLastCalledWith({ im1Correct: 'A' });
    await screen.getByRole('group', { name: 'Correct for image 2' }).getByRole('radio', { name: 'A' }).click();
    await expect.element(problems).toHaveTextContent(SAME);
    await screen.getByRole('group', { name: 'Correct for image 2' }).getByRole('radio', { name: 'B' }).click();
    await expect.element(problems).toHaveTextContent('Ready to export.');
    expect(onchange).toHaveBeenLastCalledWith({ im2Correct: 'B' });
  });

  it('fills the fields from a fenced JSON reply and keeps the AI draft beside the edits', async () => {
    const { screen, target, onchange, current } = await controlled();
    const reply = [
      "Here's a question whose answer differs between the two images:",
      '```json',
      '{',
      '  "question": "Is there a hyperintense lesion in the frontal lobe?",',
      '  "option_A": "Yes, with surrounding oedema",',
      '  "option_B": "No abnormality",',
      '  "im_1_correct": "A",',
      '  "im_2_correct": "B"',
      '}',
      '```',
    ].join('\n');
    await screen.getByRole('textbox', { name: "Paste the LLM's reply" }).fill(reply);
    await screen.getByRole('button', { name: 'Fill fields from reply' }).click();
    expect(onchange).toHaveBeenLastCalledWith({
      question: 'Is there a hyperintense lesion in the frontal lobe?',
      optionA: 'Yes, with surrounding oedema',
      optionB: 'No abnormality',
      im1Correct: 'A',
      im2Correct: 'B',
      aiQuestion: 'Is there a hyperintense lesion in the frontal lobe?',
      aiOptionA: 'Yes, with surrounding oedema',
      aiOptionB: 'No abnormality',
    });
    await expect.element(screen.getByRole('textbox', { name: 'Question' })).toHaveValue('Is there a hyperintense lesion in the frontal lobe?');
    await expect.element(screen.getByRole('textbox', { name: 'Option A' })).toHaveValue('Yes, with surrounding oedema');
    await expect.element(screen.getByRole('group', { name: 'Correct for image 2' }).getByRole('radio', { name: 'B' })).toBeChecked();
    await expect.element(screen.getByTestId('origin-optionB')).toHaveTextContent('AI draft');

    await screen.getByRole('textbox', { name: 'Option B' }).fill('Normal brain');
    expect(current()).toMatchObject({ optionB: 'Normal brain', aiOptionB: 'No abnormality' });
    await expect.element(screen.getByTestId('origin-optionB')).toHaveTextContent('edited');
    await expect.element(screen.getByTestId('origin-question')).toHaveTextContent('AI draft');
    await expect.element(screen.getByTestId('ai-draft')).toHaveTextContent('No abnormality');
    await screenshotBothThemes(target, 'review-question');

    await screen.getByRole('button', { name: 'Restore AI draft' }).click();
    await expect.element(screen.getByRole('textbox', { name: 'Option B' })).toHaveValue('No abnormality');
  });

  it('names what is missing from a bad reply and changes nothing', async () => {
    const { screen, onchange } = await controlled({ question: 'Mine' });
    await screen.getByRole('textbox', { name: "Paste the LLM's reply" }).fill('{"question": "Q?", "option_A": "x"}');
    await userEvent.keyboard('{Control>}{Enter}{/Control}');
    await expect.element(screen.getByRole('alert')).toHaveTextContent("The reply's JSON has no option_B, im_1_correct and im_2_correct.");
    expect(onchange).not.toHaveBeenCalled();
    await expect.element(screen.getByRole('textbox', { name: 'Question' })).toHaveValue('Mine');
  });

  it('copies the prompt built from both captions, and falls back to a selected text area', async () => {
    const writeText = vi.fn((_text: string) => Promise.resolve());
    vi.spyOn(navigator, 'clipboard', 'get').mockReturnValue({ writeText } as unknown as Clipboard);
    const { screen } = await controlled({}, { caption2: 'Sagittal CT of the spine with a pedicle screw.' });
    await screen.getByRole('button', { name: 'Copy prompt' }).click();
    expect(writeText).toHaveBeenCalledTimes(1);
    expect(writeText.mock.calls[0][0]).toContain('Image 2 caption: "Sagittal CT of the spine with a pedicle screw."');
    expect(writeText.mock.calls[0][0]).toContain('Image 1 categories: Cerebral');
    await expect.element(screen.getByText(/Prompt copied/)).toBeVisible();

    writeText.mockImplementation(() => Promise.reject(new DOMException('denied', 'NotAllowedError')));
    await screen.getByRole('button', { name: 'Copy prompt' }).click();
    const area = screen.getByRole('textbox', { name: 'Prompt for the LLM' });
    await expect.element(area).toHaveFocus();
    await expect.element(screen.getByText(/The prompt below is selected/)).toBeVisible();
    const element = area.element() as HTMLTextAreaElement;
    expect(element.selectionStart).toBe(0);
    expect(element.selectionEnd).toBe(element.value.length);
    expect(element.value).toContain('strict JSON only');
  });

  it('renders an LLM draft with markup as text', async () => {
    const hostile = '<img src=x onerror="window.__pwned = 1">';
    const { screen, target } = await controlled({ aiQuestion: hostile, aiOptionA: '<script>alert(1)</script>', aiOptionB: 'b', question: hostile });
    await expect.element(screen.getByTestId('ai-draft')).toHaveTextContent(hostile);
    await expect.element(screen.getByRole('textbox', { name: 'Question' })).toHaveValue(hostile);
    expect(target.querySelector('img, script')).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });
});
