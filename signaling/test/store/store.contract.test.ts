import { beforeEach, describe, expect, it } from 'vitest';
import type { Account, Classroom, Lesson, Presence, School } from '../../src/domain/types.ts';
import { CorruptRecordError, InvalidRecordError } from '../../src/store/records.ts';
import { ConflictError } from '../../src/store/Store.ts';
import type { Store } from '../../src/store/Store.ts';
import { storeFactories, storePerTest } from '../support/stores.ts';

const HOUR = 60 * 60 * 1000;
const T = Date.UTC(2026, 10, 30, 8, 0); // Monday 30 November 2026, 16:00 in Beijing

function school(n: number, name = `School ${n}`): School {
  return {
    id: `school-${n}`,
    name,
    province: '云南省',
    city: '昆明市',
    district: '五华区',
    timeZone: 'Asia/Shanghai',
  };
}

function classroom(n: number, code: string, overrides: Partial<Classroom> = {}): Classroom {
  return {
    id: `classroom-${n}`,
    schoolId: `school-${n % 200}`,
    name: `初二(${n})班`,
    kind: n === 0 ? 'host' : 'remote',
    notes: '',
    code,
    ...overrides,
  };
}

function account(n: number, username: string, overrides: Partial<Account> = {}): Account {
  return {
    id: `account-${n}`,
    username,
    displayName: `老师 ${n}`,
    role: 'teacher',
    passwordHash: 'scrypt$abc$def',
    createdAt: T - 10 * HOUR,
    ...overrides,
  };
}

function lesson(id: string, startsAt: number, endsAt: number, overrides: Partial<Lesson> = {}): Lesson {
  return {
    id,
    title: `数学 ${id}`,
    subject: 'math',
    grade: '8',
    hostClassroomId: 'classroom-0',
    hostTeacherId: 'account-1',
    startsAt,
    endsAt,
    invitedClassroomIds: ['classroom-1', 'classroom-2'],
    seriesId: null,
    status: 'scheduled',
    startedAt: null,
    endedAt: null,
    createdBy: 'account-1',
    createdAt: T - 48 * HOUR,
    updatedAt: T - 48 * HOUR,
    ...overrides,
  };
}

function presence(connectionId: string, lastSeen: number, lessonId = 'lesson-1'): Presence {
  return { lessonId, classroomId: 'classroom-1', connectionId, nodeId: 'node-a', lastSeen };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(storeFactories())('$name store contract', (factory) => {
  const suite = storePerTest(factory);
  const open = () => suite.open();
  let store: Store;

  beforeEach(() => {
    store = suite.store;
  });

  it('says what it is', () => {
    expect(store.kind).toBe(factory.name);
  });

  describe('schools', () => {
    it('round-trip, replace and list by id', async () => {
      expect(await store.getSchool('school-1')).toBeUndefined();
      expect(await store.listSchools()).toEqual([]);
      await store.putSchool(school(2));
      await store.putSchool(school(1));
      await store.putSchool(school(1, '第一中学'));
      expect(await store.getSchool('school-1')).toEqual(school(1, '第一中学'));
      expect(await store.listSchools()).toEqual([school(1, '第一中学'), school(2)]);
    });

    it('reading a corrupted record fails loudly', async () => {
      await store.putSchool(school(1));
      await suite.location.corruptSchool('school-1');
      await expect(store.getSchool('school-1')).rejects.toBeInstanceOf(CorruptRecordError);
      await expect(store.listSchools()).rejects.toBeInstanceOf(CorruptRecordError);
    });
  });

  describe('classrooms', () => {
    it('round-trip by id and by code, list by id', async () => {
      await store.putClassroom(classroom(2, 'B2'));
      await store.putClassroom(classroom(1, 'A1'));
      expect(await store.getClassroom('classroom-1')).toEqual(classroom(1, 'A1'));
      expect(await store.getClassroomByCode('B2')).toEqual(classroom(2, 'B2'));
      expect(await store.getClassroomByCode('a1')).toBeUndefined();
      expect(await store.getClassroom('classroom-9')).toBeUndefined();
      expect(await store.listClassrooms()).toEqual([classroom(1, 'A1'), classroom(2, 'B2')]);
    });

    it('replacing a classroom keeps or moves its code; the old code is free again', async () => {
      await store.putClassroom(classroom(1, 'A1'));
      await store.putClassroom(classroom(1, 'A1', { name: 'renamed' }));
      expect(await store.getClassroomByCode('A1')).toEqual(classroom(1, 'A1', { name: 'renamed' }));
      await store.putClassroom(classroom(1, 'Z9'));
      expect(await store.getClassroomByCode('A1')).toBeUndefined();
      expect(await store.getClassroomByCode('Z9')).toEqual(classroom(1, 'Z9'));
      await store.putClassroom(classroom(2, 'A1'));
      expect(await store.getClassroomByCode('A1')).toEqual(classroom(2, 'A1'));
    });

    it('a code of another classroom is a ConflictError and writes nothing', async () => {
      await store.putClassroom(classroom(1, 'A1'));
      await store.putClassroom(classroom(2, 'B2'));
      await expect(store.putClassroom(classroom(3, 'A1'))).rejects.toBeInstanceOf(ConflictError);
      await expect(store.putClassroom(classroom(2, 'A1'))).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getClassroom('classroom-3')).toBeUndefined();
      expect(await store.getClassroomByCode('A1')).toEqual(classroom(1, 'A1'));
      expect(await store.getClassroomByCode('B2')).toEqual(classroom(2, 'B2'));
      expect(await store.listClassrooms()).toEqual([classroom(1, 'A1'), classroom(2, 'B2')]);
    });

    it('two stores racing for one code: one wins, the other gets a ConflictError', async () => {
      const other = await open();
      const results = await Promise.allSettled([
        store.putClassroom(classroom(1, 'RACE')),
        other.putClassroom(classroom(2, 'RACE')),
      ]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((result) => result.status === 'rejected');
      expect(rejected?.reason).toBeInstanceOf(ConflictError);
      expect((await store.listClassrooms()).map((each) => each.code)).toEqual(['RACE']);
    });

    it('rejects an invalid record without writing it', async () => {
      await expect(store.putClassroom(classroom(1, ''))).rejects.toBeInstanceOf(InvalidRecordError);
      expect(await store.listClassrooms()).toEqual([]);
    });
  });

  describe('importRoster', () => {
    it('writes schools and classrooms, replacing existing ones', async () => {
      await store.putClassroom(classroom(1, 'OLD'));
      await store.importRoster([school(1), school(2)], [classroom(1, 'A1'), classroom(2, 'B2')]);
      expect(await store.listSchools()).toEqual([school(1), school(2)]);
      expect(await store.listClassrooms()).toEqual([classroom(1, 'A1'), classroom(2, 'B2')]);
      expect(await store.getClassroomByCode('OLD')).toBeUndefined();
    });

    it('writes nothing at all, not even its schools, when a code belongs to a classroom outside it', async () => {
      await store.putSchool(school(0));
      await store.putClassroom(classroom(0, 'TAKEN'));
      const schools = [school(1), school(2)];
      const classrooms = [classroom(1, 'A1'), classroom(2, 'TAKEN'), classroom(3, 'C3')];
      await expect(store.importRoster(schools, classrooms)).rejects.toBeInstanceOf(ConflictError);
      expect(await store.listSchools()).toEqual([school(0)]);
      expect(await store.listClassrooms()).toEqual([classroom(0, 'TAKEN')]);
      expect(await store.getClassroomByCode('A1')).toBeUndefined();
      expect(await store.getSchool('school-1')).toBeUndefined();
    });

    it('writes nothing when two classrooms of the import share a code', async () => {
      const classrooms = [classroom(1, 'SAME'), classroom(2, 'SAME')];
      await expect(store.importRoster([school(1)], classrooms)).rejects.toBeInstanceOf(ConflictError);
      expect(await store.listSchools()).toEqual([]);
      expect(await store.listClassrooms()).toEqual([]);
    });

    it('writes nothing when one record is invalid', async () => {
      const classrooms = [classroom(1, 'A1'), classroom(2, '')];
      await expect(store.importRoster([school(1)], classrooms)).rejects.toBeInstanceOf(InvalidRecordError);
      expect(await store.listSchools()).toEqual([]);
      expect(await store.listClassrooms()).toEqual([]);
    });

    it('lets classrooms of one import swap their codes', async () => {
      await store.importRoster([], [classroom(1, 'A1'), classroom(2, 'B2')]);
      await store.importRoster([], [classroom(1, 'B2'), classroom(2, 'A1')]);
      expect(await store.getClassroomByCode('A1')).toEqual(classroom(2, 'A1'));
      expect(await store.getClassroomByCode('B2')).toEqual(classroom(1, 'B2'));
    });

    it('imports 800 classrooms and 200 schools well under a second, and reads them back', async () => {
      const schools = Array.from({ length: 200 }, (_, n) => school(n));
      const classrooms = Array.from({ length: 800 }, (_, n) =>
        classroom(n, `K${String(n).padStart(4, '0')}`),
      );
      const started = performance.now();
      await store.importRoster(schools, classrooms);
      const elapsed = performance.now() - started;
      console.warn(`[${factory.name}] importRoster(200 schools, 800 classrooms): ${elapsed.toFixed(1)} ms`);
      expect(elapsed).toBeLessThan(1000);
      const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      expect(await store.listSchools()).toEqual([...schools].sort(byId));
      expect(await store.listClassrooms()).toEqual([...classrooms].sort(byId));
      expect(await store.getClassroomByCode('K0799')).toEqual(classrooms[799]);
    });
  });

  describe('accounts', () => {
    it('round-trip by id and by username, list by id', async () => {
      await store.putAccount(account(2, 'wang'));
      await store.putAccount(account(1, 'li', { role: 'coordinator' }));
      expect(await store.getAccount('account-2')).toEqual(account(2, 'wang'));
      expect(await store.getAccountByUsername('li')).toEqual(account(1, 'li', { role: 'coordinator' }));
      expect(await store.getAccountByUsername('zhang')).toBeUndefined();
      expect(await store.listAccounts()).toEqual([
        account(1, 'li', { role: 'coordinator' }),
        account(2, 'wang'),
      ]);
    });

    it('a username of another account is a ConflictError and writes nothing', async () => {
      await store.putAccount(account(1, 'li'));
      await expect(store.putAccount(account(2, 'li'))).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getAccount('account-2')).toBeUndefined();
      expect(await store.getAccountByUsername('li')).toEqual(account(1, 'li'));
    });

    it('renaming frees the old username', async () => {
      await store.putAccount(account(1, 'li'));
      await store.putAccount(account(1, 'li.hua'));
      expect(await store.getAccountByUsername('li')).toBeUndefined();
      await store.putAccount(account(2, 'li'));
      expect(await store.getAccountByUsername('li')).toEqual(account(2, 'li'));
      expect(await store.getAccountByUsername('li.hua')).toEqual(account(1, 'li.hua'));
    });
  });

  describe('sessions', () => {
    it('round-trip and delete', async () => {
      const session = { id: 'sha-1', accountId: 'account-1', expiresAt: Date.now() + HOUR };
      await store.putSession(session);
      expect(await store.getSession('sha-1')).toEqual(session);
      await store.deleteSession('sha-1');
      expect(await store.getSession('sha-1')).toBeUndefined();
      await store.deleteSession('never-there');
    });

    it('expire', async () => {
      await store.putSession({ id: 'short', accountId: 'account-1', expiresAt: Date.now() + 150 });
      await store.putSession({ id: 'past', accountId: 'account-1', expiresAt: Date.now() - 1 });
      expect(await store.getSession('short')).toBeDefined();
      expect(await store.getSession('past')).toBeUndefined();
      await sleep(250);
      expect(await store.getSession('short')).toBeUndefined();
    });
  });

  describe('lessons', () => {
    it('round-trip and replace', async () => {
      await store.putLessons([lesson('l1', T, T + HOUR), lesson('l2', T + 2 * HOUR, T + 3 * HOUR)]);
      expect(await store.getLesson('l1')).toEqual(lesson('l1', T, T + HOUR));
      const live = lesson('l1', T, T + HOUR, { status: 'live', startedAt: T + 60_000, seriesId: 's1' });
      await store.putLessons([live]);
      expect(await store.getLesson('l1')).toEqual(live);
      expect(await store.getLesson('l9')).toBeUndefined();
    });

    it('lists the lessons overlapping [from, to), ordered by start', async () => {
      await store.putLessons([
        lesson('ends-at-from', T - HOUR, T),
        lesson('runs-into-range', T - HOUR, T + 30 * 60_000),
        lesson('long-before', T - 23 * HOUR, T + HOUR),
        lesson('inside', T + HOUR, T + 90 * 60_000),
        lesson('runs-past-to', T + 150 * 60_000, T + 4 * HOUR),
        lesson('starts-at-to', T + 3 * HOUR, T + 4 * HOUR),
        lesson('a-same-start', T + HOUR, T + 2 * HOUR),
        lesson('yesterday', T - 25 * HOUR, T - 24 * HOUR),
      ]);
      const listed = await store.listLessons({ from: T, to: T + 3 * HOUR });
      expect(listed.map((each) => each.id)).toEqual([
        'long-before',
        'runs-into-range',
        'a-same-start',
        'inside',
        'runs-past-to',
      ]);
      expect(await store.listLessons({ from: T + 5 * HOUR, to: T + 6 * HOUR })).toEqual([]);
    });

    it('finds a lesson at its new time after it moves', async () => {
      await store.putLessons([lesson('l1', T, T + HOUR)]);
      await store.putLessons([lesson('l1', T + 48 * HOUR, T + 49 * HOUR)]);
      expect(await store.listLessons({ from: T, to: T + HOUR })).toEqual([]);
      expect(await store.listLessons({ from: T + 48 * HOUR, to: T + 49 * HOUR })).toEqual([
        lesson('l1', T + 48 * HOUR, T + 49 * HOUR),
      ]);
    });

    it('keeps whether a lesson records itself; a record from before the field reads without it (not recorded)', async () => {
      const auto = lesson('auto', T, T + HOUR, { recordAutomatically: true });
      await store.putLessons([auto, lesson('old', T, T + HOUR)]);
      expect(await store.getLesson('auto')).toEqual(auto);
      expect((await store.getLesson('old'))?.recordAutomatically).toBeUndefined();
      await store.putLessons([{ ...auto, recordAutomatically: false }]);
      expect((await store.getLesson('auto'))?.recordAutomatically).toBe(false);
      const bad = { ...auto, recordAutomatically: 'yes' } as unknown as Lesson;
      await expect(store.putLessons([bad])).rejects.toBeInstanceOf(InvalidRecordError);
      expect((await store.getLesson('auto'))?.recordAutomatically).toBe(false);
    });

    it('writes a series all or nothing: a lesson over 24 h is invalid', async () => {
      const series = [lesson('w1', T, T + HOUR), lesson('w2', T + 168 * HOUR, T + 193 * HOUR)];
      await expect(store.putLessons(series)).rejects.toBeInstanceOf(InvalidRecordError);
      expect(await store.getLesson('w1')).toBeUndefined();
    });
  });

  describe('attendance', () => {
    it('keeps the order of each lesson', async () => {
      const events = [
        { lessonId: 'lesson-1', classroomId: 'classroom-2', kind: 'join', at: T + 3 } as const,
        { lessonId: 'lesson-1', classroomId: 'classroom-1', kind: 'join', at: T + 1 } as const,
        { lessonId: 'lesson-2', classroomId: 'classroom-1', kind: 'join', at: T + 2 } as const,
        { lessonId: 'lesson-1', classroomId: 'classroom-2', kind: 'leave', at: T + 2 } as const,
      ];
      for (const event of events) await store.appendAttendance(event);
      expect(await store.listAttendance('lesson-1')).toEqual([events[0], events[1], events[3]]);
      expect(await store.listAttendance('lesson-2')).toEqual([events[2]]);
      expect(await store.listAttendance('lesson-3')).toEqual([]);
    });
  });

  describe('presence', () => {
    it('expires ttl after lastSeen unless refreshed', async () => {
      const now = Date.now();
      await store.putPresence(presence('c1', now), 10_000);
      await store.putPresence(presence('c2', now), 10_000);
      await store.putPresence(presence('c3', now, 'lesson-2'), 10_000);
      expect(await store.listPresence('lesson-1', now + 5_000)).toEqual([
        presence('c1', now),
        presence('c2', now),
      ]);
      await store.putPresence(presence('c2', now + 8_000), 10_000);
      expect(await store.listPresence('lesson-1', now + 10_000)).toEqual([presence('c2', now + 8_000)]);
      expect(await store.listPresence('lesson-1', now + 18_000)).toEqual([]);
      expect(await store.listPresence('lesson-2', now + 5_000)).toEqual([presence('c3', now, 'lesson-2')]);
    });

    it('removes', async () => {
      const now = Date.now();
      await store.putPresence(presence('c1', now), 10_000);
      await store.putPresence(presence('c2', now), 10_000);
      await store.removePresence('lesson-1', 'c1');
      await store.removePresence('lesson-1', 'never-there');
      expect(await store.listPresence('lesson-1', now)).toEqual([presence('c2', now)]);
    });

    it('is gone in real time once its ttl has passed', async () => {
      await store.putPresence(presence('c1', Date.now()), 100);
      await sleep(200);
      expect(await store.listPresence('lesson-1', Date.now())).toEqual([]);
    });
  });

  describe('secrets', () => {
    it('are created once and read back, also after a reopen', async () => {
      let calls = 0;
      const create = () => `secret-${++calls}`;
      expect(await store.getOrCreateSecret('join-token', create)).toBe('secret-1');
      expect(await store.getOrCreateSecret('join-token', create)).toBe('secret-1');
      expect(await store.getOrCreateSecret('other', create)).toBe('secret-2');
      await store.close();
      const reopened = await open();
      expect(await reopened.getOrCreateSecret('join-token', create)).toBe('secret-1');
      expect(calls).toBe(2);
    });

    it('two stores racing create one secret', async () => {
      const other = await open();
      const [a, b] = await Promise.all([
        store.getOrCreateSecret('join-token', () => 'from-a'),
        other.getOrCreateSecret('join-token', () => 'from-b'),
      ]);
      expect(a).toBe(b);
    });
  });

  it('close is idempotent', async () => {
    await store.close();
    await store.close();
  });
});
