/** Throughput over a sliding time window, for progress displays (no DOM). */
export class RateMeter {
  private samples: { done: number; at: number }[] = [];

  constructor(private readonly windowMs = 5000) {}

  /** Records `done` at time `at` (ms) and returns items per second over the window, or NaN. */
  sample(done: number, at: number): number {
    const last = this.samples[this.samples.length - 1];
    // Restarted (done went down): forget the old run.
    if (last && done < last.done) this.samples = [];
    if (!last || done !== last.done) this.samples.push({ done, at });
    while (this.samples.length > 2 && at - this.samples[1].at > this.windowMs) this.samples.shift();
    const first = this.samples[0];
    const newest = this.samples[this.samples.length - 1];
    const seconds = (newest.at - first.at) / 1000;
    return seconds > 0 && newest.done > first.done ? (newest.done - first.done) / seconds : Number.NaN;
  }
}
