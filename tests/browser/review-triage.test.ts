import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render } from 'vitest-browser-svelte';
import { userEvent } from 'vitest/browser';
import TriagePanel from '../../src/ui/review/TriagePanel.svelte';
import type { ReviewFields } from '../../src/ui/review/types.ts';
import { fields, host, pairInfo, screenshotBothThemes } from './review-support.ts';

afterEach(() => {
  cleanup();
  document.body.innerHTML = '';
});

/** Renders the panel with a decision that follows onchange, as the store-backed app does. */
async function controlled(initial: Partial<ReviewFields> = {}, width = 420) {
  let decision = fields(initial);
  const onchange = vi.fn();
  const onnext = vi.fn();
  const onprev = vi.fn();
  const target = await host(width);
  const screen = await render(TriagePanel, {
    target,
    props: {
      decision,
      pair: pairInfo(),
      onnext,
      onprev,
      onchange: (patch: Partial<ReviewFields>) => {
        onchange(patch);
        decision = { ...decision, ...patch };
        void screen.rerender({ decision });
      },
    },
  });
  return { screen, target, onchange, onnext, onprev };
}

describe('TriagePanel', () => {
  it('sets the triage from the keyboard (a, r, e, u) and shows it pressed', async () => {
    const { screen, target, onchange } = await controlled();
    await userEvent.keyboard('a');
    expect(onchange).toHaveBeenLastCalledWith({ triage: 'accept' });
    await expect.element(screen.getByRole('button', { name: 'a Accept' })).toHaveAttribute('aria-pressed', 'true');
    await userEvent.keyboard('r');
    expect(onchange).toHaveBeenLastCalledWith({ triage: 'reject' });
    await userEvent.keyboard('e');
    expect(onchange).toHaveBeenLastCalledWith({ triage: 'needs-edit' });
    await expect.element(screen.getByRole('button', { name: 'e Needs edit' })).toHaveAttribute('aria-pressed', 'true');
    await expect.element(screen.getByRole('button', { name: 'a Accept' })).toHaveAttribute('aria-pressed', 'false');
    const calls = onchange.mock.calls.length;
    await userEvent.keyboard('e');
    expect(onchange).toHaveBeenCalledTimes(calls);
    await userEvent.keyboard('u');
    expect(onchange).toHaveBeenLastCalledWith({ triage: undefined });
    await userEvent.keyboard('a');
    await screenshotBothThemes(target, 'review-triage');
  });

  it('toggles failure-mode tags by number key and by click', async () => {
    const { screen, onchange } = await controlled({ tags: ['other'] });
    await userEvent.keyboard('3');
    expect(onchange).toHaveBeenLastCalledWith({ tags: ['vascular', 'other'] });
    await expect.element(screen.getByRole('button', { name: '3 Vascular condition' })).toHaveAttribute('aria-pressed', 'true');
    await screen.getByRole('button', { name: '1 Normal or variant anatomy vs pathology' }).click();
    expect(onchange).toHaveBeenLastCalledWith({ tags: ['anatomy-vs-pathology', 'vascular', 'other'] });
    await userEvent.keyboard('5');
    expect(onchange).toHaveBeenLastCalledWith({ tags: ['anatomy-vs-pathology', 'vascular'] });
    await expect.element(screen.getByRole('button', { name: '5 Other' })).toHaveAttribute('aria-pressed', 'false');
  });

  it('moves between pairs with j/k and arrows, but not while typing notes', async () => {
    const { screen, onchange, onnext, onprev } = await controlled();
    await userEvent.keyboard('jj{ArrowRight}');
    expect(onnext).toHaveBeenCalledTimes(3);
    await userEvent.keyboard('k{ArrowLeft}');
    expect(onprev).toHaveBeenCalledTimes(2);
    await userEvent.keyboard('n');
    const notes = screen.getByRole('textbox', { name: /Notes/ });
    await expect.element(notes).toHaveFocus();
    await userEvent.keyboard('jar');
    expect(onnext).toHaveBeenCalledTimes(3);
    expect(onchange).not.toHaveBeenCalledWith({ triage: 'accept' });
    expect(onchange).toHaveBeenLastCalledWith({ notes: 'jar' });
    await expect.element(notes).toHaveValue('jar');
    await userEvent.keyboard('{Escape}j');
    expect(onnext).toHaveBeenCalledTimes(4);
  });

  it('does not go past the first or last pair', async () => {
    const onnext = vi.fn();
    const onprev = vi.fn();
    const target = await host(420);
    const screen = await render(TriagePanel, { target, props: { decision: fields(), pair: pairInfo({ position: 0, total: 1 }), onchange: vi.fn(), onnext, onprev } });
    await userEvent.keyboard('jk');
    expect(onnext).not.toHaveBeenCalled();
    expect(onprev).not.toHaveBeenCalled();
    await expect.element(screen.getByRole('button', { name: /Next/ })).toBeDisabled();
    await expect.element(screen.getByText('Pair 1 of 1')).toBeVisible();
  });

  it('ignores shortcuts when keyboard is off or focus is in a dialog', async () => {
    const onchange = vi.fn();
    const target = await host(420);
    const screen = await render(TriagePanel, { target, props: { decision: fields(), pair: pairInfo(), onchange, keyboard: false } });
    await userEvent.keyboard('a');
    expect(onchange).not.toHaveBeenCalled();
    await screen.rerender({ keyboard: true });
    const dialog = document.createElement('div');
    dialog.setAttribute('role', 'dialog');
    const button = document.createElement('button');
    button.textContent = 'inside';
    dialog.append(button);
    document.body.append(dialog);
    button.focus();
    await userEvent.keyboard('a');
    expect(onchange).not.toHaveBeenCalled();
    button.blur();
    await userEvent.keyboard('a');
    expect(onchange).toHaveBeenCalledWith({ triage: 'accept' });
  });

  it('shows names and captions as text, never as HTML', async () => {
    const target = await host(420);
    const hostile = '<img src=x onerror="window.__pwned = 1">';
    const screen = await render(TriagePanel, {
      target,
      props: { decision: fields(), pair: pairInfo({ name1: hostile, caption2: `<b>bold</b> ${hostile}` }), onchange: vi.fn() },
    });
    // The name is cut in the middle when long; its title carries the whole name, as text.
    await expect.element(screen.getByTitle(hostile, { exact: true })).toBeVisible();
    await expect.element(screen.getByText(`<b>bold</b> ${hostile}`)).toBeVisible();
    expect(target.querySelector('img')).toBeNull();
    expect(target.querySelector('b:not(.clip):not(.dino)')).toBeNull();
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });
});
