import { describe, expect, it } from 'vitest';
import { judgeReadiness, readinessPending, readinessReport } from '../src/readiness.ts';
import type { ReadinessResults } from '../src/readiness.ts';

const allOk: ReadinessResults = { camera: 'ok', microphone: 'ok', speaker: 'ok', network: 'ok', sound: 'ok' };

describe('judgeReadiness', () => {
  it('is ready when every check passed', () => {
    expect(judgeReadiness(allOk)).toEqual({ state: 'ready', failures: [], warnings: [] });
  });

  it('is checking before anything was measured, and while a check still measures', () => {
    expect(judgeReadiness(readinessPending).state).toBe('checking');
    expect(judgeReadiness({ ...allOk, microphone: 'pending' })).toEqual({
      state: 'checking',
      failures: [],
      warnings: [],
    });
  });

  it('is not ready with every failure in check order, even while others still measure', () => {
    expect(judgeReadiness({ ...allOk, sound: 'blocked', camera: 'not_found', network: 'pending' })).toEqual({
      state: 'not_ready',
      failures: [
        { check: 'camera', reason: 'not_found' },
        { check: 'sound', reason: 'blocked' },
      ],
      warnings: [],
    });
  });

  it('takes a speaker that was not heard (or could not be tested) as a warning only', () => {
    expect(judgeReadiness({ ...allOk, speaker: 'not_heard' })).toEqual({
      state: 'ready',
      failures: [],
      warnings: [{ check: 'speaker', reason: 'not_heard' }],
    });
    expect(judgeReadiness({ ...allOk, microphone: 'muted', speaker: 'untested' })).toEqual({
      state: 'not_ready',
      failures: [{ check: 'microphone', reason: 'muted' }],
      warnings: [{ check: 'speaker', reason: 'untested' }],
    });
  });
});

describe('readinessReport', () => {
  it('takes every check with a known result, nothing more', () => {
    expect(readinessReport.safeParse(allOk).success).toBe(true);
    expect(readinessReport.safeParse({ ...allOk, camera: 'on fire' }).success).toBe(false);
    expect(readinessReport.safeParse({ ...allOk, classroomId: 'another' }).success).toBe(false);
    const { sound: _sound, ...missing } = allOk;
    expect(readinessReport.safeParse(missing).success).toBe(false);
  });
});
