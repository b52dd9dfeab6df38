/**
 * The recordings library and its retention over HTTP on a real server: who sees what (coordinator, the host
 * teacher, another teacher, the lesson's classroom link, another lesson's, nobody), the filters and pages,
 * bad queries; only coordinators set the retention, bad values change nothing, each change is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClassroomRecordedLessons, RecordingLibraryPage, RetentionView } from '@cloudschool/protocol';
import { codeFingerprint } from '../../src/auth/JoinTokens.ts';
import type { Lesson } from '../../src/store/entities/lessons.ts';
import { forgedToken, seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

const DAY = 24 * 60 * 60 * 1000;

let server: TestServer;
let seeded: SeededLesson;
let otherTeacherId: string;
/** A lesson of the other teacher, hosted by a remote school's classroom, three days ago. */
let older: Lesson;
let otherToken: string;
const now = Date.now();

beforeAll(async () => {
  server = await startTestServer(1);
  seeded = await seedLiveLesson(server, 3, false);
  otherTeacherId = (await server.store.getAccountByUsername('teacher2'))!.id;
  const lesson = (await server.store.getLesson(seeded.lessonId))!;
  older = {
    ...lesson,
    id: 'older-lesson',
    title: '语文',
    hostTeacherId: otherTeacherId,
    hostClassroomId: seeded.classroomIds[0]!,
    invitedClassroomIds: [seeded.classroomIds[1]!],
    startsAt: now - 3 * DAY,
    endsAt: now - 3 * DAY + 3_600_000,
  };
  await server.store.putLessons([older]);
  remoteSchoolId = (await server.store.getClassroom(seeded.classroomIds[0]!))!.schoolId;
  // The older lesson's own link ended with it (TOKEN_GRACE_MS): one still valid, as a classroom would hold
  // during a lesson, stands for "another lesson's classroom".
  const classroom = (await server.store.getClassroom(seeded.classroomIds[1]!))!;
  otherToken = await server.app.lessonService.tokens.sign(
    { lessonId: older.id, classroomId: classroom.id, role: 'classroom', cf: codeFingerprint(classroom.code) },
    now + DAY,
  );
  const recordings = [
    { id: 'rec-new', lessonId: seeded.lessonId, startedAt: now - 50_000, status: 'complete' as const },
    { id: 'rec-live', lessonId: seeded.lessonId, startedAt: now - 10_000, status: 'recording' as const },
    { id: 'rec-old', lessonId: older.id, startedAt: older.startsAt, status: 'interrupted' as const },
  ];
  for (const r of recordings) {
    await server.store.putRecording({
      ...r,
      nodeId: 'test',
      endedAt: r.status === 'recording' ? null : r.startedAt + 8_000,
    });
    for (const [i, bytes] of [1_000_000, 500_000].entries()) {
      await server.store.appendRecordingSegment({
        recordingId: r.id,
        run: 0,
        file: `r0-0000${i}.webm`,
        startedAt: r.startedAt + i * 4_000,
        durationMs: 4_000,
        bytes,
      });
    }
  }
});

afterAll(async () => {
  await server.close();
});

/** The school of the older lesson's host classroom. */
let remoteSchoolId = '';

async function get(path: string, cookie?: string): Promise<Response> {
  return fetch(`${server.url}${path}`, { headers: cookie ? { cookie } : {} });
}

async function ids(path: string, cookie: string): Promise<string[]> {
  const res = await get(path, cookie);
  expect(res.status).toBe(200);
  return ((await res.json()) as RecordingLibraryPage).recordings.map((r) => r.id);
}

describe('GET /api/recordings (coordinators)', () => {
  it('lists every recording newest first, with its lesson, teacher, school, duration, size and replay link', async () => {
    const res = await get('/api/recordings', seeded.coordinatorCookie);
    expect(res.status).toBe(200);
    const page = (await res.json()) as RecordingLibraryPage;
    expect(page.next).toBeNull();
    expect(page.recordings.map((r) => r.id)).toEqual(['rec-live', 'rec-new', 'rec-old']);
    expect(page.recordings[1]).toEqual({
      id: 'rec-new',
      lessonId: seeded.lessonId,
      lessonTitle: '数学',
      lessonStartsAt: new Date((await server.store.getLesson(seeded.lessonId))!.startsAt).toISOString(),
      hostTeacher: { id: seeded.teacherId, name: '王老师' },
      school: { id: expect.any(String), name: '一中' },
      startedAt: new Date(now - 50_000).toISOString(),
      endedAt: new Date(now - 42_000).toISOString(),
      status: 'complete',
      durationMs: 8_000,
      bytes: 1_500_000,
      replayUrl: `/replay/${seeded.lessonId}`,
    });
    expect(page.recordings[2]).toMatchObject({
      status: 'interrupted',
      hostTeacher: { id: otherTeacherId, name: '李老师' },
      school: { name: (await server.store.getSchool(remoteSchoolId))!.name },
    });
  });

  it('filters by teacher, school and days of the lesson', async () => {
    const c = seeded.coordinatorCookie;
    expect(await ids(`/api/recordings?teacher=${otherTeacherId}`, c)).toEqual(['rec-old']);
    expect(await ids(`/api/recordings?teacher=${seeded.teacherId}`, c)).toEqual(['rec-live', 'rec-new']);
    const school = remoteSchoolId;
    expect(await ids(`/api/recordings?school=${school}`, c)).toEqual(['rec-old']);
    expect(await ids(`/api/recordings?teacher=${seeded.teacherId}&school=${school}`, c)).toEqual([]);
    const day = (ms: number): string =>
      new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(ms));
    const old = day(older.startsAt);
    expect(await ids(`/api/recordings?from=${old}&to=${old}`, c)).toEqual(['rec-old']);
    expect(await ids(`/api/recordings?from=${day(now + DAY)}`, c)).toEqual([]);
    expect(await ids(`/api/recordings?to=${day(now - 5 * DAY)}`, c)).toEqual([]);
  });

  it('pages with a cursor, a bounded number at a time', async () => {
    const c = seeded.coordinatorCookie;
    const first = (await (await get('/api/recordings?limit=2', c)).json()) as RecordingLibraryPage;
    expect(first.recordings.map((r) => r.id)).toEqual(['rec-live', 'rec-new']);
    expect(first.next).not.toBeNull();
    const second = (await (
      await get(`/api/recordings?limit=2&cursor=${encodeURIComponent(first.next!)}`, c)
    ).json()) as RecordingLibraryPage;
    expect(second).toMatchObject({ next: null, recordings: [{ id: 'rec-old' }] });
  });

  it('refuses a bad query with 400', async () => {
    for (const query of [
      'limit=0',
      'limit=101',
      'limit=x',
      'from=2026-13-01',
      'from=2026-12-06&to=2026-12-01',
      'from=2024-01-01&to=2026-01-01',
      'cursor=nope',
      'teacher=',
      'unknown=1',
    ]) {
      const res = await get(`/api/recordings?${query}`, seeded.coordinatorCookie);
      expect([query, res.status]).toEqual([query, 400]);
    }
  });

  it('is for coordinators: a teacher 403, a classroom link or nobody 401', async () => {
    expect((await get('/api/recordings', seeded.teacherCookie)).status).toBe(403);
    expect((await get(`/api/recordings?t=${seeded.tokens[0]}`)).status).toBe(401);
    expect((await get('/api/recordings')).status).toBe(401);
  });
});

describe('GET /api/teacher/recordings', () => {
  it("lists the teacher's own lessons' recordings only", async () => {
    expect(await ids('/api/teacher/recordings', seeded.teacherCookie)).toEqual(['rec-live', 'rec-new']);
    expect(await ids('/api/teacher/recordings', seeded.otherTeacherCookie)).toEqual(['rec-old']);
    expect(
      (await get(`/api/teacher/recordings?teacher=${otherTeacherId}`, seeded.teacherCookie)).status,
    ).toBe(400);
    expect((await get('/api/teacher/recordings', seeded.coordinatorCookie)).status).toBe(403);
    expect((await get('/api/teacher/recordings')).status).toBe(401);
  });
});

describe("a lesson's recordings by its classroom link", () => {
  it("lists them for the lesson's classroom, refuses another lesson's classroom", async () => {
    const path = `/api/lessons/${seeded.lessonId}/recordings`;
    expect((await get(`${path}?t=${seeded.tokens[0]}`)).status).toBe(200);
    expect((await get(`${path}?t=${otherToken}`)).status).toBe(403);
    expect((await get(`/api/lessons/${older.id}/recordings?t=${otherToken}`)).status).toBe(200);
    // Its link long expired, the classroom still watches the lesson's recording (not the lesson).
    const classroom = (await server.store.getClassroom(seeded.classroomIds[1]!))!;
    const claims = { lessonId: older.id, classroomId: classroom.id, role: 'classroom' as const };
    const expired = await server.app.lessonService.tokens.sign(
      { ...claims, cf: codeFingerprint(classroom.code) },
      older.endsAt,
    );
    expect((await get(`/api/lessons/${older.id}/recordings?t=${expired}`)).status).toBe(200);
    await expect(server.app.lessonService.tokens.verify(expired)).rejects.toMatchObject({
      code: 'invalid_token',
    });
    // A forged one, or one of a code since changed, does not.
    expect((await get(`/api/lessons/${older.id}/recordings?t=${forgedToken(expired)}`)).status).toBe(401);
    const stale = await server.app.lessonService.tokens.sign(
      { ...claims, cf: codeFingerprint('OLD999') },
      older.endsAt,
    );
    expect((await get(`/api/lessons/${older.id}/recordings?t=${stale}`)).status).toBe(401);
    expect((await get(`${path}`, seeded.otherTeacherCookie)).status).toBe(403);
    expect((await get(path)).status).toBe(401);
  });
});

describe('POST /api/join/code/recordings (a classroom by its code)', () => {
  const post = (code: string): Promise<Response> =>
    fetch(`${server.url}/api/join/code/recordings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });

  it("gives a classroom its recorded lessons, newest first, each link reading only that lesson's recording", async () => {
    const classroom = (await server.store.getClassroom(seeded.classroomIds[1]!))!;
    const res = await post(classroom.code.toLowerCase());
    expect(res.status).toBe(200);
    const { lessons } = (await res.json()) as ClassroomRecordedLessons;
    expect(lessons.map((l) => l.lessonId)).toEqual([seeded.lessonId, older.id]);
    const [, past] = lessons;
    expect((await get(`/api/lessons/${older.id}/recordings?t=${past!.token}`)).status).toBe(200);
    expect((await get(`/api/lessons/${seeded.lessonId}/recordings?t=${past!.token}`)).status).toBe(403);
  });

  it('answers a code without a recorded lesson like a wrong one, and refuses a malformed one', async () => {
    const host = (await server.store.getClassroom(seeded.hostClassroomId))!;
    expect((await post(host.code)).status).toBe(404);
    expect((await post('ZZZZZ9')).status).toBe(404);
    expect((await post('abc')).status).toBe(400);
  });
});

describe('/api/recordings/retention', () => {
  const put = (body: unknown, cookie?: string): Promise<Response> =>
    fetch(`${server.url}/api/recordings/retention`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
      body: JSON.stringify(body),
    });
  const current = async (): Promise<RetentionView> =>
    (await (await get('/api/recordings/retention', seeded.coordinatorCookie)).json()) as RetentionView;

  it('is set by coordinators only; bad values are 400 and change nothing; each change is audited', async () => {
    expect(await current()).toEqual({ days: null, setBy: null, setAt: null });
    expect((await put({ days: 30 }, seeded.teacherCookie)).status).toBe(403);
    expect((await put({ days: 30 })).status).toBe(401);
    expect((await get('/api/recordings/retention', seeded.teacherCookie)).status).toBe(403);
    for (const body of [
      { days: 0 },
      { days: -1 },
      { days: 3651 },
      { days: 1.5 },
      { days: '30' },
      {},
      { days: 30, x: 1 },
    ]) {
      expect([body, (await put(body, seeded.coordinatorCookie)).status]).toEqual([body, 400]);
    }
    expect(await current()).toEqual({ days: null, setBy: null, setAt: null });

    const res = await put({ days: 30 }, seeded.coordinatorCookie);
    expect(res.status).toBe(200);
    const set = (await res.json()) as RetentionView;
    expect(set).toMatchObject({ days: 30, setBy: { name: '协调员' } });
    expect(await current()).toEqual(set);
    expect((await put({ days: null }, seeded.coordinatorCookie)).status).toBe(200);
    expect((await current()).days).toBeNull();

    const audit = await server.store.listAudit({
      from: now - DAY,
      to: Date.now() + 1,
      limit: 10,
      kind: 'recording_retention_set',
    });
    expect(audit.entries.map((e) => [e.actorName, e.details['from'], e.details['to']])).toEqual([
      ['coord', 30, null],
      ['coord', null, 30],
    ]);
    // Nothing here is older than 30 days: the sweep the change started deleted nothing.
    expect(await ids('/api/recordings', seeded.coordinatorCookie)).toEqual([
      'rec-live',
      'rec-new',
      'rec-old',
    ]);
  });
});
