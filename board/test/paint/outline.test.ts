import { describe, expect, it } from 'vitest';
import { arrowHead, outlinePath, strokeOutline } from '../../src/paint/outline.ts';

const line = (pressure: number): [number, number, number][] =>
  Array.from({ length: 20 }, (_, i) => [100 + i * 10, 200, pressure]);

const spread = (outline: [number, number][]): number =>
  Math.max(...outline.map((p) => p[1])) - Math.min(...outline.map((p) => p[1]));

describe('stroke outlines', () => {
  it('draws the same outline from the same points (every page the same ink)', () => {
    expect(strokeOutline('pen', 4, line(0.5))).toEqual(strokeOutline('pen', 4, line(0.5)));
  });

  it('thickens a pen stroke with pressure, not a highlighter stroke', () => {
    expect(spread(strokeOutline('pen', 8, line(0.9)))).toBeGreaterThan(
      spread(strokeOutline('pen', 8, line(0.2))),
    );
    expect(spread(strokeOutline('highlighter', 24, line(0.9)))).toBeCloseTo(
      spread(strokeOutline('highlighter', 24, line(0.2))),
      5,
    );
  });

  it('has an outline about as wide as the stroke', () => {
    const width = spread(strokeOutline('highlighter', 24, line(0.5)));
    expect(width).toBeGreaterThan(20);
    expect(width).toBeLessThan(28);
  });

  it('draws a single point as a dot and nothing as nothing', () => {
    expect(strokeOutline('pen', 4, [])).toEqual([]);
    expect(strokeOutline('pen', 4, [[10, 10, 0.5]]).length).toBeGreaterThan(2);
  });

  it('turns an outline into a closed smooth path', () => {
    expect(outlinePath([])).toBe('');
    const d = outlinePath([
      [0, 0],
      [10, 0],
      [10, 10],
      [0, 10],
    ]);
    expect(d.startsWith('M5,0')).toBe(true);
    expect(d.endsWith('Z')).toBe(true);
    expect(d.match(/Q/g)).toHaveLength(4);
  });

  it('puts an arrow’s head at its end, pointing back along it', () => {
    const [a, b] = arrowHead([0, 0], [100, 0], 4);
    expect(a[0]).toBeLessThan(100);
    expect(b[0]).toBeLessThan(100);
    expect(a[1]).toBeCloseTo(-b[1], 9);
  });
});
