/**
 * Where a frame's main-thread time goes, from Long Animation Frame entries (Chromium reports
 * frames over 50 ms): scripts (by invoker), style and layout, and the rest of rendering (paint,
 * commit). Frames under 50 ms are not reported, so `frames` counts only long ones.
 */

interface ScriptTiming {
  duration: number;
  invoker: string;
  forcedStyleAndLayoutDuration: number;
}
interface LongFrame extends PerformanceEntry {
  renderStart: number;
  styleAndLayoutStart: number;
  scripts: ScriptTiming[];
}

export interface FrameProfile {
  long_frames: number;
  mean_long_frame_ms: number;
  /** Mean per long frame: scripts before rendering, rAF and observers, style + layout, the rest (paint, commit). */
  mean_script_ms: number;
  mean_before_layout_ms: number;
  mean_style_layout_paint_ms: number;
  /** Scripts by invoker (e.g. "Worker.onmessage", "FrameRequestCallback"), total ms over the drag. */
  script_ms_by_invoker: Record<string, number>;
}

/** Starts collecting; `stop` returns the summary. */
export function profileFrames(): { stop(): FrameProfile } {
  const entries: LongFrame[] = [];
  const observer = new PerformanceObserver((list) => entries.push(...(list.getEntries() as LongFrame[])));
  try {
    observer.observe({ type: 'long-animation-frame', buffered: false });
  } catch {
    // Not supported: the profile stays empty.
  }
  return {
    stop() {
      observer.disconnect();
      const count = entries.length || 1;
      const byInvoker: Record<string, number> = {};
      let script = 0;
      let beforeLayout = 0;
      let render = 0;
      let total = 0;
      for (const e of entries) {
        const end = e.startTime + e.duration;
        total += e.duration;
        render += e.styleAndLayoutStart ? end - e.styleAndLayoutStart : 0;
        beforeLayout += e.renderStart && e.styleAndLayoutStart ? e.styleAndLayoutStart - e.renderStart : 0;
        for (const s of e.scripts) {
          script += s.duration;
          const key = s.invoker.replace(/\?.*$/, '');
          byInvoker[key] = Math.round(((byInvoker[key] ?? 0) + s.duration) * 10) / 10;
        }
      }
      const r = (x: number) => Number((x / count).toFixed(2));
      return {
        long_frames: entries.length,
        mean_long_frame_ms: r(total),
        mean_script_ms: r(script),
        mean_before_layout_ms: r(beforeLayout),
        mean_style_layout_paint_ms: r(render),
        script_ms_by_invoker: byInvoker,
      };
    },
  };
}
