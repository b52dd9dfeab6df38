/**
 * The Whiteboard's two canvases, painted at the device's pixel ratio: the page layer (the sheet, its
 * courseware, the sequenced objects) and, on top, the live layer (this page's writes not sequenced yet,
 * strokes being drawn here and elsewhere, a gesture in progress, laser pointers, the eraser's ring).
 * Browser only (canvas); what to paint comes in as plain data, painted by the shared painter.
 */
import type { BoardObject, BoardPage } from '@cloudschool/board';
import {
  applyTransform,
  clipToPage,
  drawInk,
  drawLaser,
  drawObject,
  paintPage,
  type BackgroundImage,
  type Surface,
} from '@cloudschool/board/paint';
import type { BoardFollower } from './BoardFollower.ts';
import { ERASER_REACH_PX, type GesturePreview } from './gesture.ts';

/** An object about to be erased: drawn translucent, in a warning colour. */
const ERASING_COLOR = '#ff6b6b';
const ERASING_ALPHA = 0.55;

/** The canvas sized to the surface, or null when there is nothing to paint on. */
function sized(canvas: HTMLCanvasElement, surface: Surface): CanvasRenderingContext2D | null {
  if (surface.width === 0 || surface.height === 0) return null;
  const w = Math.max(1, Math.round(surface.width * surface.ratio));
  const h = Math.max(1, Math.round(surface.height * surface.ratio));
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  return canvas.getContext('2d');
}

export function paintPageLayer(
  canvas: HTMLCanvasElement,
  surface: Surface,
  page: BoardPage,
  background: BackgroundImage | null,
  /** Objects this page erased, hidden until the erase is sequenced. */
  hidden: (objectId: string) => boolean,
): void {
  const ctx = sized(canvas, surface);
  if (!ctx) return;
  paintPage(ctx, surface, page, background, hidden);
}

export function paintLiveLayer(
  canvas: HTMLCanvasElement,
  surface: Surface,
  pageId: string,
  board: Pick<BoardFollower, 'pendingOn' | 'live' | 'drawing' | 'lasers' | 'ownLaser'>,
  preview: GesturePreview,
): void {
  const ctx = sized(canvas, surface);
  if (!ctx) return;
  const { transform, ratio } = surface;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  applyTransform(ctx, transform, ratio);
  ctx.save();
  clipToPage(ctx);
  for (const object of board.pendingOn(pageId)) drawObject(ctx, object);
  for (const ink of board.live.values()) if (ink.pageId === pageId) drawInk(ctx, ink);
  const drawing = board.drawing;
  if (drawing && drawing.pageId === pageId) drawInk(ctx, { ...drawing.style, points: drawing.points });
  if (preview.shape) drawObject(ctx, preview.shape);
  ctx.globalAlpha = ERASING_ALPHA;
  for (const object of preview.erasing) drawObject(ctx, tinted(object));
  ctx.globalAlpha = 1;
  ctx.restore();
  for (const dot of board.lasers.values()) if (dot.pageId === pageId) drawLaser(ctx, transform, dot.x, dot.y);
  const own = board.ownLaser;
  if (own && own.pageId === pageId) drawLaser(ctx, transform, own.x, own.y);
  if (preview.ring) {
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.strokeStyle = 'rgb(224 49 49 / 0.8)';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(preview.ring.x, preview.ring.y, ERASER_REACH_PX, 0, Math.PI * 2);
    ctx.stroke();
  }
}

function tinted(object: BoardObject): BoardObject {
  return { ...object, color: ERASING_COLOR };
}
