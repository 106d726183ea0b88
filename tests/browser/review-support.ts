/** Helpers for the review component tests: a sized host, stored-decision state, screenshots. */
import { page } from 'vitest/browser';
import { emptyDecision } from '../../src/store/review.ts';
import type { ReviewFields, ReviewPairInfo } from '../../src/ui/review/types.ts';
import '../../src/ui/theme.css';

export const HASH_1 = '1'.repeat(64);
export const HASH_2 = '2'.repeat(64);

/** A fixed-width host element so layouts and screenshots are the same on every run. */
export async function host(width: number): Promise<HTMLElement> {
  await page.viewport(Math.max(1000, width + 40), 900);
  const element = document.createElement('div');
  element.style.width = `${width}px`;
  element.style.padding = '12px';
  element.style.background = 'var(--bg)';
  document.body.appendChild(element);
  return element;
}

/** The editable fields of a fresh decision, as the store returns them. */
export function fields(patch: Partial<ReviewFields> = {}): ReviewFields {
  const { pairKey: _key, hashA: _a, hashB: _b, updatedAt: _at, ...rest } = emptyDecision(HASH_1, HASH_2);
  return { ...rest, ...patch };
}

export function pairInfo(patch: Partial<ReviewPairInfo> = {}): ReviewPairInfo {
  return {
    name1: 'brain/case-0042_T2.png',
    name2: 'brain/case-0107_T2.png',
    caption1: 'Axial T2-weighted MRI showing a hyperintense lesion in the left frontal lobe with surrounding oedema.',
    caption2: 'Axial T2-weighted MRI of the brain with no abnormality.',
    categories1: ['Cerebral'],
    categories2: ['Cerebral'],
    clip: 0.9412,
    dino: 0.6137,
    position: 2,
    total: 120,
    ...patch,
  };
}

function frames(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
}

/** Screenshot of `element` in light and dark themes into tests/.artifacts/ (git-ignored). */
export async function screenshotBothThemes(element: HTMLElement, name: string): Promise<void> {
  for (const theme of ['light', 'dark'] as const) {
    document.documentElement.dataset.theme = theme;
    await frames();
    await page.screenshot({ element, path: `../.artifacts/${name}-${theme}.png` });
  }
  document.documentElement.dataset.theme = 'light';
}
