/**
 * Drawing a board page on a 2D canvas: the sheet, its courseware background, its objects (bottom to
 * top), and on top what is not sequenced yet (strokes being drawn, the laser pointer). Page units are
 * mapped by a Transform (transform.ts). Browser only (Path2D).
 */
import { BOARD_PAGE_HEIGHT, BOARD_PAGE_WIDTH } from '@cloudschool/board';
import type { BoardObject } from '@cloudschool/board';
import { TEXT_LINE_HEIGHT } from './hitTest.ts';
import { arrowHead, outlinePath, strokeOutline } from './outline.ts';
import type { StrokeTool } from './stroke.ts';
import { HIGHLIGHTER_ALPHA } from './tools.ts';
import { fitIntoPage, type Transform } from './transform.ts';

/** A courseware page ready to draw, with its size in pixels. */
export interface BackgroundImage {
  image: CanvasImageSource;
  width: number;
  height: number;
}

/** A stroke not yet on the board: being drawn here or on another page. */
export interface InkInProgress {
  tool: StrokeTool;
  color: string;
  width: number;
  points: readonly (readonly [number, number, number])[];
}

export const SURROUND = '#1b1f24';
export const SHEET = '#ffffff';
export const TEXT_FONT =
  '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif';

const paths = new WeakMap<BoardObject, Path2D>();

function strokePath(object: Extract<BoardObject, { kind: 'stroke' }>): Path2D {
  let path = paths.get(object);
  if (!path) {
    path = new Path2D(outlinePath(strokeOutline(object.tool, object.width, object.points)));
    paths.set(object, path);
  }
  return path;
}

/** Maps page units onto the canvas (whose backing store is `ratio` × its CSS size). */
export function applyTransform(ctx: CanvasRenderingContext2D, t: Transform, ratio: number): void {
  ctx.setTransform(t.scale * ratio, 0, 0, t.scale * ratio, t.offsetX * ratio, t.offsetY * ratio);
}

/** The sheet and its background; `clip` leaves the context clipped to the page (restore() undoes it). */
export function drawSheet(ctx: CanvasRenderingContext2D, background: BackgroundImage | null): void {
  ctx.fillStyle = SHEET;
  ctx.fillRect(0, 0, BOARD_PAGE_WIDTH, BOARD_PAGE_HEIGHT);
  if (background) {
    const box = fitIntoPage(background.width, background.height);
    ctx.drawImage(background.image, box.x, box.y, box.width, box.height);
  }
}

export function clipToPage(ctx: CanvasRenderingContext2D): void {
  ctx.beginPath();
  ctx.rect(0, 0, BOARD_PAGE_WIDTH, BOARD_PAGE_HEIGHT);
  ctx.clip();
}

export function drawObject(ctx: CanvasRenderingContext2D, object: BoardObject): void {
  ctx.save();
  switch (object.kind) {
    case 'stroke':
      ctx.fillStyle = object.color;
      if (object.tool === 'highlighter') ctx.globalAlpha = HIGHLIGHTER_ALPHA;
      ctx.fill(strokePath(object));
      break;
    case 'shape':
      drawShape(ctx, object);
      break;
    case 'text':
      ctx.fillStyle = object.color;
      ctx.font = `${object.size}px ${TEXT_FONT}`;
      ctx.textBaseline = 'top';
      object.text.split('\n').forEach((line, i) => {
        ctx.fillText(line, object.at[0], object.at[1] + i * object.size * TEXT_LINE_HEIGHT);
      });
      break;
  }
  ctx.restore();
}

function drawShape(ctx: CanvasRenderingContext2D, shape: Extract<BoardObject, { kind: 'shape' }>): void {
  const [x1, y1] = shape.from;
  const [x2, y2] = shape.to;
  ctx.strokeStyle = shape.color;
  ctx.lineWidth = shape.width;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  switch (shape.shape) {
    case 'line':
      ctx.moveTo(x1, y1);
      ctx.lineTo(x2, y2);
      break;
    case 'arrow': {
      const [a, b] = arrowHead(shape.from, shape.to, shape.width);
      ctx.moveTo(x1, y1);
      ctx.lineTo(x2, y2);
      ctx.moveTo(a[0], a[1]);
      ctx.lineTo(x2, y2);
      ctx.lineTo(b[0], b[1]);
      break;
    }
    case 'rect':
      ctx.rect(Math.min(x1, x2), Math.min(y1, y2), Math.abs(x2 - x1), Math.abs(y2 - y1));
      break;
    case 'ellipse':
      ctx.ellipse(
        (x1 + x2) / 2,
        (y1 + y2) / 2,
        Math.abs(x2 - x1) / 2,
        Math.abs(y2 - y1) / 2,
        0,
        0,
        Math.PI * 2,
      );
      break;
  }
  if (shape.fill !== null && (shape.shape === 'rect' || shape.shape === 'ellipse')) {
    ctx.fillStyle = shape.fill;
    ctx.fill();
  }
  ctx.stroke();
}

export function drawInk(ctx: CanvasRenderingContext2D, ink: InkInProgress): void {
  if (ink.points.length === 0) return;
  ctx.save();
  ctx.fillStyle = ink.color;
  if (ink.tool === 'highlighter') ctx.globalAlpha = HIGHLIGHTER_ALPHA;
  ctx.fill(new Path2D(outlinePath(strokeOutline(ink.tool, ink.width, ink.points, false))));
  ctx.restore();
}

/** A laser dot at a page point, its size in screen pixels whatever the zoom. */
export function drawLaser(ctx: CanvasRenderingContext2D, t: Transform, x: number, y: number, fade = 1): void {
  const r = 9 / Math.max(t.scale, 1e-6);
  ctx.save();
  ctx.globalAlpha = fade;
  ctx.fillStyle = 'rgb(255 40 40 / 0.35)';
  ctx.beginPath();
  ctx.arc(x, y, r * 2.2, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = '#ff2020';
  ctx.beginPath();
  ctx.arc(x, y, r, 0, Math.PI * 2);
  ctx.fill();
  ctx.restore();
}

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
