/**
 * The object eraser's geometry: which objects of a page a point (or a swipe) touches, in page units.
 * Strokes and lines are hit near their line, rectangles and ellipses near their outline (anywhere
 * inside when filled), text anywhere in its box.
 */
import type { BoardObject } from '@cloudschool/board';
import { TEXT_LINE_HEIGHT } from '@cloudschool/board/paint';
import type { Point } from './transform.ts';

/** Wide (CJK, full-width) characters take about 1 em, others about 0.6 em. */
function charWidth(ch: string): number {
  const code = ch.codePointAt(0) ?? 0;
  const wide =
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    code >= 0x1f300;
  return wide ? 1 : 0.6;
}

/** The box a text object takes (an estimate: the same on every page, whatever fonts it has). */
export function textBox(at: readonly [number, number], text: string, size: number) {
  const lines = text.split('\n');
  const em = Math.max(...lines.map((line) => [...line].reduce((sum, ch) => sum + charWidth(ch), 0)));
  return { x: at[0], y: at[1], width: em * size, height: lines.length * size * TEXT_LINE_HEIGHT };
}

/** Distance from p to the segment a–b. */
export function segmentDistance(p: Point, a: Point, b: Point): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  return Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

const pt = (xy: readonly [number, number] | readonly [number, number, number]): Point => ({
  x: xy[0],
  y: xy[1],
});

/** Whether `p` touches the object, `tolerance` page units around what is drawn. */
export function hits(object: BoardObject, p: Point, tolerance: number): boolean {
  switch (object.kind) {
    case 'stroke': {
      const reach = object.width / 2 + tolerance;
      const points = object.points;
      if (points.length === 1) return Math.hypot(p.x - points[0]![0], p.y - points[0]![1]) <= reach;
      for (let i = 1; i < points.length; i++) {
        if (segmentDistance(p, pt(points[i - 1]!), pt(points[i]!)) <= reach) return true;
      }
      return false;
    }
    case 'shape': {
      const reach = object.width / 2 + tolerance;
      const from = pt(object.from);
      const to = pt(object.to);
      if (object.shape === 'line' || object.shape === 'arrow') return segmentDistance(p, from, to) <= reach;
      const left = Math.min(from.x, to.x);
      const right = Math.max(from.x, to.x);
      const top = Math.min(from.y, to.y);
      const bottom = Math.max(from.y, to.y);
      if (object.shape === 'rect') {
        const inside = p.x >= left && p.x <= right && p.y >= top && p.y <= bottom;
        if (inside && object.fill !== null) return true;
        const corners = [
          { x: left, y: top },
          { x: right, y: top },
          { x: right, y: bottom },
          { x: left, y: bottom },
        ];
        return corners.some((c, i) => segmentDistance(p, c, corners[(i + 1) % 4]!) <= reach);
      }
      const cx = (left + right) / 2;
      const cy = (top + bottom) / 2;
      const rx = (right - left) / 2;
      const ry = (bottom - top) / 2;
      if (rx < 1e-6 || ry < 1e-6) {
        return segmentDistance(p, { x: left, y: top }, { x: right, y: bottom }) <= reach;
      }
      const dx = p.x - cx;
      const dy = p.y - cy;
      const r = Math.hypot(dx / rx, dy / ry);
      if (r <= 1 && object.fill !== null) return true;
      if (r === 0) return Math.min(rx, ry) <= reach;
      // Along the ray from the centre: how far p is from where it crosses the outline.
      return Math.hypot(dx, dy) * Math.abs(1 - 1 / r) <= reach;
    }
    case 'text': {
      const box = textBox(object.at, object.text, object.size);
      return (
        p.x >= box.x - tolerance &&
        p.x <= box.x + box.width + tolerance &&
        p.y >= box.y - tolerance &&
        p.y <= box.y + box.height + tolerance
      );
    }
  }
}

/** The topmost object at `p` that `may` allows (a classroom erases only its own), or null. */
export function topmostAt(
  objects: readonly BoardObject[],
  p: Point,
  tolerance: number,
  may: (object: BoardObject) => boolean = () => true,
): BoardObject | null {
  for (let i = objects.length - 1; i >= 0; i--) {
    const object = objects[i]!;
    if (may(object) && hits(object, p, tolerance)) return object;
  }
  return null;
}

/** Every object that `may` allows touched by a swipe from a to b. */
export function objectsAlong(
  objects: readonly BoardObject[],
  a: Point,
  b: Point,
  tolerance: number,
  may: (object: BoardObject) => boolean = () => true,
): BoardObject[] {
  const steps = Math.max(1, Math.ceil(Math.hypot(b.x - a.x, b.y - a.y) / Math.max(tolerance, 1)));
  const touched: BoardObject[] = [];
  for (const object of objects) {
    if (!may(object)) continue;
    for (let i = 0; i <= steps; i++) {
      const t = i / steps;
      if (hits(object, { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t }, tolerance)) {
        touched.push(object);
        break;
      }
    }
  }
  return touched;
}
