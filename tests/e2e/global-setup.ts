/**
 * End-to-end rig: builds the app once, serves it with `vite preview` (COOP/COEP and CSP headers
 * as in production) and hands the origin to the tests. Fixture encoders come from models/.
 */
import { build, preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';

let server: PreviewServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = process.cwd();
  // Vitest runs with NODE_ENV=test, which would make the bundle a non-production one
  // (import.meta.env.PROD false: no service worker). Build exactly what users get.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root, mode: 'production', logLevel: 'error', build: { outDir: 'tests/.artifacts/e2e-dist', emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  server = await preview({
    root,
    logLevel: 'error',
    build: { outDir: 'tests/.artifacts/e2e-dist' },
    preview: { host: '127.0.0.1', port: 4319, strictPort: false },
  });
  const address = server.httpServer.address();
  const port = typeof address === 'object' && address ? address.port : 4319;
  project.provide('appOrigin', `http://127.0.0.1:${port}`);
  return async () => {
    await new Promise<void>((resolve) => server?.httpServer.close(() => resolve()));
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    appOrigin: string;
  }
}
