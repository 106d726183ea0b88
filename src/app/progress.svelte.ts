/**
 * Long work as the progress bar shows it. Several steps may run at once (mining while UMAP
 * projects): the newest one shows, and the bar goes when the last one ends. A step shows only
 * once it has run for a moment, so work that ends at once (screening a new image's 45 pairs)
 * does not flash "0 / 45 pairs · estimating…" past the user.
 */
export interface Progress {
  label: string;
  done: number;
  total: number;
  unit: string;
}

export interface ProgressHandle {
  update(done: number, total?: number): void;
  /** Changes what the step says (e.g. from reading to embedding). */
  relabel(label: string): void;
  end(): void;
}

/** How long a step runs before the bar shows it. */
export const PROGRESS_APPEARS_AFTER_MS = 400;

interface Step {
  progress: Progress;
  visible: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class ProgressReporter {
  /** The step the bar shows, or null. */
  current = $state<Progress | null>(null);
  /** Steps running, shown or not yet. */
  private running = $state(0);
  private readonly steps: Step[] = [];

  constructor(private readonly appearsAfterMs = PROGRESS_APPEARS_AFTER_MS) {}

  start(label: string, total: number, unit: string): ProgressHandle {
    const step: Step = { progress: { label, done: 0, total, unit }, visible: this.appearsAfterMs <= 0, timer: undefined };
    if (!step.visible) {
      step.timer = setTimeout(() => {
        step.visible = true;
        this.show();
      }, this.appearsAfterMs);
    }
    this.steps.push(step);
    this.running = this.steps.length;
    this.show();
    return {
      update: (done, nextTotal) => {
        step.progress = { ...step.progress, done, total: nextTotal ?? step.progress.total };
        this.show();
      },
      relabel: (next) => {
        step.progress = { ...step.progress, label: next };
        this.show();
      },
      end: () => {
        clearTimeout(step.timer);
        const at = this.steps.indexOf(step);
        if (at >= 0) this.steps.splice(at, 1);
        this.running = this.steps.length;
        this.show();
      },
    };
  }

  /** Some step is running (shown or about to be): controls that would start more work wait. */
  get busy(): boolean {
    return this.running > 0;
  }

  private show(): void {
    this.current = this.steps.filter((step) => step.visible).at(-1)?.progress ?? null;
  }
}
