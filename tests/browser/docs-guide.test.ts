import { afterEach, describe, expect, it, vi } from 'vitest';
import { render, cleanup } from 'vitest-browser-svelte';
import { page, userEvent } from 'vitest/browser';
import '../../src/ui/theme.css';
import MethodGuide from '../../src/ui/guide/MethodGuide.svelte';
import { REFERENCES } from '../../src/ui/guide/references.ts';
import { MEDICONFUSION_PRESET, MMVP_PRESET } from '../../src/core/mining/presets.ts';

afterEach(() => {
  cleanup();
  document.body.innerHTML = '';
  delete document.documentElement.dataset.theme;
});

function frames(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
}

/** Renders the guide closed behind an opener button, the way the app header uses it. */
async function renderWithOpener() {
  await page.viewport(1280, 800);
  const opener = document.createElement('button');
  opener.textContent = 'How this works';
  document.body.appendChild(opener);
  opener.focus();
  const onclose = vi.fn();
  const screen = await render(MethodGuide, { props: { open: false, onclose } });
  return { opener, onclose, screen };
}

describe('MethodGuide', () => {
  it('stays closed until asked, then shows every section and the preset numbers', async () => {
    const { screen } = await renderWithOpener();
    expect(document.querySelector('dialog')?.open).toBe(false);
    await screen.rerender({ open: true });
    const dialog = screen.getByRole('dialog', { name: 'How this works' });
    await expect.element(dialog).toBeVisible();
    for (const heading of [
      'Two ways of seeing an image',
      'Why a confusing pair exposes a blind spot',
      'The two thresholds and the presets',
      'How MediConfusion and MMVP used the pairs',
      'Floor and per-image cap',
      'Read with care',
      'References',
    ]) {
      await expect.element(screen.getByRole('heading', { name: heading, level: 3 })).toBeVisible();
    }
    const mediRow = screen.getByRole('row', { name: new RegExp(`^${MEDICONFUSION_PRESET.label} `) });
    await expect.element(mediRow).toHaveTextContent(`${MEDICONFUSION_PRESET.clipMin.toFixed(2)}`);
    await expect.element(mediRow).toHaveTextContent(`${MEDICONFUSION_PRESET.dinoMax.toFixed(2)}`);
    const mmvpRow = screen.getByRole('row', { name: new RegExp(`^${MMVP_PRESET.label} `) });
    await expect.element(mmvpRow).toHaveTextContent('0.95');
    await expect.element(mmvpRow).toHaveTextContent('0.60');
    await expect.element(dialog).toHaveTextContent(/25 % set accuracy/);
    await expect.element(dialog).toHaveTextContent(/50 % confusion/);
  });

  it('links every reference in a new tab without an opener', async () => {
    const { screen } = await renderWithOpener();
    await screen.rerender({ open: true });
    const links = Array.from(document.querySelectorAll<HTMLAnchorElement>('dialog a'));
    const expected = REFERENCES.flatMap((r) => r.links.map((l) => l.href));
    expect(links.map((a) => a.href)).toEqual(expected);
    for (const href of [
      'https://arxiv.org/abs/2409.15477',
      'https://arxiv.org/abs/2401.06209',
      'https://arxiv.org/abs/2303.00915',
      'https://arxiv.org/abs/2304.07193',
      'https://huggingface.co/microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224',
    ]) {
      expect(expected).toContain(href);
    }
    for (const a of links) {
      expect(a.target, a.href).toBe('_blank');
      expect(a.rel.split(' ').sort(), a.href).toEqual(['noopener', 'noreferrer']);
    }
  });

  it('closes on Esc through onclose, traps Tab and returns focus to the opener', async () => {
    const { opener, onclose, screen } = await renderWithOpener();
    await screen.rerender({ open: true });
    const close = screen.getByRole('button', { name: 'Close the guide' });
    await expect.element(close).toHaveFocus();

    // Shift+Tab from the first control wraps to the last link, Tab from there wraps back.
    await userEvent.keyboard('{Shift>}{Tab}{/Shift}');
    const links = document.querySelectorAll('dialog a');
    expect(document.activeElement).toBe(links[links.length - 1]);
    await userEvent.keyboard('{Tab}');
    await expect.element(close).toHaveFocus();

    await userEvent.keyboard('{Escape}');
    expect(onclose).toHaveBeenCalledTimes(1);
    // The parent owns `open`; the dialog stays until the parent closes it.
    expect(document.querySelector('dialog')?.open).toBe(true);
    await screen.rerender({ open: false });
    await frames();
    expect(document.querySelector('dialog')?.open).toBe(false);
    expect(document.activeElement).toBe(opener);
    expect(onclose).toHaveBeenCalledTimes(1);
  });

  it('asks to close when the close button or the backdrop is clicked', async () => {
    const { onclose, screen } = await renderWithOpener();
    await screen.rerender({ open: true });
    await screen.getByRole('button', { name: 'Close the guide' }).click();
    expect(onclose).toHaveBeenCalledTimes(1);
    // The backdrop belongs to the dialog element: a click left of the side panel lands on it.
    const dialog = document.querySelector('dialog') as HTMLDialogElement;
    dialog.dispatchEvent(new MouseEvent('click', { bubbles: true, clientX: 20, clientY: 400 }));
    expect(onclose).toHaveBeenCalledTimes(2);
    // A click inside the panel does not close it.
    (dialog.querySelector('p') as HTMLElement).click();
    expect(onclose).toHaveBeenCalledTimes(2);
  });

  it('is legible in light and dark themes (screenshots in tests/.artifacts/)', async () => {
    const { screen } = await renderWithOpener();
    await screen.rerender({ open: true });
    const panel = document.querySelector('dialog') as HTMLDialogElement;
    for (const theme of ['light', 'dark'] as const) {
      document.documentElement.dataset.theme = theme;
      await frames();
      const style = getComputedStyle(panel);
      expect(style.backgroundColor, theme).not.toBe(style.color);
      await page.screenshot({ path: `../.artifacts/docs-guide-${theme}.png` });
    }
    // The end of the panel (the references) as well.
    const body = panel.querySelector('.body') as HTMLElement;
    body.scrollTop = body.scrollHeight;
    await frames();
    await page.screenshot({ path: '../.artifacts/docs-guide-dark-references.png' });
  });
});
