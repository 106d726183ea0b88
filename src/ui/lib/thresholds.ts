/** Keyboard and rounding rules shared by every control that moves a similarity threshold. */

/** Rounds to 0.001 (what the labels show) and keeps the value inside the axis domain. */
export function clampThreshold(value: number, [lo, hi]: readonly [number, number]): number {
  const rounded = Math.round(value * 1000) / 1000;
  return Math.min(hi, Math.max(lo, rounded));
}

/**
 * The change a key asks for: a signed step (arrows 0.005, with Shift or PageUp/PageDown 0.05),
 * 'min'/'max' for Home/End, or null for keys that do not move thresholds.
 */
export function thresholdKeyStep(event: Pick<KeyboardEvent, 'key' | 'shiftKey'>): number | 'min' | 'max' | null {
  const small = event.shiftKey ? 0.05 : 0.005;
  switch (event.key) {
    case 'ArrowRight':
    case 'ArrowUp':
      return small;
    case 'ArrowLeft':
    case 'ArrowDown':
      return -small;
    case 'PageUp':
      return 0.05;
    case 'PageDown':
      return -0.05;
    case 'Home':
      return 'min';
    case 'End':
      return 'max';
    default:
      return null;
  }
}
