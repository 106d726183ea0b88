/** Launches headless Chromium for end-to-end tests, with every request recorded. */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright';
import { chromiumArgs, chromiumPath } from '../../vite.config.ts';

export const ARTIFACTS = 'tests/.artifacts/e2e';

export interface Session {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  requests: Request[];
  consoleErrors: string[];
  close(): Promise<void>;
}

export async function openApp(origin: string, path = '/'): Promise<Session> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const executablePath = chromiumPath();
  const browser = await chromium.launch({ executablePath, args: chromiumArgs, headless: true });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const requests: Request[] = [];
  const consoleErrors: string[] = [];
  context.on('request', (r) => requests.push(r));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  await page.goto(origin + path);
  return {
    browser,
    context,
    page,
    requests,
    consoleErrors,
    close: () => browser.close(),
  };
}
