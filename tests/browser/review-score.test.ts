import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'vitest-browser-svelte';
import ScorePanel from '../../src/ui/review/ScorePanel.svelte';
import { buildDataset, parseAnswers, scoreAnswers, type ReviewedPair } from '../../src/core/benchmark/index.ts';
import { host, screenshotBothThemes } from './review-support.ts';

afterEach(() => {
  cleanup();
  document.body.innerHTML = '';
});

function report() {
  const pair = (a: string, b: string, category1: string, category2: string): ReviewedPair => ({
    image1: { sha256: a.repeat(64), categories: [category1] },
    image2: { sha256: b.repeat(64), categories: [category2] },
    clipSimilarity: 0.93,
    dinoSimilarity: 0.7,
    question: 'Q?',
    optionA: 'Yes',
    optionB: 'No',
    image1Correct: 'A',
    image2Correct: 'B',
    decision: 'accept',
  });
  const { dataset } = buildDataset([pair('a', 'b', 'Cerebral', 'Cerebral'), pair('c', 'd', 'Cerebral', 'Vascular'), pair('e', 'f', 'Vascular', 'Vascular')]);
  // Pair 1 both right; pair 2 confused (A, A); pair 3 one invalid answer.
  const answers = parseAnswers('{"10001": {"im1": "A", "im2": "B"}, "10002": {"im1": "A", "im2": "A"}, "10003": {"im1": "maybe", "im2": "B"}, "99999": {"im1": "A"}}');
  return scoreAnswers(dataset, answers);
}

function cells(row: Element): string[] {
  return [...row.querySelectorAll('th, td')].map((cell) => cell.textContent?.trim() ?? '');
}

describe('ScorePanel', () => {
  it('shows overall, per-category and random-guess rows as percentages with one decimal', async () => {
    const target = await host(620);
    const scored = report();
    const screen = await render(ScorePanel, { target, props: { report: scored, title: 'model-x <b>answers</b>.json' } });
    const rows = [...target.querySelectorAll('tbody tr')];
    // individual 4/6, set 1/3, confusion 1/2 (two pairs with both answers valid), invalid 1/6.
    expect(cells(rows[0])).toEqual(['All pairs', '66.7%', '33.3%', '50.0%', '16.7%', '3']);
    // Cerebral: images 3 (pair 1 twice, pair 2 once); correct 2 + 1; set 2/3; confusion 1/3; invalid 0.
    expect(cells(rows[1])).toEqual(['Cerebral', '100.0%', '66.7%', '33.3%', '0.0%', '2']);
    // Vascular: pair 2 image 2 (wrong), pair 3 both images (invalid, right).
    expect(cells(rows[2])).toEqual(['Vascular', '33.3%', '0.0%', '100.0%', '33.3%', '2']);
    expect(cells(rows[3])).toEqual(['Random guess', '50.0%', '25.0%', '50.0%', '0.0%', '–']);
    expect(rows).toHaveLength(4);
    await expect.element(screen.getByRole('heading', { level: 2 })).toHaveTextContent('Score: model-x <b>answers</b>.json');
    await expect.element(screen.getByText('The answer id 99999 is not a pair of this benchmark and was ignored.')).toBeVisible();
    await expect.element(screen.getByRole('columnheader', { name: 'Confusion' })).toHaveAttribute('title', expect.stringMatching(/Lower is better/));
    expect(target.querySelector('h2 b')).toBeNull();
    await screenshotBothThemes(target, 'review-score');
  });
});
