/**
 * A whole board page as an image in the browser (the PNG and PDF exports): painted by the shared painter
 * (@cloudschool/board/paint) on a canvas of its own.
 */
import { BOARD_PAGE_HEIGHT, BOARD_PAGE_WIDTH } from '@cloudschool/board';
import type { BoardObject } from '@cloudschool/board';
import { clipToPage, drawObject, drawSheet, type BackgroundImage } from '@cloudschool/board/paint';

/** A whole page (sheet, background, objects) as drawn on the board, into a canvas of the page's size × `scale`. */
export function renderPageImage(
  objects: readonly BoardObject[],
  background: BackgroundImage | null,
  scale = 1,
): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(BOARD_PAGE_WIDTH * scale);
  canvas.height = Math.round(BOARD_PAGE_HEIGHT * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) return canvas;
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  drawSheet(ctx, background);
  clipToPage(ctx);
  for (const object of objects) drawObject(ctx, object);
  return canvas;
}
