/**
 * A local stand-in for the Hugging Face hub: serves folders under `/<repo>/resolve/<revision>/<file>`
 * on 127.0.0.1, logs every request, and injects faults (404, 500, truncated or slow bodies) on
 * demand. Browser tests reach it cross-origin, so it answers with CORS and CORP headers.
 *
 * Every file answer carries `X-Repo-Commit`, as the hub's do: the commit itself when the URL names
 * one, the commit a branch points at when it names a branch (`main` -> `revision` unless told
 * otherwise).
 *
 * Control endpoints (not logged): `GET /__hub/requests` -> JSON log, `POST /__hub/reset` clears
 * the log, faults and commit override, `POST /__hub/fault?file=<suffix>&mode=<404|500|truncated|slow>` adds a fault
 * for every file whose path ends with `file`, `POST /__hub/commit?value=<40 hex|none>` answers every
 * file with that commit instead (a branch that moved, a host that serves the wrong commit) or with
 * no commit header at all (a mirror that sends none).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';

export type HubFault = '404' | '500' | 'truncated' | 'slow';

export interface HubRequest {
  method: string;
  path: string;
  status: number;
}

export interface HubServerOptions {
  /** repo id (e.g. `test-org/fixture-clip`) -> folder served for it. */
  repos: Record<string, string>;
  /** The one commit that exists (40 hex); any other revision answers 404 like the hub does. */
  revision: string;
  /** Branch name -> the commit it points at; `{ main: revision }` unless given. */
  branches?: Record<string, string>;
  /** Delay per chunk of a `slow` response, in ms. */
  slowChunkDelayMs?: number;
}

export interface HubServer {
  url: string;
  requests: HubRequest[];
  /** Answers every file with `commit` (null: no commit header; undefined: the true commit again). */
  answerCommit(commit: string | null | undefined): void;
  close(): Promise<void>;
}

export const FIXTURE_HUB_REVISION = '3f1c2a7b9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f70';

const corsHeaders = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
  'Access-Control-Expose-Headers': 'Content-Length, Content-Range, Content-Type, ETag, X-Repo-Commit',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  const requests: HubRequest[] = [];
  const faults = new Map<string, HubFault>();
  const branches = options.branches ?? { main: options.revision };
  /** undefined: answer the true commit; null: send no commit header. */
  let commitOverride: string | null | undefined;
  const slowDelay = options.slowChunkDelayMs ?? 40;

  const finish = (req: IncomingMessage, res: ServerResponse, status: number, body?: string) => {
    requests.push({ method: req.method ?? 'GET', path: decodeURI((req.url ?? '').split('?')[0]), status });
    res.writeHead(status, { ...corsHeaders, 'Content-Type': 'text/plain' });
    res.end(body);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, corsHeaders);
      res.end();
      return;
    }
    if (url.pathname.startsWith('/__hub/')) {
      const send = (value: unknown) => {
        res.writeHead(200, { ...corsHeaders, 'Content-Type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (url.pathname === '/__hub/requests') return send(requests);
      if (url.pathname === '/__hub/reset') {
        requests.length = 0;
        faults.clear();
        commitOverride = undefined;
        return send({ ok: true });
      }
      if (url.pathname === '/__hub/fault') {
        faults.set(url.searchParams.get('file') ?? '', (url.searchParams.get('mode') ?? '404') as HubFault);
        return send({ ok: true });
      }
      if (url.pathname === '/__hub/commit') {
        const value = url.searchParams.get('value') ?? '';
        commitOverride = value === 'none' ? null : value;
        return send({ ok: true });
      }
      res.writeHead(404, corsHeaders);
      res.end();
      return;
    }
    const match = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(decodeURIComponent(url.pathname));
    const root = match ? options.repos[match[1]] : undefined;
    if (!match || !root) return finish(req, res, 404, 'Repository not found');
    const commit = match[2] === options.revision ? options.revision : branches[match[2]];
    if (!commit) return finish(req, res, 404, 'Revision not found');
    const base = resolve(root);
    const file = resolve(base, match[3]);
    if (!file.startsWith(base + sep) || !existsSync(file) || statSync(file).isDirectory()) return finish(req, res, 404, 'Entry not found');
    const fault = [...faults].find(([suffix]) => match[3].endsWith(suffix))?.[1];
    if (fault === '404') return finish(req, res, 404, 'Entry not found');
    if (fault === '500') return finish(req, res, 500, 'Internal Error');
    const bytes = readFileSync(file);
    requests.push({ method: req.method ?? 'GET', path: url.pathname, status: 200 });
    res.writeHead(200, {
      ...corsHeaders,
      'Content-Type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      'Content-Length': String(bytes.length),
      ETag: `"${bytes.length}"`,
      ...(commitOverride === null ? {} : { 'X-Repo-Commit': commitOverride ?? commit }),
    });
    if (req.method === 'HEAD') return res.end();
    if (fault === 'truncated') {
      // Announce the full length but stop halfway, as a dropped connection would.
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
      res.destroy();
      return;
    }
    if (fault === 'slow') {
      const chunk = Math.max(1, Math.ceil(bytes.length / 8));
      let offset = 0;
      const next = () => {
        if (offset >= bytes.length) return res.end();
        res.write(bytes.subarray(offset, offset + chunk));
        offset += chunk;
        setTimeout(next, slowDelay);
      };
      return next();
    }
    res.end(bytes);
  });

  // Clients reuse idle sockets; closing them early makes Node's fetch fail with ECONNRESET.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answerCommit: (commit) => (commitOverride = commit),
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/** The fixture encoders published as `test-org/fixture-clip` and `test-org/fixture-dino`. */
export function fixtureHubRepos(repoRoot: string): Record<string, string> {
  return {
    'test-org/fixture-clip': join(repoRoot, 'models/fixture-clip'),
    'test-org/fixture-dino': join(repoRoot, 'models/fixture-dino'),
  };
}
