/**
 * `npm run screenshots`: regenerates the README screenshots from the app itself, with the
 * synthetic sample set and the fixture encoders (so it runs offline), in light and dark.
 * Writes docs/screenshots/{explore,pair-viewer}-{light,dark}.png, and for the layout checks
 * docs/screenshots/widths/{explore,pairs,review}-{1600,1280,1100}-{light,dark}.png (the widths a
 * professional's screens and split windows have; the app must not overlap or jump at any).
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startBrowserRig } from '../bench/browser-runner.ts';

const root = join(dirname(new URL(import.meta.url).pathname), '..');
const out = join(root, 'docs', 'screenshots');
mkdirSync(out, { recursive: true });

const rig = await startBrowserRig(root);
try {
  for (const theme of ['light', 'dark'] as const) {
    const context = await rig.browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: theme });
    const page = await context.newPage();
    await page.goto(`${rig.origin}/?encoders=fixture-clip,fixture-dino`);
    await page.click('[data-testid=load-sample]', { timeout: 60_000 });
    await page.waitForFunction(() => /confusing pair/.test(document.querySelector('[data-testid=confusing-count]')?.textContent ?? ''), null, { timeout: 300_000 });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(out, `explore-${theme}.png`) });
    await page.click('[data-testid=tab-pairs]');
    await page.waitForTimeout(2000);
    await page.screenshot({ path: join(out, `pair-viewer-${theme}.png`) });
    mkdirSync(join(out, 'widths'), { recursive: true });
    for (const width of [1600, 1280, 1100]) {
      await page.setViewportSize({ width, height: width === 1280 ? 720 : 800 });
      for (const tab of ['explore', 'pairs', 'review'] as const) {
        await page.click(tab === 'explore' ? '[role=tab]:first-child' : `[data-testid=tab-${tab}]`);
        await page.waitForTimeout(1200);
        await page.screenshot({ path: join(out, 'widths', `${tab}-${width}-${theme}.png`) });
      }
    }
    await context.close();
    console.log(`screenshots: ${theme} done`);
  }
} finally {
  await rig.close();
}
