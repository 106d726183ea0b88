/**
 * The whole App mounted by hand on its own ExplorerApp with the fixture encoders chosen (the
 * testing library's render is cleaned up after each test; these suites share one app).
 */
import { flushSync, mount, unmount } from 'svelte';
import App from '../../src/ui/App.svelte';
import type { ExplorerApp } from '../../src/app/app.svelte.ts';

/** Polls outside a test body (expect.poll may only run inside one). */
export async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > end) throw new Error(`Timed out after ${timeoutMs} ms.`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface MountedApp {
  root: HTMLElement;
  unmount(): void;
}

export async function mountWithFixtureEncoders(app: ExplorerApp): Promise<MountedApp> {
  const root = document.createElement('div');
  root.style.cssText = 'width: 1400px; height: 900px;';
  document.body.append(root);
  const mounted = mount(App, { target: root, props: { app } });
  await until(() => app.ready, 30_000);
  app.session.clipEncoderId = 'fixture-clip';
  app.session.dinoEncoderId = 'fixture-dino';
  flushSync();
  return {
    root,
    unmount() {
      void unmount(mounted);
      root.remove();
    },
  };
}
