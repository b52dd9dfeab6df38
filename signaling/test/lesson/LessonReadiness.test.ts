import { describe, expect, it } from 'vitest';
import { READINESS_REPORT_MIN_MS } from '@cloudschool/protocol';
import type { ReadinessResults } from '@cloudschool/protocol';
import { AppError } from '../../src/errors.ts';
import { LessonReadiness } from '../../src/lesson/LessonReadiness.ts';
import { Roster } from '../../src/lesson/Roster.ts';
import type { Page } from '../../src/lesson/Roster.ts';

const allOk: ReadinessResults = { camera: 'ok', microphone: 'ok', speaker: 'ok', network: 'ok', sound: 'ok' };

function world() {
  const roster = new Roster('n1', { invitedClassroomIds: ['c1', 'c2'], classroomNames: new Map() });
  const told: Page[] = [];
  const readiness = new LessonReadiness(roster, (page) => told.push(page));
  const page = (peerId: string, classroomId: string | null, role: Page['role'] = 'classroom'): Page => {
    const p: Page = { peerId, role, displayName: peerId, classroomId, node: 'n1' };
    roster.add(p);
    return p;
  };
  return { roster, told, readiness, page };
}

describe('LessonReadiness', () => {
  it('has nothing for a classroom without a page, and checking for one that has not reported', () => {
    const { readiness, page } = world();
    expect(readiness.of('c1')).toBeNull();
    page('p1', 'c1');
    expect(readiness.of('c1')).toEqual({ state: 'checking', failures: [], warnings: [] });
  });

  it('keeps a report on the page and tells it', () => {
    const { readiness, page, roster, told } = world();
    const p = page('p1', 'c1');
    readiness.report(p, { ...allOk, camera: 'black' }, 10_000);
    expect(readiness.of('c1')).toEqual({
      state: 'not_ready',
      failures: [{ check: 'camera', reason: 'black' }],
      warnings: [],
    });
    expect(roster.local('p1')?.readiness?.camera).toBe('black');
    expect(told.map((t) => t.readiness?.camera)).toEqual(['black']);
    expect(readiness.of('c2')).toBeNull();
  });

  it('refuses a report sooner than READINESS_REPORT_MIN_MS after the last, changing nothing', () => {
    const { readiness, page, told } = world();
    const p = page('p1', 'c1');
    readiness.report(p, { ...allOk, sound: 'blocked' }, 10_000);
    expect(() => readiness.report(p, allOk, 10_000 + READINESS_REPORT_MIN_MS - 1)).toThrowError(AppError);
    expect(readiness.of('c1')?.state).toBe('not_ready');
    expect(told).toHaveLength(1);
    readiness.report(p, allOk, 10_000 + READINESS_REPORT_MIN_MS);
    expect(readiness.of('c1')?.state).toBe('ready');
  });

  it('refuses the host side', () => {
    const { readiness, page } = world();
    expect(() => readiness.report(page('h', null, 'host'), allOk, 0)).toThrowError(AppError);
    expect(() => readiness.report(page('o', null, 'observer'), allOk, 0)).toThrowError(AppError);
  });

  it('shows the newest connected page of a classroom while another takes over', () => {
    const { readiness, page, roster } = world();
    readiness.report(page('old', 'c1'), { ...allOk, network: 'slow' }, 0);
    const fresh = page('new', 'c1');
    expect(readiness.of('c1')?.state).toBe('checking');
    readiness.report(fresh, allOk, 0);
    expect(readiness.of('c1')?.state).toBe('ready');
    roster.add({ ...roster.local('new')!, reconnecting: true });
    expect(readiness.of('c1')?.state).toBe('not_ready');
  });
});
