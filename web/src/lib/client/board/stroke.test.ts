import { describe, expect, it } from 'vitest';
import { boardSchemas, boardStreamSchemas } from '@cloudschool/protocol';
import { BOARD_LIMITS, jsonBytes } from '@cloudschool/board';
import { boardPoint, newStrokeId, simulatedPressure, StrokeRecorder, type StrokeMessage } from './stroke.ts';

function recorder(first = boardPoint(10, 10, 0.5)) {
  const sent: StrokeMessage[] = [];
  let n = 0;
  const rec = new StrokeRecorder(
    'p0',
    { tool: 'pen', color: '#1f2328', width: 4 },
    first,
    (m) => sent.push(m),
    () => `s${++n}`,
  );
  return { rec, sent };
}

describe('strokes while drawn', () => {
  it('rounds points to 0.1 unit and the pressure to 0.01', () => {
    expect(boardPoint(12.345, -7.06, 0.4567)).toEqual([12.3, -7.1, 0.46]);
    expect(boardPoint(0, 0, 3)).toEqual([0, 0, 1]);
    expect(boardPoint(0, 0, -1)).toEqual([0, 0, 0]);
  });

  it('makes up a pressure from the speed: slow is heavy, fast is light', () => {
    expect(simulatedPressure(null, 0, 4)).toBe(0.5);
    let slow = 0.5;
    let fast = 0.5;
    for (let i = 0; i < 10; i++) {
      slow = simulatedPressure(slow, 0.5, 4);
      fast = simulatedPressure(fast, 40, 4);
    }
    expect(slow).toBeGreaterThan(0.8);
    expect(fast).toBeLessThan(0.35);
    expect(fast).toBeGreaterThanOrEqual(0);
  });

  it('makes stroke ids the protocol accepts', () => {
    for (let i = 0; i < 20; i++) expect(newStrokeId()).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it('begins at once, then sends the points gathered since the last flush, then the whole stroke', () => {
    const { rec, sent } = recorder();
    expect(sent).toEqual([
      {
        type: 'begin',
        payload: {
          strokeId: 's1',
          pageId: 'p0',
          tool: 'pen',
          color: '#1f2328',
          width: 4,
          points: [[10, 10, 0.5]],
        },
      },
    ]);
    rec.add(boardPoint(20, 10, 0.5));
    rec.add(boardPoint(30, 10, 0.6));
    rec.flush();
    rec.flush(); // nothing new: nothing sent
    rec.add(boardPoint(40, 12, 0.7));
    rec.finish();
    rec.finish(); // once
    expect(sent.map((m) => m.type)).toEqual(['begin', 'points', 'points', 'end']);
    expect(sent[1]).toEqual({
      type: 'points',
      payload: {
        strokeId: 's1',
        points: [
          [20, 10, 0.5],
          [30, 10, 0.6],
        ],
      },
    });
    const end = sent[3]!;
    expect(end.type === 'end' && end.payload.points).toHaveLength(4);
    for (const m of sent) {
      if (m.type === 'begin') boardStreamSchemas['board:stroke:begin'].parse(m.payload);
      if (m.type === 'points') boardStreamSchemas['board:stroke:points'].parse(m.payload);
      if (m.type === 'end') boardSchemas['board:stroke:end'].parse(m.payload);
    }
  });

  it('skips points too close to the last one', () => {
    const { rec } = recorder();
    expect(rec.add(boardPoint(10.2, 10.2, 0.5))).toBe(false);
    expect(rec.add(boardPoint(11, 10, 0.5))).toBe(true);
    expect(rec.points).toHaveLength(2);
  });

  it('sends a long batch in pieces the protocol takes', () => {
    const { rec, sent } = recorder();
    for (let i = 1; i <= 450; i++) rec.add(boardPoint(10 + i, 10, 0.5));
    rec.flush();
    const batches = sent.filter((m) => m.type === 'points');
    expect(batches.map((m) => (m.type === 'points' ? m.payload.points.length : 0))).toEqual([200, 200, 50]);
  });

  it('goes on as a new stroke when one is full, from the same spot', () => {
    const { rec, sent } = recorder(boardPoint(1000.5, 800.5, 0.55));
    const total = 5000;
    for (let i = 1; i < total; i++)
      rec.add(boardPoint(1000.5 + (i % 300) * 3.3, 800.5 + Math.floor(i / 300) * 1.7, 0.55));
    rec.finish();
    const ends = sent.flatMap((m) => (m.type === 'end' ? [m.payload] : []));
    expect(ends.length).toBeGreaterThan(2);
    for (const end of ends) {
      expect(jsonBytes(end)).toBeLessThanOrEqual(BOARD_LIMITS.opBytes);
      boardSchemas['board:stroke:end'].parse(end);
    }
    // Each stroke starts where the one before ended; every point is in exactly one stroke (joints twice).
    for (let i = 1; i < ends.length; i++) expect(ends[i]!.points[0]).toEqual(ends[i - 1]!.points.at(-1));
    expect(ends.reduce((sum, e) => sum + e.points.length, 0)).toBe(total + ends.length - 1);
    // begin → points… → end, per stroke id, in that order.
    const ids = new Set(ends.map((e) => e.strokeId));
    expect(ids.size).toBe(ends.length);
    const order = sent.map((m) => `${m.type}:${m.payload.strokeId}`);
    for (const id of ids) {
      const first = order.indexOf(`begin:${id}`);
      const last = order.indexOf(`end:${id}`);
      expect(first).toBeGreaterThanOrEqual(0);
      expect(order.slice(first, last + 1).every((x) => x.endsWith(`:${id}`))).toBe(true);
    }
  });
});
