/**
 * A worker created on first use and wrapped with comlink, that notices its own death: an error
 * event (a crash, an out-of-memory kill, a failed module load) or `terminate()` drops the
 * connection, tells the owner in a sentence, and the next call starts a fresh worker. Each
 * `<name>.client.ts` owns one of these; nothing else creates workers.
 */
import * as Comlink from 'comlink';

export class WorkerConnection<T> {
  private worker: Worker | null = null;
  private remote: Comlink.Remote<T> | null = null;

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
   * Runs one call and rejects at once if the worker dies while it runs (a dead worker never
   * answers, so without this the caller would wait for ever).
   */
  async call<R>(work: (api: Comlink.Remote<T>) => Promise<R>): Promise<R> {
    const api = this.api;
    const worker = this.worker;
    const death = new Promise<never>((_, reject) => {
      const onDeath = () => reject(new Error(`The ${this.name} stopped while working; it was restarted, so try again.`));
      worker?.addEventListener('error', onDeath, { once: true });
      worker?.addEventListener('mc-terminated', onDeath, { once: true });
    });
    death.catch(() => undefined);
    return Promise.race([work(api), death]);
  }

  /** Stops the worker on purpose (tests terminate it mid-batch to simulate a crash when `asCrash`). */
  terminate(asCrash = false): void {
    const worker = this.worker;
    if (!worker) return;
    if (asCrash) {
      this.crashed(worker, ' (terminated)');
      return;
    }
    this.drop(worker);
  }

  private crashed(worker: Worker, detail: string): void {
    if (worker !== this.worker) return;
    this.drop(worker);
    this.onCrash(`The ${this.name} stopped unexpectedly${detail}; it was restarted and the work resumes.`);
  }

  private drop(worker: Worker): void {
    worker.dispatchEvent(new Event('mc-terminated'));
    worker.terminate();
    if (worker === this.worker) {
      this.worker = null;
      this.remote?.[Comlink.releaseProxy]();
      this.remote = null;
    }
  }
}
