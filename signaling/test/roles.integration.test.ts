/**
 * The role matrix: every HTTP route and socket event × every kind of caller
 * gets exactly the allowed outcome. Classrooms have no accounts: their
 * tokens open a lesson over Socket.IO and nothing over HTTP.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_GRACE_MS } from '../src/domain/lessonStatus.ts';
import { codeFingerprint } from '../src/auth/JoinTokens.ts';
import type { ClientEvent } from '@cloudschool/protocol';
import { createAccount } from '../src/http/authRoutes.ts';
import { COORDINATOR, OTHER_TEACHER, seedLiveLesson, TEACHER } from './support/fixtures.ts';
import type { SeededLesson } from './support/fixtures.ts';
import { connectClient, request } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import { startTestServer } from './support/server.ts';
import type { TestServer } from './support/server.ts';

type Who =
  | 'anonymous'
  | 'classroomOfLesson'
  | 'classroomOfOther'
  | 'hostTeacher'
  | 'otherTeacher'
  | 'coordinator'
  | 'expiredToken'
  | 'forgedToken';
const everyone: Who[] = [
  'anonymous',
  'classroomOfLesson',
  'classroomOfOther',
  'hostTeacher',
  'otherTeacher',
  'coordinator',
  'expiredToken',
  'forgedToken',
];

let server: TestServer;
let seeded: SeededLesson;
let otherLessonId: string;
/** An account the account routes act on (none of the callers'). */
let targetId: string;
const creds = {} as Record<Who, { cookie?: string; token?: string }>;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  server = await startTestServer(1);
  seeded = await seedLiveLesson(server, 3);
  const svc = server.app.lessonService;
  const coordinator = (await server.store.getAccountByUsername('coord'))!;
  const now = Date.now();
  // Another lesson, later today, for the remaining classroom.
  const [other] = await svc.create(
    {
      title: '语文',
      subject: '语文',
      grade: '五年级',
      hostClassroomId: seeded.hostClassroomId,
      hostTeacherId: seeded.teacherId,
      startsAt: new Date(now + 2 * 3600_000).toISOString(),
      endsAt: new Date(now + 3 * 3600_000).toISOString(),
      invite: {
        all: false,
        classroomIds: [seeded.classroomIds[2]!],
        schoolIds: [],
        cities: [],
        provinces: [],
      },
    },
    coordinator,
  );
  otherLessonId = other!.id;
  targetId = (
    await createAccount(server.store, {
      username: 'target',
      displayName: '目标',
      role: 'teacher',
      password: 'target-pass-1',
    })
  ).id;
  const lesson = (await server.store.getLesson(seeded.lessonId))!;
  const expiredClassroom = (await server.store.getClassroom(seeded.classroomIds[1]!))!;
  const expired = await svc.tokens.sign(
    {
      lessonId: lesson.id,
      classroomId: expiredClassroom.id,
      role: 'classroom',
      cf: codeFingerprint(expiredClassroom.code),
    },
    now - TOKEN_GRACE_MS,
  );
  const forged = await new SignJWT({
    lessonId: lesson.id,
    classroomId: seeded.classroomIds[1]!,
    role: 'classroom',
  })
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience('cloudschool:classroom')
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode('not-the-server-secret'));
  Object.assign(creds, {
    anonymous: {},
    classroomOfLesson: { token: seeded.tokens[0] },
    classroomOfOther: { token: await svc.joinToken(other!, seeded.classroomIds[2]!) },
    hostTeacher: { cookie: seeded.teacherCookie },
    otherTeacher: { cookie: seeded.otherTeacherCookie },
    coordinator: { cookie: seeded.coordinatorCookie },
    expiredToken: { token: expired },
    forgedToken: { token: forged },
  });
  // Keeps the lesson running on the node, so its live state can be read.
  const keeper = await connectClient(server.url, seeded.teacherCookie);
  sockets.push(keeper);
  expect((await request(keeper, 'lesson:join', { lessonId: lesson.id, role: 'host' })).ok).toBe(true);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server.close();
});

async function http(who: Who, method: string, path: string, body?: unknown, type = 'application/json') {
  const { cookie, token } = creds[who];
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = type;
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const url = `${server.url}${path}${token ? `${path.includes('?') ? '&' : '?'}t=${token}` : ''}`;
  return (await fetch(url, { method, headers, body: payload })).status;
}

describe('HTTP routes × callers', () => {
  const ok2xx = (status: number): boolean => status >= 200 && status < 300;
  const C = 'coordinator';
  const T = 'hostTeacher';

  /** Expected status per caller; anyone not named gets 401 (no session) or 403 (a session of the wrong role). */
  const routes: { name: string; allowed: Who[]; call: (who: Who) => Promise<number> }[] = [
    {
      name: 'GET /api/auth/me',
      allowed: [C, T, 'otherTeacher'],
      call: (w) => http(w, 'GET', '/api/auth/me'),
    },
    { name: 'GET /api/schools', allowed: [C], call: (w) => http(w, 'GET', '/api/schools') },
    {
      name: 'POST /api/schools',
      allowed: [C],
      call: (w) =>
        http(w, 'POST', '/api/schools', { name: `校${w}`, province: '四川', city: '成都', district: '青羊' }),
    },
    { name: 'GET /api/classrooms', allowed: [C], call: (w) => http(w, 'GET', '/api/classrooms') },
    {
      name: 'PUT /api/classrooms/:id',
      allowed: [C],
      call: async (w) => {
        const c = (await server.store.getClassroom(seeded.classroomIds[0]!))!;
        return http(w, 'PUT', `/api/classrooms/${c.id}`, {
          schoolId: c.schoolId,
          name: c.name,
          kind: c.kind,
          notes: w,
        });
      },
    },
    {
      name: 'POST /api/roster/import',
      allowed: [C],
      call: (w) =>
        http(
          w,
          'POST',
          '/api/roster/import',
          `school,province,city,district,classroom,kind\n新校,四川,成都,锦江,${w},remote`,
          'text/csv',
        ),
    },
    { name: 'GET /api/roster/export', allowed: [C], call: (w) => http(w, 'GET', '/api/roster/export') },
    { name: 'GET /api/accounts', allowed: [C], call: (w) => http(w, 'GET', '/api/accounts') },
    {
      name: 'POST /api/accounts',
      allowed: [C],
      call: (w) =>
        http(w, 'POST', '/api/accounts', {
          username: `u-${w}`,
          displayName: w,
          role: 'teacher',
          password: 'long-enough-1',
        }),
    },
    {
      name: 'PUT /api/accounts/:id',
      allowed: [C],
      call: (w) => http(w, 'PUT', `/api/accounts/${targetId}`, { displayName: `目标 ${w}`, role: 'teacher' }),
    },
    {
      name: 'POST /api/accounts/:id/password',
      allowed: [C],
      call: (w) => http(w, 'POST', `/api/accounts/${targetId}/password`, { password: `reset-by-${w}` }),
    },
    {
      name: 'POST /api/accounts/:id/disable',
      allowed: [C],
      call: (w) => http(w, 'POST', `/api/accounts/${targetId}/disable`),
    },
    {
      name: 'POST /api/accounts/:id/enable',
      allowed: [C],
      call: (w) => http(w, 'POST', `/api/accounts/${targetId}/enable`),
    },
    {
      name: 'GET /api/accounts/:id/sessions',
      allowed: [C],
      call: (w) => http(w, 'GET', `/api/accounts/${targetId}/sessions`),
    },
    {
      name: 'POST /api/accounts/:id/sessions/revoke',
      allowed: [C],
      call: (w) => http(w, 'POST', `/api/accounts/${targetId}/sessions/revoke`),
    },
    {
      // Everyone logged in changes their own password (here to the same one: the other tests log in with it).
      name: 'POST /api/auth/password',
      allowed: [C, T, 'otherTeacher'],
      call: (w) => {
        const password = { coordinator: COORDINATOR, hostTeacher: TEACHER, otherTeacher: OTHER_TEACHER }[
          w as 'coordinator'
        ]?.password;
        const current = password ?? 'anything-at-all';
        return http(w, 'POST', '/api/auth/password', { currentPassword: current, newPassword: current });
      },
    },
    {
      name: 'GET /api/audit',
      allowed: [C],
      call: (w) =>
        http(
          w,
          'GET',
          `/api/audit?from=${new Date(0).toISOString()}&to=${new Date(Date.now() + 1000).toISOString()}`,
        ),
    },
    {
      name: 'GET /api/audit.csv',
      allowed: [C],
      call: (w) =>
        http(
          w,
          'GET',
          `/api/audit.csv?from=${new Date(0).toISOString()}&to=${new Date(Date.now() + 1000).toISOString()}`,
        ),
    },
    {
      name: 'GET /api/usage',
      allowed: [C],
      call: (w) => http(w, 'GET', '/api/usage?from=2026-09-01&to=2026-12-31&group=county&period=week'),
    },
    { name: 'GET /api/recordings', allowed: [C], call: (w) => http(w, 'GET', '/api/recordings') },
    {
      name: 'GET /api/teacher/recordings',
      allowed: [T, 'otherTeacher'],
      call: (w) => http(w, 'GET', '/api/teacher/recordings'),
    },
    {
      name: 'GET /api/recordings/retention',
      allowed: [C],
      call: (w) => http(w, 'GET', '/api/recordings/retention'),
    },
    {
      name: 'PUT /api/recordings/retention',
      allowed: [C],
      call: (w) => http(w, 'PUT', '/api/recordings/retention', { days: null }),
    },
    {
      name: 'GET /api/usage.csv',
      allowed: [C],
      call: (w) => http(w, 'GET', '/api/usage.csv?from=2026-09-01&to=2026-12-31&group=teacher&period=term'),
    },
    {
      name: 'GET /api/lessons',
      allowed: [C, T, 'otherTeacher'],
      call: (w) =>
        http(
          w,
          'GET',
          `/api/lessons?from=${new Date().toISOString()}&to=${new Date(Date.now() + 86_400_000).toISOString()}`,
        ),
    },
    {
      name: 'GET /api/lessons/:id',
      allowed: [C, T],
      call: (w) => http(w, 'GET', `/api/lessons/${seeded.lessonId}`),
    },
    {
      name: 'GET /api/lessons/:id/links',
      allowed: [C],
      call: (w) => http(w, 'GET', `/api/lessons/${seeded.lessonId}/links`),
    },
    {
      name: 'GET /api/lessons/:id/links/:classroom/qr.svg',
      allowed: [C],
      call: (w) => http(w, 'GET', `/api/lessons/${seeded.lessonId}/links/${seeded.classroomIds[0]}/qr.svg`),
    },
    { name: 'GET /api/live', allowed: [C], call: (w) => http(w, 'GET', '/api/live') },
    {
      name: 'GET /api/teacher/today',
      allowed: [T, 'otherTeacher'],
      call: (w) => http(w, 'GET', '/api/teacher/today'),
    },
    {
      name: 'GET /api/lessons/:id/report',
      allowed: [C, T],
      call: (w) => http(w, 'GET', `/api/lessons/${seeded.lessonId}/report`),
    },
    {
      name: 'GET /api/lessons/:id/report.csv',
      allowed: [C, T],
      call: (w) => http(w, 'GET', `/api/lessons/${seeded.lessonId}/report.csv`),
    },
    {
      name: 'GET /api/lessons/:id/board',
      allowed: [C, T],
      call: (w) => http(w, 'GET', `/api/lessons/${seeded.lessonId}/board`),
    },
    {
      name: 'GET /api/lessons/:id/state',
      allowed: [C],
      call: (w) => http(w, 'GET', `/api/lessons/${seeded.lessonId}/state`),
    },
    {
      // Starting again is idempotent for its teacher; the other lesson is outside its window for everyone.
      name: 'POST /api/lessons/:id/start',
      allowed: [T],
      call: (w) => http(w, 'POST', `/api/lessons/${seeded.lessonId}/start`),
    },
  ];

  for (const route of routes) {
    it(route.name, async () => {
      const outcomes: Record<string, number> = {};
      for (const who of everyone) outcomes[who] = await route.call(who);
      const expected: Record<string, number | 'ok'> = {};
      for (const who of everyone) {
        const hasSession = creds[who].cookie !== undefined;
        expected[who] = route.allowed.includes(who) ? 'ok' : hasSession ? 403 : 401;
      }
      const actual = Object.fromEntries(Object.entries(outcomes).map(([w, s]) => [w, ok2xx(s) ? 'ok' : s]));
      expect(actual).toEqual(expected);
    });
  }

  it('GET /api/lessons/:id/recordings: staff of the lesson, and its classrooms by their token only', async () => {
    const startedAt = Date.now() - 60_000;
    await server.store.putRecording({
      id: 'rec-1',
      lessonId: seeded.lessonId,
      nodeId: 'node-x',
      startedAt,
      endedAt: startedAt + 8_000,
      status: 'interrupted',
    });
    await server.store.appendRecordingSegment({
      recordingId: 'rec-1',
      run: 0,
      file: 'r0-00000.webm',
      startedAt,
      durationMs: 4_000,
    });
    const path = `/api/lessons/${seeded.lessonId}/recordings`;
    const outcomes: Record<string, number> = {};
    for (const who of everyone) outcomes[who] = await http(who, 'GET', path);
    expect(outcomes).toEqual({
      anonymous: 401,
      classroomOfLesson: 200,
      // A valid join link of another lesson: refused, not unknown.
      classroomOfOther: 403,
      hostTeacher: 200,
      otherTeacher: 403,
      coordinator: 200,
      // The lesson's own link, expired: a classroom watches the recording later with the link it had.
      expiredToken: 200,
      forgedToken: 401,
    });
    const res = await fetch(`${server.url}${path}?t=${creds.classroomOfLesson.token}`);
    expect(await res.json()).toEqual({
      recordings: [
        {
          id: 'rec-1',
          startedAt: new Date(startedAt).toISOString(),
          endedAt: new Date(startedAt + 8_000).toISOString(),
          status: 'interrupted',
          durationMs: 4_000,
          segments: [
            { file: 'r0-00000.webm', startedAt: new Date(startedAt).toISOString(), durationMs: 4_000 },
          ],
        },
      ],
    });
  });

  it("the replay's MP4 export (status, start, file): the lesson's host teacher and coordinators only", async () => {
    const startedAt = Date.now() - 60_000;
    await server.store.putRecording({
      id: 'rec-export',
      lessonId: seeded.lessonId,
      nodeId: 'node-x',
      startedAt,
      endedAt: null,
      // Still being made: a start is refused as a conflict, after the caller was let in.
      status: 'recording',
    });
    await server.store.appendRecordingSegment({
      recordingId: 'rec-export',
      run: 0,
      file: 'r0-00000.webm',
      startedAt,
      durationMs: 4_000,
    });
    const path = `/api/lessons/${seeded.lessonId}/replay/rec-export/export`;
    const outcomes: Record<string, number[]> = {};
    for (const who of everyone)
      outcomes[who] = [
        await http(who, 'GET', path),
        await http(who, 'POST', path),
        await http(who, 'GET', `${path}.mp4`),
      ];
    // Classrooms never export (a file of the lesson leaves the platform): their tokens are no login here.
    expect(outcomes).toEqual({
      anonymous: [401, 401, 401],
      classroomOfLesson: [401, 401, 401],
      classroomOfOther: [401, 401, 401],
      hostTeacher: [200, 409, 404],
      otherTeacher: [403, 403, 403],
      coordinator: [200, 409, 404],
      expiredToken: [401, 401, 401],
      forgedToken: [401, 401, 401],
    });
  });

  it('POST /api/lessons, PUT, cancel and end', async () => {
    const base = {
      title: '科学',
      subject: '科学',
      grade: '六年级',
      hostClassroomId: seeded.hostClassroomId,
      hostTeacherId: seeded.teacherId,
      invite: { classroomIds: [seeded.classroomIds[0]!] },
    };
    let hour = 30;
    const create = (who: Who) => {
      hour += 2;
      const startsAt = new Date(Date.now() + hour * 3600_000).toISOString();
      const endsAt = new Date(Date.now() + (hour + 1) * 3600_000).toISOString();
      return http(who, 'POST', '/api/lessons', { ...base, startsAt, endsAt });
    };
    for (const who of everyone)
      expect([who, await create(who)]).toEqual([
        who,
        who === 'coordinator' ? 201 : creds[who].cookie ? 403 : 401,
      ]);
    const lessonId = (
      await server.store.listLessons({ from: Date.now(), to: Date.now() + 40 * 86_400_000 })
    ).find((l) => l.title === '科学')!.id;
    for (const who of everyone.filter((w) => w !== 'coordinator')) {
      const expected = creds[who].cookie ? 403 : 401;
      expect([who, await http(who, 'POST', `/api/lessons/${lessonId}/cancel`)]).toEqual([who, expected]);
      const putBody = {
        ...base,
        startsAt: new Date(Date.now() + 50 * 3600_000).toISOString(),
        endsAt: new Date(Date.now() + 51 * 3600_000).toISOString(),
      };
      expect([who, await http(who, 'PUT', `/api/lessons/${lessonId}`, putBody)]).toEqual([who, expected]);
    }
    expect(await http('coordinator', 'POST', `/api/lessons/${lessonId}/cancel`)).toBe(200);
    // Ending: the other teacher may not, anonymous callers may not, the host teacher may.
    expect(await http('otherTeacher', 'POST', `/api/lessons/${otherLessonId}/end`)).toBe(403);
    expect(await http('anonymous', 'POST', `/api/lessons/${otherLessonId}/end`)).toBe(401);
    expect(await http('hostTeacher', 'POST', `/api/lessons/${otherLessonId}/end`)).toBe(409); // not live
  });

  it('the calendar feed needs its classroom’s key, and nothing else', async () => {
    const id = seeded.classroomIds[0]!;
    const classroom = (await server.store.getClassroom(id))!;
    const key = await server.app.lessonService.tokens.signCalendar(id, classroom.code);
    expect((await fetch(`${server.url}/api/calendar/${id}.ics?key=${key}`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/calendar/${seeded.classroomIds[1]}.ics?key=${key}`)).status).toBe(
      401,
    );
    expect((await fetch(`${server.url}/api/calendar/${id}.ics?key=${creds.forgedToken.token}`)).status).toBe(
      401,
    );
    expect(await http('coordinator', 'GET', `/api/calendar/${id}.ics`)).toBe(401);
  });
});

describe('socket events × callers', () => {
  async function socketFor(who: Who): Promise<ClientSocket> {
    const s = await connectClient(server.url, creds[who].cookie);
    sockets.push(s);
    return s;
  }

  async function join(
    who: Who,
    role: 'host' | 'classroom' | 'observer',
    lessonId = seeded.lessonId,
  ): Promise<string> {
    const s = await socketFor(who);
    const res = await request(s, 'lesson:join', {
      lessonId,
      role,
      ...(creds[who].token ? { token: creds[who].token } : {}),
    });
    s.disconnect();
    return res.ok ? 'ok' : res.error.code;
  }

  it('lesson:join as host', async () => {
    const outcomes: Record<string, string> = {};
    for (const who of everyone) outcomes[who] = await join(who, 'host');
    expect(outcomes).toEqual({
      anonymous: 'unauthenticated',
      classroomOfLesson: 'unauthenticated',
      classroomOfOther: 'unauthenticated',
      hostTeacher: 'ok',
      otherTeacher: 'forbidden',
      coordinator: 'forbidden',
      expiredToken: 'unauthenticated',
      forgedToken: 'unauthenticated',
    });
  });

  it('lesson:join as classroom', async () => {
    const outcomes: Record<string, string> = {};
    for (const who of everyone) outcomes[who] = await join(who, 'classroom');
    expect(outcomes).toEqual({
      anonymous: 'invalid_token',
      classroomOfLesson: 'ok',
      classroomOfOther: 'invalid_token',
      hostTeacher: 'invalid_token',
      otherTeacher: 'invalid_token',
      coordinator: 'invalid_token',
      expiredToken: 'invalid_token',
      forgedToken: 'invalid_token',
    });
    // The other lesson's own classroom may wait in it before it starts.
    expect(await join('classroomOfOther', 'classroom', otherLessonId)).toBe('ok');
  });

  it('lesson:join as observer (patrol)', async () => {
    const outcomes: Record<string, string> = {};
    for (const who of everyone) outcomes[who] = await join(who, 'observer');
    expect(outcomes).toEqual({
      anonymous: 'unauthenticated',
      classroomOfLesson: 'unauthenticated',
      classroomOfOther: 'unauthenticated',
      hostTeacher: 'forbidden',
      otherTeacher: 'forbidden',
      coordinator: 'ok',
      expiredToken: 'unauthenticated',
      forgedToken: 'unauthenticated',
    });
  });

  it('media and interaction events × host, classroom, observer and a connection that has not joined', async () => {
    const joinedAs = async (who: Who, role: 'host' | 'classroom' | 'observer'): Promise<ClientSocket> => {
      const s = await socketFor(who);
      const res = await request(s, 'lesson:join', {
        lessonId: seeded.lessonId,
        role,
        ...(creds[who].token ? { token: creds[who].token } : {}),
      });
      expect(res.ok).toBe(true);
      return s;
    };
    const sides = {
      host: await joinedAs('hostTeacher', 'host'),
      classroom: await joinedAs('classroomOfLesson', 'classroom'),
      observer: await joinedAs('coordinator', 'observer'),
      stranger: await socketFor('otherTeacher'),
    };
    const me = seeded.classroomIds[0]!;
    const F = 'forbidden';
    const N = 'not_found';
    // [event, payload, host, classroom, observer]; a connection that has not joined always gets not_joined.
    const table: [ClientEvent, object, string, string, string][] = [
      ['media:createTransport', { direction: 'send' }, 'ok', 'ok', F],
      ['media:createTransport', { direction: 'recv' }, 'ok', 'ok', 'ok'],
      ['media:createPlainTransport', { direction: 'send' }, 'ok', 'ok', F],
      ['media:closeProducer', { producerId: 'x' }, N, N, F],
      [
        'media:produce',
        {
          transportId: 'x',
          kind: 'audio',
          source: 'mic',
          rtpParameters: {
            codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
          },
        },
        N,
        N,
        F,
      ],
      ['media:consume', { transportId: 'x', producerId: 'y', rtpCapabilities: {} }, N, N, N],
      ['media:resumeConsumer', { consumerId: 'x' }, N, N, N],
      ['media:closeConsumer', { consumerId: 'x' }, N, N, N],
      [
        'media:connectTransport',
        { transportId: 'x', dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AB' }] } },
        N,
        N,
        N,
      ],
      ['lesson:layout', { layout: 'camera' }, 'ok', F, F],
      // Coordinators run recordings too (district staff); a classroom never does.
      ['recording:start', {}, 'ok', F, 'ok'],
      ['recording:stop', {}, 'ok', F, 'ok'],
      ['hand:raise', {}, F, 'ok', F],
      ['hand:dismiss', { classroomId: me }, 'ok', F, F],
      ['hand:lower', {}, F, 'ok', F],
      ['stage:capacity', { capacity: 2 }, 'ok', F, F],
      ['stage:invite', { classroomId: me }, 'ok', F, F],
      ['stage:mute', { classroomId: me, muted: true }, 'ok', F, F],
      ['stage:remove', { classroomId: me }, 'ok', F, F],
      ['stage:leave', {}, F, 'ok', F],
      ['question:ask', { text: '为什么？' }, F, 'ok', F],
      ['question:vote', { questionId: 'nope', on: true }, F, N, F],
      ['question:mark', { questionId: 'nope', state: 'answered' }, N, F, F],
      ['quiz:start', { question: '1+1=?', kind: 'single', options: ['1', '2'] }, 'ok', F, F],
      ['quiz:answer', { quizId: 'nope', choices: [0] }, F, N, F],
      ['quiz:close', { quizId: 'nope' }, N, F, F],
      ['quiz:reveal', { quizId: 'nope' }, N, F, F],
      // A coordinator on patrol writes as the host side (an alert's tutor), reads without marking read.
      ['chat:send', { text: '老师好' }, 'bad_request', 'ok', 'bad_request'],
      ['chat:read', {}, 'bad_request', 'ok', F],
      ['chat:history', { classroomId: me }, 'ok', F, 'ok'],
      ['board:sync', { afterSeq: 0 }, 'ok', 'ok', 'ok'],
      ['board:op', { op: { type: 'view', zoom: 1, x: 800, y: 450 } }, 'ok', F, F],
      [
        'board:stroke:end',
        { strokeId: 's1', pageId: 'p0', tool: 'pen', color: '#000000', width: 2, points: [[1, 1, 0.5]] },
        'ok',
        F,
        F,
      ],
      ['board:pen:grant', { classroomId: me }, 'conflict', F, F], // not on stage any more
      ['board:pen:revoke', {}, 'ok', F, F],
    ];
    const code = async (s: ClientSocket, event: ClientEvent, payload: object) => {
      const res = await request(s, event, payload as never);
      return res.ok ? 'ok' : res.error.code;
    };
    for (const [event, payload, host, classroom, observer] of table) {
      const actual = {
        host: await code(sides.host, event, payload),
        classroom: await code(sides.classroom, event, payload),
        observer: await code(sides.observer, event, payload),
        stranger: await code(sides.stranger, event, payload),
      };
      expect([event, actual]).toEqual([event, { host, classroom, observer, stranger: 'not_joined' }]);
    }
  });
});
