/**
 * Screen pixels → page units and the host's view (zoom, pan) as the board's controls change it; page units →
 * pixels (`viewTransform`) is the shared painter's (@cloudschool/board/paint).
 */
import { BOARD_COORD_MAX, DEFAULT_VIEW } from '@cloudschool/board';
import type { BoardView } from '@cloudschool/board';
import type { Transform } from '@cloudschool/board/paint';

export const ZOOM_MIN = 0.1;
export const ZOOM_MAX = 10;
/** One press of zoom in / out. */
export const ZOOM_STEP = 1.25;

export interface Point {
  x: number;
  y: number;
}

export function toScreen(t: Transform, p: Point): Point {
  return { x: p.x * t.scale + t.offsetX, y: p.y * t.scale + t.offsetY };
}

export function toPage(t: Transform, p: Point): Point {
  if (t.scale === 0) return { x: 0, y: 0 };
  return { x: (p.x - t.offsetX) / t.scale, y: (p.y - t.offsetY) / t.scale };
}

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/** A protocol-valid view: zoom within its bounds, the centre within the coordinate range, rounded. */
export function normalView(view: BoardView): BoardView {
  const round = (v: number, digits: number): number => Math.round(v * 10 ** digits) / 10 ** digits;
  return {
    zoom: round(clamp(view.zoom, ZOOM_MIN, ZOOM_MAX), 4),
    x: round(clamp(view.x, -BOARD_COORD_MAX, BOARD_COORD_MAX), 1),
    y: round(clamp(view.y, -BOARD_COORD_MAX, BOARD_COORD_MAX), 1),
  };
}

/** Zoomed by `factor` around the view's centre. */
export function zoomedView(view: BoardView, factor: number): BoardView {
  return normalView({ ...view, zoom: view.zoom * factor });
}

/** Moved so that the page follows a drag of (dx, dy) screen pixels. */
export function pannedView(view: BoardView, t: Transform, dx: number, dy: number): BoardView {
  if (t.scale === 0) return view;
  return normalView({ ...view, x: view.x - dx / t.scale, y: view.y - dy / t.scale });
}

export function isDefaultView(view: BoardView): boolean {
  return view.zoom === DEFAULT_VIEW.zoom && view.x === DEFAULT_VIEW.x && view.y === DEFAULT_VIEW.y;
}
