/**
 * Vite plugins that serve files the app needs at fixed URLs, in dev and in the build:
 * - `/ort/*`: onnxruntime-web's WASM binaries and loaders, so nothing is fetched from a CDN;
 * - `/models/*`: self-hosted encoders from the top-level `models/` folder (offline sites, fixtures).
 * `ortWasmFromOrtFolder` keeps the build from shipping a second, hashed copy of a WASM binary.
 */
import { createReadStream, existsSync, readdirSync, statSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { createRequire } from 'node:module';
import type { Connect, Plugin } from 'vite';

const contentTypes: Record<string, string> = {
  '.wasm': 'application/wasm',
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.onnx_data': 'application/octet-stream',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
};

export function ortDistDir(): string {
  const require = createRequire(import.meta.url);
  // The package's exports map hides package.json; walk up from its main entry instead.
  let dir = dirname(require.resolve('onnxruntime-web'));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return join(dir, 'dist');
}

function ortFiles(): string[] {
  return readdirSync(ortDistDir()).filter((f) => /^ort-wasm.*\.(wasm|mjs)$/.test(f));
}

function listFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(root, full).split(sep).join('/'));
    }
  };
  walk(root);
  return out;
}

function serveFrom(prefix: string, root: () => string, allow: (file: string) => boolean) {
  return (server: { middlewares: Connect.Server }) => {
    server.middlewares.use((req, res, next) => {
      const url = req.url?.split('?')[0] ?? '';
      if (!url.startsWith(prefix)) return next();
      const base = root();
      const file = resolve(base, decodeURIComponent(url.slice(prefix.length)));
      if (!file.startsWith(base + sep) || !allow(file) || !existsSync(file) || statSync(file).isDirectory()) {
        res.statusCode = 404;
        res.end('Not found');
        return;
      }
      res.setHeader('Content-Type', contentTypes[extname(file)] ?? 'application/octet-stream');
      res.setHeader('Content-Length', String(statSync(file).size));
      res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      createReadStream(file).pipe(res);
    });
  };
}

export function staticAssets(options: { modelsDir: string; bundleModels?: boolean }): Plugin {
  const modelsDir = resolve(options.modelsDir);
  return {
    name: 'mediconfusion-static-assets',
    configureServer(server) {
      serveFrom('/ort/', ortDistDir, (f) => /ort-wasm.*\.(wasm|mjs)$/.test(f))(server);
      serveFrom('/models/', () => modelsDir, () => true)(server);
    },
    configurePreviewServer(server) {
      serveFrom('/ort/', ortDistDir, (f) => /ort-wasm.*\.(wasm|mjs)$/.test(f))(server);
      serveFrom('/models/', () => modelsDir, () => true)(server);
    },
    generateBundle() {
      for (const name of ortFiles()) {
        this.emitFile({ type: 'asset', fileName: `ort/${name}`, source: readFileSync(join(ortDistDir(), name)) });
      }
      if (options.bundleModels) {
        for (const rel of listFiles(modelsDir)) {
          if (rel === 'README.md') continue;
          this.emitFile({ type: 'asset', fileName: `models/${rel}`, source: readFileSync(join(modelsDir, rel)) });
        }
      }
    },
  };
}

/**
 * onnxruntime-web (and transformers.js, which embeds its loader) falls back to
 * `new URL("ort-wasm-….wasm", import.meta.url)` when no WASM path is configured. We always
 * configure `/ort/` (src/workers/ort-web.ts), but Vite still emits the file that expression names
 * as a hashed asset: a second 26.8 MB copy of the binary `/ort/` already serves. Pointing the
 * fallback at `/ort/` keeps one copy and the same behaviour should the fallback ever run.
 */
export function ortWasmFromOrtFolder(): Plugin {
  const fallback = /new URL\(\s*(["'])(ort-wasm[\w.-]*\.wasm)\1\s*,\s*import\.meta\.url\s*\)/g;
  return {
    name: 'mediconfusion-ort-wasm-from-ort-folder',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/](onnxruntime-web|@huggingface[\\/]transformers)[\\/]/.test(id) || !code.includes('ort-wasm')) return null;
      const rewritten = code.replace(fallback, (_match, _quote: string, file: string) => `new URL("/ort/${file}", self.location.href)`);
      return rewritten === code ? null : { code: rewritten, map: null };
    },
  };
}
