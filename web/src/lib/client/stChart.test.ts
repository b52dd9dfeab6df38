import { describe, expect, it } from 'vitest';
import { rtChFrame, rtChPoint, stCurvePoints } from './stChart.ts';

describe('the S-T figures', () => {
  it('draws the S-T curve from the origin, T to the right and S up, scaled to N', () => {
    // T, T, S, T: N = 4 in a 100-unit square, 25 units a sample.
    const curve = [
      { n: 1, t: 1 },
      { n: 2, t: 2 },
      { n: 3, t: 2 },
      { n: 4, t: 3 },
    ];
    expect(stCurvePoints(curve, 100)).toBe('0,100 25,100 50,100 50,75 75,75');
    expect(stCurvePoints([], 100)).toBe('0,100');
  });

  it('places (Rt, Ch) in the diagram and draws its regions', () => {
    expect(rtChPoint(0.65, 0.3, 200)).toEqual({ x: 130, y: 140 });
    expect(rtChPoint(1.2, -1, 200)).toEqual({ x: 200, y: 200 });
    const frame = rtChFrame(100);
    expect(frame.tent).toBe('0,100 50,0 100,100');
    expect(frame.lines).toContainEqual({ x1: 30, y1: 60, x2: 70, y2: 60 });
  });
});
