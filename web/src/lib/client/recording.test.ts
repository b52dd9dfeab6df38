import { describe, expect, it } from 'vitest';
import { recordingElapsed } from './recording.ts';

describe('recordingElapsed', () => {
  const start = '2026-12-06T08:00:00.000Z';
  const at = (seconds: number): number => Date.parse(start) + seconds * 1000;

  it('counts mm:ss under an hour, h:mm:ss after', () => {
    expect(recordingElapsed(start, at(0))).toBe('00:00');
    expect(recordingElapsed(start, at(12.9))).toBe('00:12');
    expect(recordingElapsed(start, at(59 * 60 + 59))).toBe('59:59');
    expect(recordingElapsed(start, at(3600 + 2 * 60 + 3))).toBe('1:02:03');
  });

  it('never counts below zero (a server clock a moment behind) nor from a time it cannot read', () => {
    expect(recordingElapsed(start, at(-3))).toBe('00:00');
    expect(recordingElapsed('not a time', at(30))).toBe('00:00');
  });
});
