/**
 * Page units → pixels. A page is BOARD_PAGE_WIDTH × BOARD_PAGE_HEIGHT units; the host's view names the page
 * point shown at the centre of the board and a zoom (1 = the whole page fits). Every picture of the board
 * (the pages' canvases, an exported video) shows the same view, whatever its size.
 */
import { BOARD_PAGE_HEIGHT, BOARD_PAGE_WIDTH } from '../model.ts';
import type { BoardView } from '../model.ts';

/** How page units map to a picture of `width` × `height` pixels: screen = page × scale + offset. */
export interface Transform {
  scale: number;
  offsetX: number;
  offsetY: number;
}

/** The scale at which the whole page fits the picture (zoom 1). */
export function fitScale(width: number, height: number): number {
  if (width <= 0 || height <= 0) return 0;
  return Math.min(width / BOARD_PAGE_WIDTH, height / BOARD_PAGE_HEIGHT);
}

export function viewTransform(view: BoardView, width: number, height: number): Transform {
  const scale = fitScale(width, height) * view.zoom;
  return { scale, offsetX: width / 2 - view.x * scale, offsetY: height / 2 - view.y * scale };
}

/** The rectangle (x, y, width, height) an image of `w` × `h` takes when fitted into the page, centred. */
export function fitIntoPage(w: number, h: number): { x: number; y: number; width: number; height: number } {
  if (w <= 0 || h <= 0) return { x: 0, y: 0, width: BOARD_PAGE_WIDTH, height: BOARD_PAGE_HEIGHT };
  const s = Math.min(BOARD_PAGE_WIDTH / w, BOARD_PAGE_HEIGHT / h);
  const width = w * s;
  const height = h * s;
  return { x: (BOARD_PAGE_WIDTH - width) / 2, y: (BOARD_PAGE_HEIGHT - height) / 2, width, height };
}
