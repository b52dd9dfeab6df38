/**
 * Page units ↔ screen pixels. A page is BOARD_PAGE_WIDTH × BOARD_PAGE_HEIGHT units; the host's view
 * names the page point shown at the centre of the board and a zoom (1 = the whole page fits). Every
 * page (host and classrooms) shows the same view, whatever the size of its board element.
 */
import { BOARD_COORD_MAX, BOARD_PAGE_HEIGHT, BOARD_PAGE_WIDTH, DEFAULT_VIEW } from '@cloudschool/board';
import type { BoardView } from '@cloudschool/board';

export const ZOOM_MIN = 0.1;
export const ZOOM_MAX = 10;
/** One press of zoom in / out. */
export const ZOOM_STEP = 1.25;

/** How page units map to an element of `width` × `height` CSS pixels: screen = page × scale + offset. */
export interface Transform {
  scale: number;
  offsetX: number;
  offsetY: number;
}

export interface Point {
  x: number;
  y: number;
}

/** The scale at which the whole page fits the element (zoom 1). */
export function fitScale(width: number, height: number): number {
  if (width <= 0 || height <= 0) return 0;
  return Math.min(width / BOARD_PAGE_WIDTH, height / BOARD_PAGE_HEIGHT);
}

export function viewTransform(view: BoardView, width: number, height: number): Transform {
  const scale = fitScale(width, height) * view.zoom;
  return { scale, offsetX: width / 2 - view.x * scale, offsetY: height / 2 - view.y * scale };
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

/** The rectangle (x, y, width, height) an image of `w` × `h` takes when fitted into the page, centred. */
export function fitIntoPage(w: number, h: number): { x: number; y: number; width: number; height: number } {
  if (w <= 0 || h <= 0) return { x: 0, y: 0, width: BOARD_PAGE_WIDTH, height: BOARD_PAGE_HEIGHT };
  const s = Math.min(BOARD_PAGE_WIDTH / w, BOARD_PAGE_HEIGHT / h);
  const width = w * s;
  const height = h * s;
  return { x: (BOARD_PAGE_WIDTH - width) / 2, y: (BOARD_PAGE_HEIGHT - height) / 2, width, height };
}
