import { afterEach, describe, expect, it } from 'vitest';
import { render, cleanup } from 'vitest-browser-svelte';
import { userEvent } from 'vitest/browser';
import PrivacyPanel from '../../src/ui/privacy/PrivacyPanel.svelte';
import type { OriginEntry } from '../../src/privacy/network-log.ts';
import type { ForgetReport } from '../../src/store/index.ts';
import '../../src/ui/theme.css';

afterEach(() => {
  cleanup();
  document.body.innerHTML = '';
});

const app = 'http://127.0.0.1:4173';

function entry(origin: string, kind: OriginEntry['kind'], requests: number, bytesReceived: number, bytesSent = 0): OriginEntry {
  return { origin, kind, requests, bytesReceived, bytesSent, methods: { GET: requests }, seenBy: ['page'] };
}

const entries: OriginEntry[] = [entry(app, 'self', 12, 1_500_000), entry('https://huggingface.co', 'model-host', 3, 88_000_000)];

function report(): ForgetReport {
  const stores = { items: 50, embeddings: 100, jobs: 2, captions: 0, decisions: 7, settings: 1, candidates: 0, skipped: 0 } as ForgetReport['stores'];
  return { stores, caches: ['transformers-cache', 'mediconfusion-shell-abc'] };
}

describe('PrivacyPanel', () => {
  it('lists each origin with its purpose, requests and bytes, and the total sent', async () => {
    const screen = await render(PrivacyPanel, { props: { entries, onforget: async () => report() } });
    const rows = screen.container.querySelectorAll('tbody tr');
    expect(rows).toHaveLength(2);
    expect(rows[0].textContent).toContain('127.0.0.1:4173');
    expect(rows[0].textContent).toContain('this app');
    expect(rows[0].textContent).toContain('12');
    expect(rows[0].textContent).toContain('1.5 MB');
    expect(rows[1].textContent).toContain('huggingface.co');
    expect(rows[1].textContent).toContain('model download');
    expect(rows[1].textContent).toContain('88.0 MB');
    await expect.element(screen.getByTestId('privacy-summary')).toHaveTextContent('15 requests to 2 origins');
    await expect.element(screen.getByTestId('privacy-bytes-sent')).toHaveTextContent('sent 0 B');
    await expect.element(screen.getByText(/Your images never leave this computer/)).toBeVisible();
    expect(screen.container.querySelector('[data-testid="privacy-unexpected"]')).toBeNull();
  });

  it('flags an origin outside the allow-list', async () => {
    const withStranger = [...entries, entry('https://cdn.jsdelivr.net', 'unexpected', 1, 2000, 5)];
    const screen = await render(PrivacyPanel, { props: { entries: withStranger, onforget: async () => report() } });
    await expect.element(screen.getByTestId('privacy-unexpected')).toHaveTextContent('1 origin outside the allowed list was contacted');
    const flagged = screen.container.querySelector('tr.unexpected');
    expect(flagged?.textContent).toContain('cdn.jsdelivr.net');
    expect(flagged?.textContent).toContain('not allowed');
    await expect.element(screen.getByTestId('privacy-bytes-sent')).toHaveTextContent('sent 5 B');
  });

  it('renders origin names as text, never as markup', async () => {
    const hostile = [entry('https://<img src=x onerror=alert(1)>.example', 'unexpected', 1, 1)];
    const screen = await render(PrivacyPanel, { props: { entries: hostile, onforget: async () => report() } });
    expect(screen.container.querySelector('img')).toBeNull();
  });

  it('forgets only after confirmation and then shows what was removed', async () => {
    let calls = 0;
    const screen = await render(PrivacyPanel, {
      props: {
        entries,
        onforget: async () => {
          calls += 1;
          return report();
        },
      },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Forget everything…' }));
    expect(calls).toBe(0);
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await userEvent.click(screen.getByRole('button', { name: 'Forget everything…' }));
    await userEvent.click(screen.getByRole('button', { name: 'Yes, forget everything' }));
    const shown = screen.getByTestId('forget-report');
    await expect.element(shown).toHaveTextContent('Forgotten: 160 records and 2 caches.');
    await expect.element(shown).toHaveTextContent('items: 50');
    await expect.element(shown).toHaveTextContent('embeddings: 100');
    await expect.element(shown).toHaveTextContent('transformers-cache');
    await expect.element(shown).toHaveTextContent('mediconfusion-shell-abc');
    expect(shown.element().textContent).not.toContain('captions');
    expect(calls).toBe(1);
  });

  it('explains a failed forget in a sentence', async () => {
    const screen = await render(PrivacyPanel, {
      props: { entries, onforget: () => Promise.reject(new Error('the database is blocked by another tab')) },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Forget everything…' }));
    await userEvent.click(screen.getByRole('button', { name: 'Yes, forget everything' }));
    await expect.element(screen.getByRole('alert')).toHaveTextContent('Forgetting did not finish (the database is blocked by another tab); close other tabs');
  });
});
