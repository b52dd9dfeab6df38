/**
 * Drawing a board page on a 2D canvas: the sheet, its courseware background, its objects (bottom to
 * top), and what is not sequenced yet (strokes being drawn, the laser pointer). Page units are mapped by a
 * Transform (view.ts). The same code paints the pages' canvases in the browser and the board of a lesson's
 * exported video on the server (@napi-rs/canvas), so both show the same ink. It draws with the platform's
 * `Path2D` (the browser's; the server's renderer provides @napi-rs/canvas's).
 */
import { BOARD_PAGE_HEIGHT, BOARD_PAGE_WIDTH } from '../model.ts';
import type { BoardObject, BoardPage } from '../model.ts';
import { arrowHead, outlinePath, strokeOutline, type StrokeTool } from './outline.ts';
import { fitIntoPage, type Transform } from './view.ts';

/** Text layout shared by drawing and hit testing: lines of `size × TEXT_LINE_HEIGHT`, top-left at `at`. */
export const TEXT_LINE_HEIGHT = 1.25;
/** How opaque a highlighter stroke is drawn. */
export const HIGHLIGHTER_ALPHA = 0.35;

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

/** A picture's size in CSS pixels, its device pixel ratio and how the page maps onto it. */
export interface Surface {
  width: number;
  height: number;
  ratio: number;
  transform: Transform;
}

/**
 * A page as the board shows it, on a context whose backing store is the surface × its ratio: the surround,
 * the sheet with its background, the objects (but those `hidden`), clipped to the page.
 */
export function paintPage(
  ctx: CanvasRenderingContext2D,
  surface: Surface,
  page: BoardPage,
  background: BackgroundImage | null,
  hidden: (objectId: string) => boolean = () => false,
): void {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = SURROUND;
  ctx.fillRect(0, 0, Math.round(surface.width * surface.ratio), Math.round(surface.height * surface.ratio));
  applyTransform(ctx, surface.transform, surface.ratio);
  ctx.save();
  drawSheet(ctx, background);
  clipToPage(ctx);
  for (const object of page.objects) if (!hidden(object.id)) drawObject(ctx, object);
  ctx.restore();
}
