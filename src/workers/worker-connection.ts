/**
 * A worker created on first use and wrapped with comlink, that notices its own death: an error
 * event (a crash, an out-of-memory kill, a failed module load) or `terminate()` drops the
 * connection, tells the owner in a sentence, and the next call starts a fresh worker. Each
 * `<name>.client.ts` owns one of these; nothing else creates workers.
 */
import * as Comlink from 'comlink';

/**
 * A call that was in flight when its worker died or was stopped. Callers tell it apart from the
 * worker's own errors: the work was not done (not wrong), so it is handed back or run again in
 * the restarted worker rather than recorded as a failure.
 */
export class WorkerStoppedError extends Error {
  constructor(
    message: string,
    /** True when the worker died (error event, crash); false when it was stopped on purpose. */
    readonly crashed: boolean,
  ) {
    super(message);
    this.name = 'WorkerStoppedError';
  }
}

export class WorkerConnection<T> {
  private worker: Worker | null = null;
  private remote: Comlink.Remote<T> | null = null;
  /** Why the current worker is going away, read by the calls it leaves unanswered. */
  private readonly endings = new WeakMap<Worker, boolean>();
  /** Workers of this connection that died and were (or will be, on the next call) replaced. */
  crashes = 0;

  constructor(
    private readonly create: () => Worker,
    private readonly name: string,
    /** Hears a sentence after the worker died; the next call restarts it. */
    private readonly onCrash: (sentence: string) => void = () => {},
  ) {}

  /** The live proxy, starting the worker when there is none. */
  get api(): Comlink.Remote<T> {
    if (!this.remote) {
      const worker = this.create();
      worker.addEventListener('error', (event) => {
        event.preventDefault?.();
        this.crashed(worker, event.message ? `: ${event.message}` : '');
      });
      this.worker = worker;
      this.remote = Comlink.wrap<T>(worker);
    }
    return this.remote;
  }

  /** True while a worker is running. */
  get alive(): boolean {
    return this.worker !== null;
  }

  /**
   * Runs one call and rejects at once with a `WorkerStoppedError` if the worker dies while it
   * runs (a dead worker never answers, so without this the caller would wait for ever).
   */
  async call<R>(work: (api: Comlink.Remote<T>) => Promise<R>): Promise<R> {
    const api = this.api;
    const worker = this.worker;
    // The death listeners live as long as this call: a long-lived worker (the miner answers a
    // request per slider move) would otherwise collect two listeners per call for ever.
    const listening = new AbortController();
    const death = new Promise<never>((_, reject) => {
      const onDeath = () => {
        const crashed = worker ? (this.endings.get(worker) ?? true) : true;
        reject(new WorkerStoppedError(`The ${this.name} stopped while working; it was restarted, so try again.`, crashed));
      };
      worker?.addEventListener('error', onDeath, { once: true, signal: listening.signal });
      worker?.addEventListener('mc-terminated', onDeath, { once: true, signal: listening.signal });
    });
    death.catch(() => undefined);
    try {
      return await Promise.race([work(api), death]);
    } finally {
      listening.abort();
    }
  }

  /**
   * `call`, run once more in a fresh worker when the first worker died during it. Only for
   * calls that need nothing the dead worker held (a projection, not a miner's build).
   */
  async callRestarting<R>(work: (api: Comlink.Remote<T>) => Promise<R>): Promise<R> {
    try {
      return await this.call(work);
    } catch (error) {
      if (!(error instanceof WorkerStoppedError) || !error.crashed) throw error;
      return this.call(work);
    }
  }

  /**
   * Stops the worker: on purpose (calls in flight reject with `crashed: false`), or as a crash
   * would (`asCrash`: the owner hears the sentence; tests terminate workers mid-batch with it).
   */
  terminate(asCrash = false, detail = ' (terminated)'): void {
    const worker = this.worker;
    if (!worker) return;
    if (asCrash) {
      this.crashed(worker, detail);
      return;
    }
    this.drop(worker, false);
  }

  private crashed(worker: Worker, detail: string): void {
    if (worker !== this.worker) return;
    this.crashes++;
    this.drop(worker, true);
    this.onCrash(`The ${this.name} stopped unexpectedly${detail}; it was restarted and the work resumes.`);
  }

  private drop(worker: Worker, crashed: boolean): void {
    this.endings.set(worker, crashed);
    worker.dispatchEvent(new Event('mc-terminated'));
    worker.terminate();
    if (worker === this.worker) {
      this.worker = null;
      this.remote?.[Comlink.releaseProxy]();
      this.remote = null;
    }
  }
}
