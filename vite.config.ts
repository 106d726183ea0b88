import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { playwright } from '@vitest/browser-playwright';
import { ortWasmFromOrtFolder, staticAssets } from './scripts/vite-plugins.ts';
import { privacyHeaders } from './scripts/vite-csp.ts';

/** Cross-origin isolation lets onnxruntime-web use WASM threads (SharedArrayBuffer). */
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** CHROMIUM_PATH, else Debian's Chromium; undefined lets Playwright use its own browser. */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

export const chromiumArgs = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

export default defineConfig({
  plugins: [privacyHeaders(), ortWasmFromOrtFolder(), svelte(), staticAssets({ modelsDir: 'models', bundleModels: process.env.BUNDLE_MODELS === '1' })],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  optimizeDeps: {
    exclude: ['onnxruntime-web', '@huggingface/transformers'],
    // Pre-bundled up front: discovering these on first use makes Vite re-optimise and reload
    // mid-run (workers then fail to import the stale chunks).
    include: [
      '@cornerstonejs/codec-charls',
      '@cornerstonejs/codec-openjpeg',
      '@cornerstonejs/codec-libjpeg-turbo-8bit',
      '@jsquash/webp/codec/dec/webp_dec.js',
      'jpeg-lossless-decoder-js',
      'dicom-parser',
      'jpeg-js',
      'utif',
      'fflate',
      'zod',
      'comlink',
      'idb',
      'd3',
      'd3-hexbin',
      'umap-js',
      'onnx-proto',
    ],
  },
  // Workers are bundled apart, with their own plugins: the encoders load onnxruntime-web there.
  worker: { format: 'es', plugins: () => [ortWasmFromOrtFolder()] },
  build: { target: 'es2022', chunkSizeWarningLimit: 2048 },
  test: {
    reporters: ['default', './tests/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/global-setup.ts'],
          // One browser at a time: the machine may have two cores.
          fileParallelism: false,
          testTimeout: 240_000,
          hookTimeout: 240_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          globalSetup: ['tests/support/hub-server-setup.ts'],
          include: ['tests/browser/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: chromiumPath(), args: chromiumArgs },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
