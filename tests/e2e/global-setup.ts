/**
 * End-to-end rig: builds the app once, serves it with `vite preview` (COOP/COEP and CSP headers
 * as in production) and hands the origin to the tests. Fixture encoders come from models/.
 */
import { build, preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';

let server: PreviewServer | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = process.cwd();
  await build({ root, logLevel: 'error', build: { outDir: 'tests/.artifacts/e2e-dist', emptyOutDir: true } });
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
