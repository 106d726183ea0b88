/** Starts the Vite dev server and headless Chromium for the browser half of the benchmarks. */
import { createServer, type ViteDevServer } from 'vite';
import { chromium, type Browser } from 'playwright';
import { chromiumArgs, chromiumPath } from '../vite.config.ts';

export interface BrowserRig {
  origin: string;
  browser: Browser;
  chromiumVersion: string;
  close(): Promise<void>;
}

/**
 * Chromium switches for WebGPU on the machine's GPU through Vulkan (an NVIDIA or AMD card under
 * Linux), in place of the SwiftShader ones the tests use: `npm run bench -- --gpu`.
 */
export const HARDWARE_WEBGPU_ARGS: readonly string[] = [
  ...chromiumArgs.filter((a) => !/swiftshader|--enable-features=/i.test(a)),
  '--enable-features=Vulkan,VulkanFromANGLE,DefaultANGLEVulkan',
  '--use-angle=vulkan',
  '--ignore-gpu-blocklist',
  '--enable-gpu',
];

/**
 * `extraArgs` go to Chromium after the shared `chromiumArgs` (e.g. memory-measurement switches);
 * `baseArgs` replaces those (HARDWARE_WEBGPU_ARGS for a run on the GPU).
 */
export async function startBrowserRig(root: string, extraArgs: readonly string[] = [], baseArgs: readonly string[] = chromiumArgs): Promise<BrowserRig> {
  const server: ViteDevServer = await createServer({
    root,
    configFile: `${root}/vite.config.ts`,
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 5299, strictPort: false },
  });
  await server.listen();
  const address = server.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : 5299;
  const executablePath = chromiumPath();
  const browser = await chromium.launch({ executablePath, args: [...baseArgs, ...extraArgs], headless: true });
  return {
    origin: `http://127.0.0.1:${port}`,
    browser,
    chromiumVersion: browser.version(),
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Opens `path` in a fresh context and waits for `window[resultKey]`. */
export async function runPage<T>(rig: BrowserRig, path: string, resultKey: string, timeoutMs: number): Promise<T> {
  const context = await rig.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${rig.origin}${path}`);
    await page.waitForFunction((key) => (window as unknown as Record<string, unknown>)[key] !== undefined, resultKey, {
      timeout: timeoutMs,
      polling: 500,
    });
    return (await page.evaluate((key) => (window as unknown as Record<string, unknown>)[key], resultKey)) as T;
  } finally {
    await context.close();
  }
}
