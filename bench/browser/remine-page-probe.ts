/**
 * Instrument for bench/browser/remine-page.ts: a Worker subclass that timestamps the miner's
 * `view` calls where they cross the thread boundary (post, reply, decode).
 */

/** One `view` call as seen from the page's side of the miner's message port. */
export interface ViewCrossing {
  /** `postMessage` of the request (after the Svelte effect and the latest-only scheduler ran). */
  postedAt: number;
  /** The reply's message event started (the worker finished and serialised the answer). */
  repliedAt?: number;
  /** Reading `event.data` returned: the structured clone of the answer was decoded. */
  decodedAt?: number;
}

/** Comlink's request shape, narrowed without trusting the message. */
function viewCallId(data: unknown): string | null {
  if (!data || typeof data !== 'object') return null;
  const { id, path } = data as { id?: unknown; path?: unknown };
  return typeof id === 'string' && Array.isArray(path) && path[path.length - 1] === 'view' ? id : null;
}

function replyId(data: unknown): string | null {
  if (!data || typeof data !== 'object') return null;
  const { id } = data as { id?: unknown };
  return typeof id === 'string' ? id : null;
}

/**
 * Replaces `globalThis.Worker` so the miner worker the app creates next is observed; returns the
 * crossings by Comlink message id. Other workers pass through unobserved.
 */
export function observeMinerWorker(): Map<string, ViewCrossing> {
  const crossings = new Map<string, ViewCrossing>();
  const RealWorker = globalThis.Worker;
  class ObservedWorker extends RealWorker {
    private readonly observed: boolean;
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      this.observed = String(url).includes('miner');
      if (!this.observed) return;
      // Registered before Comlink's own listener, so this runs first and pays the decode.
      this.addEventListener('message', (event) => {
        const repliedAt = performance.now();
        const id = replyId(event.data);
        const decodedAt = performance.now();
        const crossing = id ? crossings.get(id) : undefined;
        if (crossing) Object.assign(crossing, { repliedAt, decodedAt });
      });
    }
    override postMessage(message: unknown, options?: StructuredSerializeOptions | Transferable[]): void {
      const id = this.observed ? viewCallId(message) : null;
      if (id) crossings.set(id, { postedAt: performance.now() });
      if (Array.isArray(options)) super.postMessage(message, options);
      else super.postMessage(message, options);
    }
  }
  globalThis.Worker = ObservedWorker;
  return crossings;
}
