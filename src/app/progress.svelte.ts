/**
 * Long work as the progress bar shows it. Several steps may run at once (mining while UMAP
 * projects): the newest one shows, and the bar goes when the last one ends.
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

export class ProgressReporter {
  current = $state<Progress | null>(null);
  private readonly steps: { progress: Progress }[] = [];

  start(label: string, total: number, unit: string): ProgressHandle {
    const step = { progress: { label, done: 0, total, unit } };
    this.steps.push(step);
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
        const at = this.steps.indexOf(step);
        if (at >= 0) this.steps.splice(at, 1);
        this.show();
      },
    };
  }

  get busy(): boolean {
    return this.current !== null;
  }

  private show(): void {
    this.current = this.steps.at(-1)?.progress ?? null;
  }
}
