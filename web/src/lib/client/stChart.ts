/**
 * Geometry of the report's two S-T figures (signaling/src/domain/stAnalysis.ts computes the figures):
 * the S-T curve (T samples to the right, S samples up, one step per sample, both axes to N) and the Rt-Ch
 * diagram (Rt across, Ch up) with the four types' regions. Pure: SVG coordinates in a square of `size`.
 */

export interface CurvePoint {
  n: number;
  t: number;
}

/** The S-T curve as an SVG polyline's points, from the origin; y grows downwards in SVG. */
export function stCurvePoints(curve: readonly CurvePoint[], size: number): string {
  const n = curve.at(-1)?.n ?? 0;
  const scale = n > 0 ? size / n : 0;
  const xy = (t: number, s: number): string => `${round(t * scale)},${round(size - s * scale)}`;
  return [xy(0, 0), ...curve.map((p) => xy(p.t, p.n - p.t))].join(' ');
}

/** Where a lesson's (Rt, Ch) falls in the diagram. */
export function rtChPoint(rt: number, ch: number, size: number): { x: number; y: number } {
  return { x: round(clamp(rt) * size), y: round(size - clamp(ch) * size) };
}

/**
 * The diagram's frame: Ch can reach at most 2·Rt and 2·(1 − Rt) (runs alternate: at most twice the rarer
 * side's samples), a tent; lines at Rt = 0.3 and 0.7, and Ch = 0.4 between them.
 */
export function rtChFrame(size: number): {
  tent: string;
  lines: { x1: number; y1: number; x2: number; y2: number }[];
} {
  const p = (rt: number, ch: number): { x: number; y: number } => rtChPoint(rt, ch, size);
  const tent = [p(0, 0), p(0.5, 1), p(1, 0)].map(({ x, y }) => `${x},${y}`).join(' ');
  const line = (a: { x: number; y: number }, b: { x: number; y: number }) => ({
    x1: a.x,
    y1: a.y,
    x2: b.x,
    y2: b.y,
  });
  return {
    tent,
    lines: [line(p(0.3, 0), p(0.3, 0.6)), line(p(0.7, 0), p(0.7, 0.6)), line(p(0.3, 0.4), p(0.7, 0.4))],
  };
}

const clamp = (v: number): number => Math.min(1, Math.max(0, v));
const round = (v: number): number => Math.round(v * 10) / 10;
