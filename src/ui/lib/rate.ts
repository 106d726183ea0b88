/** Throughput over a sliding time window, for progress displays (no DOM). */
export class RateMeter {
  private samples: { done: number; at: number }[] = [];

  constructor(private readonly windowMs = 5000) {}

  /**
   * Records `done` at time `at` (ms) and returns items per second over the window, or NaN. The
   * wait for the first item (a model download, a worker starting) is latency, not throughput:
   * measuring starts at the first sample with something done.
   */
  sample(done: number, at: number): number {
    const last = this.samples[this.samples.length - 1];
    // Restarted (done went down): forget the old run.
    if (last && done < last.done) this.samples = [];
    const newest = this.samples[this.samples.length - 1];
    if (done > 0 && (!newest || done !== newest.done)) this.samples.push({ done, at });
    if (this.samples.length === 0) return Number.NaN;
    while (this.samples.length > 2 && at - this.samples[1].at > this.windowMs) this.samples.shift();
    const first = this.samples[0];
    const latest = this.samples[this.samples.length - 1];
    const seconds = (latest.at - first.at) / 1000;
    return seconds > 0 && latest.done > first.done ? (latest.done - first.done) / seconds : Number.NaN;
  }
}

/**
 * A remaining-time estimate that counts down between updates and moves a third of the way to
 * each new estimate, so one slow or fast batch does not make it jump (and "1 min 19 s left" is
 * not shown for a run that takes 21 s because its first batch waited for a model).
 */
export class EtaSmoother {
  private shown: number | undefined;
  private shownAt = 0;

  constructor(private readonly weight = 1 / 3) {}

  /** Seconds left given a fresh estimate `raw` (NaN while unknown) at time `at` (ms). */
  estimate(raw: number, at: number): number {
    if (!Number.isFinite(raw)) return this.shown === undefined ? Number.NaN : this.aged(at);
    this.shown = this.shown === undefined ? raw : this.aged(at) + this.weight * (raw - this.aged(at));
    this.shownAt = at;
    return this.shown;
  }

  private aged(at: number): number {
    return Math.max(0, (this.shown ?? 0) - (at - this.shownAt) / 1000);
  }
}
