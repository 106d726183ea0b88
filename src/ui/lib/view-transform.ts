/** The zoom/pan state two synchronised image frames share (CSS transform: translate(x, y) scale(k)). */

export interface ViewTransform {
  k: number;
  x: number;
  y: number;
}

export const minZoom = 1;
export const maxZoom = 16;

export function resetView(): ViewTransform {
  return { k: 1, x: 0, y: 0 };
}

/** Zooms by `factor` keeping the frame point (px, py) fixed; back at 1x the view is re-centred. */
export function zoomAt(view: ViewTransform, factor: number, px: number, py: number): ViewTransform {
  const k = Math.min(maxZoom, Math.max(minZoom, view.k * factor));
  if (k === minZoom) return resetView();
  const ratio = k / view.k;
  return { k, x: px - (px - view.x) * ratio, y: py - (py - view.y) * ratio };
}

/** Moves the zoomed image; at 1x there is nothing to pan. */
export function panBy(view: ViewTransform, dx: number, dy: number): ViewTransform {
  if (view.k === minZoom) return view;
  return { k: view.k, x: view.x + dx, y: view.y + dy };
}
