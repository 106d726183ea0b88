/** Canvas drawing cannot read CSS variables directly: these helpers resolve them and follow theme changes. */

/** Resolves any CSS colour (including `var(--clip)`) to an rgb() string in the context of `element`. */
export function resolveColor(element: Element, cssColor: string): string {
  const probe = document.createElement('span');
  probe.style.color = cssColor;
  probe.style.display = 'none';
  element.appendChild(probe);
  const resolved = getComputedStyle(probe).color;
  probe.remove();
  return resolved || cssColor;
}

/** The channels of an rgb()/rgba() string as written ("31", "111", "235", maybe alpha); null when it is not one. */
function channelsOf(rgb: string): string[] | null {
  const match = rgb.match(/rgba?\(([^)]+)\)/);
  return match ? match[1].split(/[,\s/]+/).filter(Boolean) : null;
}

/** The red, green and blue (0..255) of an rgb()/rgba() string; black when it is not one. */
export function rgbOf(rgb: string): [number, number, number] {
  const [r, g, b] = (channelsOf(rgb) ?? ['0', '0', '0']).map(Number);
  return [r, g, b];
}

/** Same colour with alpha, from an rgb()/rgba() string. */
export function withAlpha(rgb: string, alpha: number): string {
  const channels = channelsOf(rgb);
  if (!channels) return rgb;
  const [r, g, b] = channels;
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/**
 * Calls `onchange` when the colour scheme may have changed: the OS preference or the
 * `data-theme` attribute on <html>. Returns a function that stops watching.
 */
export function watchTheme(onchange: () => void): () => void {
  const media = matchMedia('(prefers-color-scheme: dark)');
  media.addEventListener('change', onchange);
  const observer = new MutationObserver(onchange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class', 'style'] });
  return () => {
    media.removeEventListener('change', onchange);
    observer.disconnect();
  };
}

/** Sizes a canvas for the device pixel ratio and returns a context scaled to CSS pixels. */
export function prepareCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const context = canvas.getContext('2d');
  context?.setTransform(ratio, 0, 0, ratio, 0, 0);
  return context;
}
