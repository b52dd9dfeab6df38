/**
 * The shapes a stroke and an arrow are drawn with, in page units (pure, so every page draws the same
 * ink from the same operation). Strokes go through perfect-freehand: the pen thins and thickens with the
 * pressure of its points; the highlighter keeps one width.
 */
import { getStroke } from 'perfect-freehand';
import type { StrokeOptions } from 'perfect-freehand';

/** The two stroke tools: the pen follows pressure, the highlighter keeps one width. */
export type StrokeTool = 'pen' | 'highlighter';

type Sample = readonly [number, number, number];

export function strokeOptions(tool: StrokeTool, width: number, complete: boolean): StrokeOptions {
  return tool === 'pen'
    ? { size: width, thinning: 0.5, smoothing: 0.5, streamline: 0.4, simulatePressure: false, last: complete }
    : { size: width, thinning: 0, smoothing: 0.5, streamline: 0.4, simulatePressure: false, last: complete };
}

/** The outline polygon of a stroke (to be filled). */
export function strokeOutline(
  tool: StrokeTool,
  width: number,
  points: readonly Sample[],
  complete = true,
): [number, number][] {
  if (points.length === 0) return [];
  const input = points.map(([x, y, p]) => [x, y, p]);
  return getStroke(input, strokeOptions(tool, width, complete)) as [number, number][];
}

/**
 * An SVG path (smooth: quadratic curves through the midpoints) for an outline polygon; a Path2D takes
 * it as it is.
 */
export function outlinePath(outline: readonly [number, number][]): string {
  const n = outline.length;
  if (n === 0) return '';
  if (n < 3) {
    const [x, y] = outline[0]!;
    return `M${fmt(x)},${fmt(y)}Z`;
  }
  const mid = (a: [number, number], b: [number, number]): [number, number] => [
    (a[0] + b[0]) / 2,
    (a[1] + b[1]) / 2,
  ];
  const first = outline[0]!;
  const start = mid(first, outline[1]!);
  let d = `M${fmt(start[0])},${fmt(start[1])}`;
  for (let i = 1; i <= n; i++) {
    const p = outline[i % n]!;
    const m = mid(p, outline[(i + 1) % n]!);
    d += `Q${fmt(p[0])},${fmt(p[1])} ${fmt(m[0])},${fmt(m[1])}`;
  }
  return d + 'Z';
}

const fmt = (v: number): string => (Math.round(v * 100) / 100).toString();

/** The two short lines of an arrow's head at `to`, pointing away from `from`. */
export function arrowHead(
  from: readonly [number, number],
  to: readonly [number, number],
  width: number,
): [[number, number], [number, number]] {
  const angle = Math.atan2(to[1] - from[1], to[0] - from[0]);
  const length = Math.min(Math.max(width * 4, 18), Math.hypot(to[0] - from[0], to[1] - from[1]) * 0.6 || 18);
  const spread = Math.PI / 7;
  const wing = (side: number): [number, number] => [
    to[0] - length * Math.cos(angle + side * spread),
    to[1] - length * Math.sin(angle + side * spread),
  ];
  return [wing(1), wing(-1)];
}
