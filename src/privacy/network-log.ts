/**
 * A page-side record of every origin this session contacted, for the privacy panel.
 *
 * Sources, merged per origin:
 * - Resource Timing entries of the page (`PerformanceObserver('resource')`, buffered, so requests
 *   made before `start()` count too): request counts and bytes received (`transferSize`, or
 *   `encodedBodySize` when the answer came from a cache or a cross-origin host hides timing);
 * - requests made through the page's `fetch`, wrapped by `start({ instrumentFetch: true })`:
 *   the method and request-body bytes (the app never sends a body, so this stays 0);
 * - the encoder workers' `diagnostics()` (the origins they contacted, and their resource entries
 *   when given), passed in with `addWorkerDiagnostics`.
 * Any origin other than the app's own and the model hosts of src/privacy/hosts.ts is flagged.
 */
import { MODEL_HOSTS, classifyOrigin, type OriginKind } from './hosts.ts';

/** One origin's line in the privacy panel. */
export interface OriginEntry {
  origin: string;
  kind: OriginKind;
  /** Requests seen (Resource Timing and wrapped fetches, without double counting). */
  requests: number;
  /** Bytes received, headers included where the browser reports them. */
  bytesReceived: number;
  /** Request-body bytes sent (request headers are not measurable from a page). */
  bytesSent: number;
  /** Requests per HTTP method, where known (wrapped fetches); Resource Timing has no method. */
  methods: Record<string, number>;
  /** Who contacted it: `page`, or `worker:<name>`. */
  seenBy: string[];
}

/** The subset of a PerformanceResourceTiming the log reads. */
export interface ResourceFacts {
  name: string;
  transferSize?: number;
  encodedBodySize?: number;
}

/** What an encoder worker's `diagnostics()` returns (resources optional). */
export interface WorkerNetworkDiagnostics {
  origins: readonly string[];
  resources?: readonly ResourceFacts[];
}

export interface NetworkLogOptions {
  /** Defaults to `location.origin`. */
  appOrigin?: string;
  modelHosts?: readonly string[];
}

interface MutableEntry extends OriginEntry {
  seen: Set<string>;
}

/** http(s) origin of a URL, or undefined for data:, blob: and malformed URLs (never sent anywhere). */
function httpOrigin(url: string, base?: string): string | undefined {
  try {
    const parsed = new URL(url, base);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

function bodyBytes(body: BodyInit | null | undefined): number {
  if (body == null) return 0;
  if (typeof body === 'string') return new TextEncoder().encode(body).byteLength;
  if (body instanceof Blob) return body.size;
  if (body instanceof ArrayBuffer) return body.byteLength;
  if (ArrayBuffer.isView(body)) return body.byteLength;
  if (body instanceof URLSearchParams) return new TextEncoder().encode(body.toString()).byteLength;
  // FormData and streams have no size before they are sent; count them as at least one byte.
  return 1;
}

export class NetworkLog {
  readonly appOrigin: string;
  readonly modelHosts: readonly string[];
  private readonly origins = new Map<string, MutableEntry>();
  private readonly listeners = new Set<(entries: OriginEntry[]) => void>();
  private observer: PerformanceObserver | undefined;
  private originalFetch: typeof fetch | undefined;
  /** Wrapped fetches awaiting their Resource Timing entry, per URL, so a request counts once. */
  private readonly pendingFetches = new Map<string, number>();

  constructor(options: NetworkLogOptions = {}) {
    this.appOrigin = options.appOrigin ?? globalThis.location.origin;
    this.modelHosts = options.modelHosts ?? MODEL_HOSTS;
  }

  /** Starts observing; `instrumentFetch` also wraps `globalThis.fetch` to record methods and bodies. */
  start(options: { instrumentFetch?: boolean } = {}): void {
    if (!this.observer && typeof PerformanceObserver !== 'undefined') {
      this.observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) this.addResource(entry as PerformanceResourceTiming, 'page');
        this.notify();
      });
      this.observer.observe({ type: 'resource', buffered: true });
    }
    if (options.instrumentFetch && !this.originalFetch) this.wrapFetch();
  }

  /** Stops observing and restores `fetch`. */
  stop(): void {
    this.observer?.disconnect();
    this.observer = undefined;
    if (this.originalFetch) globalThis.fetch = this.originalFetch;
    this.originalFetch = undefined;
  }

  /** Records one Resource Timing entry (`seenBy` is `page` or `worker:<name>`). */
  addResource(resource: ResourceFacts, seenBy: string): void {
    const origin = httpOrigin(resource.name);
    if (!origin) return;
    const entry = this.entry(origin, seenBy);
    const pendingKey = `${seenBy} ${resource.name}`;
    const pending = this.pendingFetches.get(pendingKey) ?? 0;
    if (pending > 0) this.pendingFetches.set(pendingKey, pending - 1);
    else entry.requests += 1;
    entry.bytesReceived += resource.transferSize || resource.encodedBodySize || 0;
  }

  /** Records a request whose method and body are known (counts as one request). */
  addRequest(request: { url: string; method: string; bodyBytes: number }, seenBy: string): void {
    const origin = httpOrigin(request.url, this.appOrigin);
    if (!origin) return;
    const entry = this.entry(origin, seenBy);
    const method = request.method.toUpperCase();
    entry.requests += 1;
    entry.bytesSent += request.bodyBytes;
    entry.methods[method] = (entry.methods[method] ?? 0) + 1;
    const key = `${seenBy} ${new URL(request.url, this.appOrigin).href}`;
    this.pendingFetches.set(key, (this.pendingFetches.get(key) ?? 0) + 1);
    this.notify();
  }

  /** Merges what an encoder worker reports about its own requests. */
  addWorkerDiagnostics(workerName: string, diagnostics: WorkerNetworkDiagnostics): void {
    const seenBy = `worker:${workerName}`;
    for (const resource of diagnostics.resources ?? []) this.addResource(resource, seenBy);
    for (const origin of diagnostics.origins) {
      const normalized = httpOrigin(origin);
      if (normalized) this.entry(normalized, seenBy);
    }
    this.notify();
  }

  /** The origins contacted so far: the app's own first, then unexpected ones, then model hosts. */
  entries(): OriginEntry[] {
    const rank: Record<OriginKind, number> = { self: 0, unexpected: 1, 'model-host': 2 };
    return [...this.origins.values()]
      .map(({ seen: _seen, ...entry }) => ({ ...entry, methods: { ...entry.methods }, seenBy: [...entry.seenBy] }))
      .sort((a, b) => rank[a.kind] - rank[b.kind] || a.origin.localeCompare(b.origin));
  }

  /** Origins outside the allow-list (should always be empty). */
  unexpectedOrigins(): string[] {
    return this.entries()
      .filter((entry) => entry.kind === 'unexpected')
      .map((entry) => entry.origin);
  }

  /** Calls `listener` with the entries after every change; returns the unsubscribe function. */
  subscribe(listener: (entries: OriginEntry[]) => void): () => void {
    this.listeners.add(listener);
    listener(this.entries());
    return () => this.listeners.delete(listener);
  }

  private entry(origin: string, seenBy: string): MutableEntry {
    let entry = this.origins.get(origin);
    if (!entry) {
      entry = {
        origin,
        kind: classifyOrigin(origin, this.appOrigin, this.modelHosts),
        requests: 0,
        bytesReceived: 0,
        bytesSent: 0,
        methods: {},
        seenBy: [],
        seen: new Set(),
      };
      this.origins.set(origin, entry);
    }
    if (!entry.seen.has(seenBy)) {
      entry.seen.add(seenBy);
      entry.seenBy.push(seenBy);
    }
    return entry;
  }

  private notify(): void {
    if (this.listeners.size === 0) return;
    const entries = this.entries();
    for (const listener of this.listeners) listener(entries);
  }

  private wrapFetch(): void {
    const original = globalThis.fetch;
    this.originalFetch = original;
    globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const url = input instanceof Request ? input.url : String(input);
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      // A Request's own body is a stream of unknown length; `init.body` is what callers pass.
      const sent = init?.body !== undefined ? bodyBytes(init.body) : input instanceof Request && input.body ? 1 : 0;
      this.addRequest({ url, method, bodyBytes: sent }, 'page');
      return original.call(globalThis, input, init);
    };
  }
}

/** Totals over all origins, for the panel's summary line. */
export function totals(entries: readonly OriginEntry[]): { requests: number; bytesReceived: number; bytesSent: number; unexpected: number } {
  return entries.reduce(
    (sum, entry) => ({
      requests: sum.requests + entry.requests,
      bytesReceived: sum.bytesReceived + entry.bytesReceived,
      bytesSent: sum.bytesSent + entry.bytesSent,
      unexpected: sum.unexpected + (entry.kind === 'unexpected' ? 1 : 0),
    }),
    { requests: 0, bytesReceived: 0, bytesSent: 0, unexpected: 0 },
  );
}
