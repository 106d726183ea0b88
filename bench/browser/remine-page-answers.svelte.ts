/**
 * Instrument for bench/browser/remine-page.ts: a rune effect that timestamps every answer the
 * Mining state delivers, in the same flush as the views. A `.svelte.ts` module because
 * `$effect.root` needs the Svelte compiler.
 */
import type { Mining } from '../../src/app/mining.svelte.ts';

/** One answer assigned to `mining.answer`, seen by an effect in the same flush as the views. */
export interface Delivery {
  version: number;
  /** The miner's own time for the selection, bins and page (`PairViewAnswer.elapsedMs`). */
  workerMs: number;
  /** When the effect flush that also updated the views ran. */
  flushedAt: number;
  /** After that flush, with style and layout forced: every view's DOM holds this answer. */
  laidOutAt?: number;
}

/** Records every answer `mining` delivers from now on; `stop` ends the effect. */
export function watchAnswers(mining: Mining, into: Delivery[]): () => void {
  return $effect.root(() => {
    $effect(() => {
      const answer = mining.answer;
      if (!answer) return;
      const delivery: Delivery = { version: answer.version, workerMs: answer.elapsedMs, flushedAt: performance.now() };
      into.push(delivery);
      // A microtask queued here runs once this flush (the views' template effects included) is done.
      queueMicrotask(() => {
        void document.body.getBoundingClientRect();
        delivery.laidOutAt = performance.now();
      });
    });
  });
}
