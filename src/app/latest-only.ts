/**
 * Latest-only requests (as in uwdata/mosaic's query throttling): while one request runs, newer
 * ones replace each other, so a burst of slider moves costs at most one request in flight and
 * one waiting. Every finished request is delivered; the waiting one, when there is one, follows.
 */
export class LatestOnly<Q, R> {
  private running = false;
  private waiting: { request: Q } | null = null;
  private idleWaiters: (() => void)[] = [];
  /** Requests actually sent (for tests and the benchmark). */
  sent = 0;

  constructor(
    private readonly send: (request: Q) => Promise<R>,
    private readonly deliver: (result: R, request: Q) => void,
    private readonly fail: (error: unknown) => void,
  ) {}

  request(request: Q): void {
    if (this.running) {
      this.waiting = { request };
      return;
    }
    void this.run(request);
  }

  /** Resolves once nothing runs and nothing waits. */
  idle(): Promise<void> {
    if (!this.running && !this.waiting) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async run(request: Q): Promise<void> {
    this.running = true;
    this.sent++;
    try {
      this.deliver(await this.send(request), request);
    } catch (error) {
      this.fail(error);
    } finally {
      this.running = false;
      const next = this.waiting;
      this.waiting = null;
      if (next) void this.run(next.request);
      else for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
