/**
 * The slider as the user feels it: in Chromium, the whole App over N clustered images (~940k
 * candidates at N = 10,000), 200 threshold moves, each timed from its input event to the frame
 * that paints the miner's answer (see bench/browser/remine-page.ts for what is timed and how).
 *
 * `npm run bench` calls `runRemineBench` (N = 10,000; 5,000 with --quick) and merges the figures
 * into `remine.n<N>`. Alone: `npx tsx bench/remine-page.ts [--quick] [--n 10000] [--moves 200]`
 * runs only this case and merges it into bench/results/latest.{json,md}, keeping the rest.
 * Goals (reported, never asserted): page p95 <= 16 ms, worker p95 <= 8 ms.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build, preview } from 'vite';
import { chromium } from 'playwright';
import { chromiumArgs, chromiumPath } from '../vite.config.ts';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startBrowserRig, type BrowserRig } from './browser-runner.ts';
import { renderMarkdown } from './report.ts';
import { nodeRemineFigures } from './mining.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Percentiles {
  p50_ms: number;
  p95_ms: number;
  max_ms: number;
}

/** What bench/browser/remine-page.ts publishes. */
interface PageFigures {
  n: number;
  candidates: number;
  seed_s: number;
  boot_to_mined_s: number;
  moves: number;
  view_requests_sent: number;
  page: Percentiles;
  page_double_raf: Percentiles;
  frames_to_paint: { p50: number; p95: number; max: number };
  mean_frame_ms: number;
  frame_profile: Record<string, unknown>;
  worker: Percentiles;
  breakdown: Record<string, Percentiles>;
  error?: string;
}

export interface RemineOptions {
  quick: boolean;
  /** The running dev server, for `dev` (the page then comes from it); otherwise unused. */
  rig?: Pick<BrowserRig, 'origin'> | null;
  /** Measures the dev server's page (Svelte dev mode) instead of a production build. */
  dev?: boolean;
  n?: number;
  moves?: number;
  /** Samples the page's main thread with the V8 profiler while the sliders move; adds the top functions by self time. */
  profile?: boolean;
  /** Records a Chromium trace of the drag and adds main-thread time by trace event (what the renderer spent on style, layout, paint, scripts). */
  trace?: boolean;
  log?: (line: string) => void;
}

/**
 * The page built for production and served by `vite preview`: the dev server compiles Svelte in
 * dev mode, whose per-signal stack capture (`get_stack`) costs more than the views themselves, and
 * users run the production build.
 */
async function servePageBuild(log: (line: string) => void): Promise<{ origin: string; close(): Promise<void> }> {
  const outDir = mkdtempSync(join(tmpdir(), 'remine-page-'));
  log('bench:   building the slider page for production…');
  // A dev server started in this process (the rig) set NODE_ENV=development, which would make this
  // build resolve Svelte's development runtime; production for the build only.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root,
      mode: 'production',
      configFile: join(root, 'vite.config.ts'),
      logLevel: 'warn',
      // Unminified so a --profile run names functions; V8 runs it at the same speed.
      build: { outDir, emptyOutDir: true, minify: false, rollupOptions: { input: join(root, 'bench', 'browser', 'remine-page.html') } },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  const server = await preview({ root, configFile: join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 5399, strictPort: false } });
  const origin = server.resolvedUrls?.local[0]?.replace(/\/$/, '') ?? 'http://127.0.0.1:5399';
  return {
    origin,
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

/** Runs the case; returns `{ n<N>: figures }` to merge into `remine`. */
export async function runRemineBench(options: RemineOptions): Promise<Record<string, Record<string, unknown>>> {
  const log = options.log ?? ((line: string) => console.error(line));
  const n = options.n ?? (options.quick ? 5000 : 10000);
  const moves = options.moves ?? 200;
  log(`bench: slider moves in the mounted App at N = ${n} (Chromium)…`);
  const key = `n${n}`;
  let served: Awaited<ReturnType<typeof servePageBuild>> | null = null;
  try {
    served = options.dev ? null : await servePageBuild(log);
  } catch (error) {
    return { [key]: { page_error: `The production build of the slider page failed: ${error instanceof Error ? error.message : String(error)}` } };
  }
  const origin = served?.origin ?? options.rig?.origin;
  if (!origin) return { [key]: { page_error: 'The dev-mode run needs the running dev server (a browser rig).' } };
  // Its own Chromium with software compositing: on a machine without a GPU the rig's SwiftShader
  // GL compositor took ~0.5 s per frame of this page (the emulator, not the app, set the pace).
  // WebGPU is not needed: the miner's 'auto' kernel stays on the CPU without a hardware adapter.
  const gpuless = chromiumArgs.filter((a) => !/swiftshader|webgpu|Vulkan/i.test(a));
  const own = await chromium.launch({ executablePath: chromiumPath(), args: [...gpuless, '--disable-gpu', '--disable-gpu-compositing'], headless: true });
  const context = await own.newContext({ viewport: { width: 1440, height: 1000 } });
  try {
    const page = await context.newPage();
    const query = new URLSearchParams({ n: String(n), moves: String(moves), encoders: 'fixture-clip,fixture-dino' });
    await page.goto(`${origin}/bench/browser/remine-page.html?${query}`);
    let last = '';
    const profiler = options.profile ? await mainThreadProfiler(page) : null;
    let tracing: Promise<void> | null = null;
    const progress = setInterval(() => {
      void page
        .evaluate(() => (window as unknown as { benchProgress?: string }).benchProgress ?? '')
        .then(async (line) => {
          if (line && line !== last) log(`bench:   ${(last = line)}`);
          if (line.startsWith('moving')) {
            await profiler?.start();
            if (options.trace && !tracing) tracing = own.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'] });
          }
        })
        .catch(() => undefined);
    }, 250);
    try {
      // Function predicates, not strings: the dev server's CSP forbids string evaluation.
      await page.waitForFunction(() => (window as unknown as { benchResult?: unknown }).benchResult !== undefined, undefined, { timeout: 20 * 60_000, polling: 500 });
    } finally {
      clearInterval(progress);
    }
    const r = await page.evaluate(() => (window as unknown as { benchResult: PageFigures }).benchResult);
    const hot = await profiler?.stop();
    const traced = tracing ? (await tracing, mainThreadByEvent(await own.stopTracing())) : null;
    if (r.error) return { [key]: { page_error: r.error } };
    return {
      [key]: {
        page_p50_ms: r.page.p50_ms,
        page_p95_ms: r.page.p95_ms,
        worker_p50_ms: r.worker.p50_ms,
        worker_p95_ms: r.worker.p95_ms,
        view_requests_sent: r.view_requests_sent,
        page_detail: {
          build: options.dev ? 'vite dev server (Svelte dev mode)' : 'vite production build (vite preview)',
          browser: `Chromium ${own.version()}, software compositing (--disable-gpu --disable-gpu-compositing)`,
          note:
            'Whole App mounted (Explore tab) over a seeded store, fixture encoder ids, clustered data; one slider input per frame, ' +
            'alternating CLIP (0.85..0.95) and DINO (0.60..0.80). page = input event to the end of the main thread rendering the first frame ' +
            'that shows the answer covering the move (skipped moves wait for the next answer); double_raf = the rAF after that frame; ' +
            'frames_to_paint 1 = the next frame, the soonest an answer from a worker can appear; worker = PairViewAnswer.elapsedMs.',
          candidates: r.candidates,
          moves: r.moves,
          seed_s: r.seed_s,
          boot_to_mined_s: r.boot_to_mined_s,
          page_max_ms: r.page.max_ms,
          double_raf_p50_ms: r.page_double_raf.p50_ms,
          double_raf_p95_ms: r.page_double_raf.p95_ms,
          frames_to_paint: r.frames_to_paint,
          mean_frame_ms: r.mean_frame_ms,
          frame_profile: r.frame_profile,
          worker_max_ms: r.worker.max_ms,
          breakdown: r.breakdown,
          ...(hot ? { main_thread_self_ms: hot } : {}),
          ...(traced ? { main_thread_trace_ms: traced } : {}),
        },
      },
    };
  } catch (error) {
    return { [key]: { page_error: error instanceof Error ? error.message : String(error) } };
  } finally {
    await context.close();
    await own.close();
    await served?.close();
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
interface CdpSession {
  send(method: 'Profiler.enable' | 'Profiler.start'): Promise<unknown>;
  send(method: 'Profiler.setSamplingInterval', params: { interval: number }): Promise<unknown>;
  send(method: 'Profiler.stop'): Promise<{ profile: CpuProfile }>;
}

/** The V8 sampling profiler on the page's main thread; `stop` gives self time by function (top 25, ms). */
async function mainThreadProfiler(page: { context(): { newCDPSession(page: unknown): Promise<unknown> } }) {
  const session = (await page.context().newCDPSession(page)) as CdpSession;
  await session.send('Profiler.enable');
  await session.send('Profiler.setSamplingInterval', { interval: 200 });
  let started = false;
  return {
    async start() {
      if (started) return;
      started = true;
      await session.send('Profiler.start');
    },
    async stop(): Promise<Record<string, number> | null> {
      if (!started) return null;
      const { profile } = await session.send('Profiler.stop');
      const byId = new Map(profile.nodes.map((node) => [node.id, node]));
      const self = new Map<string, number>();
      profile.samples.forEach((id, i) => {
        const frame = byId.get(id)?.callFrame;
        const file = frame?.url.replace(/^.*\/(src|node_modules|bench|assets)\//, '$1/').replace(/\?.*$/, '') ?? '';
        const key = `${frame?.functionName || '(anonymous)'} ${file}:${(frame?.lineNumber ?? 0) + 1}`;
        self.set(key, (self.get(key) ?? 0) + profile.timeDeltas[i] / 1000);
      });
      const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
      return Object.fromEntries(top.map(([k, ms]) => [k, Math.round(ms)]));
    },
  };
}

interface TraceEvent {
  name: string;
  ph: string;
  dur?: number;
  tid: number;
  pid: number;
  args?: { name?: string };
}

/**
 * Main-thread time by trace event name (complete events only, top 20, ms), for the renderer's
 * main thread: where a frame goes besides JavaScript (style, layout, paint, commit). Nested events
 * are counted in their parent too, so the figures overlap and do not add up.
 */
function mainThreadByEvent(buffer: Buffer): Record<string, number> {
  const { traceEvents } = JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] };
  const main = traceEvents.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const total = new Map<string, number>();
  for (const e of traceEvents) {
    if (!main || e.pid !== main.pid || e.tid !== main.tid || e.ph !== 'X' || !e.dur) continue;
    total.set(e.name, (total.get(e.name) ?? 0) + e.dur / 1000);
  }
  const top = [...total.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20);
  return Object.fromEntries(top.map(([k, ms]) => [k, Math.round(ms)]));
}

type Json = Record<string, unknown>;

/** Merges `remine.<key>` figures into bench/results/latest.json (keeping everything else) and re-renders latest.md. */
function mergeIntoLatest(figures: Record<string, Json>): void {
  const dir = join(root, 'bench', 'results');
  const path = join(dir, 'latest.json');
  const latest: Json = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Json) : { date: new Date().toISOString() };
  const remine = { ...((latest.remine as Json | undefined) ?? {}) };
  for (const [key, value] of Object.entries(figures)) remine[key] = { ...((remine[key] as Json | undefined) ?? {}), ...value };
  latest.remine = remine;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, JSON.stringify(latest, null, 2) + '\n');
  writeFileSync(join(dir, 'latest.md'), renderMarkdown(latest));
}

const invokedDirectly = process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url;
if (invokedDirectly) {
  const argv = process.argv.slice(2);
  const value = (name: string) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : undefined);
  const dev = argv.includes('--dev');
  const rig = dev ? await startBrowserRig(root) : null;
  try {
    // The worker's work alone in Node first, so both figures the slider goal names come from one run.
    console.error('bench:   the miner answer alone, in Node (N = 10,000)…');
    const node = nodeRemineFigures();
    const figures = await runRemineBench({ quick: argv.includes('--quick'), rig, n: value('--n'), moves: value('--moves'), profile: argv.includes('--profile'), trace: argv.includes('--trace'), dev });
    mergeIntoLatest({ ...figures, n10000: { ...node, ...(figures.n10000 ?? {}) } });
    console.log(JSON.stringify({ remine: figures }, null, 2));
  } finally {
    await rig?.close();
  }
}
