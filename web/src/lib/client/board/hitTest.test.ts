import { describe, expect, it } from 'vitest';
import type { BoardObject } from '@cloudschool/board';
import { hits, objectsAlong, segmentDistance, textBox, topmostAt } from './hitTest.ts';

const base = { by: 'host' as const };
const stroke = (id: string, z: number, points: [number, number, number][], width = 4): BoardObject => ({
  ...base,
  id,
  z,
  kind: 'stroke',
  tool: 'pen',
  color: '#000000',
  width,
  points,
});
const shape = (
  id: string,
  z: number,
  kind: 'line' | 'arrow' | 'rect' | 'ellipse',
  from: [number, number],
  to: [number, number],
  fill: string | null = null,
): BoardObject => ({
  ...base,
  id,
  z,
  kind: 'shape',
  shape: kind,
  from,
  to,
  color: '#000000',
  width: 4,
  fill,
});

describe('eraser hit testing', () => {
  it('measures the distance to a segment', () => {
    expect(segmentDistance({ x: 5, y: 3 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBe(3);
    expect(segmentDistance({ x: 13, y: 4 }, { x: 0, y: 0 }, { x: 10, y: 0 })).toBe(5);
    expect(segmentDistance({ x: 3, y: 4 }, { x: 0, y: 0 }, { x: 0, y: 0 })).toBe(5);
  });

  it('hits a stroke near its line, not far from it', () => {
    const s = stroke('o1', 1, [
      [100, 100, 0.5],
      [200, 100, 0.5],
      [200, 200, 0.5],
    ]);
    expect(hits(s, { x: 150, y: 105 }, 5)).toBe(true);
    expect(hits(s, { x: 204, y: 150 }, 5)).toBe(true);
    expect(hits(s, { x: 150, y: 150 }, 5)).toBe(false);
    expect(hits(stroke('o2', 2, [[10, 10, 0.5]]), { x: 14, y: 10 }, 3)).toBe(true);
  });

  it('hits rectangles and ellipses on their outline, inside only when filled', () => {
    const rect = shape('o1', 1, 'rect', [300, 300], [100, 100]);
    expect(hits(rect, { x: 100, y: 200 }, 3)).toBe(true);
    expect(hits(rect, { x: 200, y: 200 }, 3)).toBe(false);
    expect(hits(shape('o2', 2, 'rect', [100, 100], [300, 300], '#ff0000'), { x: 200, y: 200 }, 3)).toBe(true);

    const ellipse = shape('o3', 3, 'ellipse', [0, 0], [400, 200]);
    expect(hits(ellipse, { x: 400, y: 100 }, 3)).toBe(true);
    expect(hits(ellipse, { x: 200, y: 0 }, 3)).toBe(true);
    expect(hits(ellipse, { x: 200, y: 100 }, 3)).toBe(false);
    expect(hits(ellipse, { x: 0, y: 0 }, 3)).toBe(false);
    expect(hits(shape('o4', 4, 'ellipse', [0, 0], [400, 200], '#ff0000'), { x: 200, y: 100 }, 3)).toBe(true);
    // A flat ellipse is a line.
    expect(hits(shape('o5', 5, 'ellipse', [0, 50], [400, 50]), { x: 200, y: 52 }, 3)).toBe(true);
  });

  it('hits lines and arrows along them', () => {
    const arrow = shape('o1', 1, 'arrow', [0, 0], [100, 100]);
    expect(hits(arrow, { x: 50, y: 52 }, 3)).toBe(true);
    expect(hits(arrow, { x: 50, y: 70 }, 3)).toBe(false);
  });

  it('hits text in its box (wide characters take more room)', () => {
    const text: BoardObject = {
      ...base,
      id: 'o1',
      z: 1,
      kind: 'text',
      at: [100, 100],
      text: '勾股定理\nab',
      color: '#000000',
      size: 40,
    };
    expect(textBox([100, 100], '勾股定理\nab', 40)).toEqual({ x: 100, y: 100, width: 160, height: 100 });
    expect(hits(text, { x: 250, y: 120 }, 2)).toBe(true);
    expect(hits(text, { x: 300, y: 120 }, 2)).toBe(false);
    expect(textBox([0, 0], 'abcde', 10).width).toBe(30);
  });

  it('takes the topmost object the author may erase', () => {
    const low = {
      ...stroke('o1', 1, [
        [0, 0, 0.5],
        [100, 0, 0.5],
      ]),
    };
    const high: BoardObject = {
      ...stroke('o2', 2, [
        [50, -50, 0.5],
        [50, 50, 0.5],
      ]),
      by: 'classroom:c1',
    };
    expect(topmostAt([low, high], { x: 50, y: 0 }, 3)?.id).toBe('o2');
    expect(topmostAt([low, high], { x: 50, y: 0 }, 3, (o) => o.by === 'host')?.id).toBe('o1');
    expect(topmostAt([low, high], { x: 500, y: 500 }, 3)).toBeNull();
  });

  it('collects what a swipe crosses, even between two samples', () => {
    const a = shape('o1', 1, 'line', [100, 0], [100, 200]);
    const b = shape('o2', 2, 'line', [200, 0], [200, 200]);
    const c = shape('o3', 3, 'line', [600, 0], [600, 200]);
    const crossed = objectsAlong([a, b, c], { x: 0, y: 100 }, { x: 400, y: 100 }, 5).map((o) => o.id);
    expect(crossed).toEqual(['o1', 'o2']);
    expect(
      objectsAlong([a, b], { x: 0, y: 100 }, { x: 400, y: 100 }, 5, (o) => o.id === 'o2').map((o) => o.id),
    ).toEqual(['o2']);
  });
});
