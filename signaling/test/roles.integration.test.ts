/**
 * The role matrix: every HTTP route and socket event × every kind of caller
 * gets exactly the allowed outcome. Classrooms have no accounts: their
 * tokens open a lesson over Socket.IO and nothing over HTTP.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_GRACE_MS } from '../src/domain/lessonStatus.ts';
import type { ClientEvent } from '../src/protocol/index.ts';
import { seedLiveLesson } from './support/fixtures.ts';
import type { SeededLesson } from './support/fixtures.ts';
import { connectClient, request, startTestServer } from './support/server.ts';
import type { ClientSocket, TestServer } from './support/server.ts';

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
  const lesson = (await server.store.getLesson(seeded.lessonId))!;
  const expired = await svc.tokens.sign(
    { lessonId: lesson.id, classroomId: seeded.classroomIds[1]!, role: 'classroom' },
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
    const key = await server.app.lessonService.tokens.signCalendar(id);
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

  async function join(who: Who, role: 'host' | 'classroom', lessonId = seeded.lessonId): Promise<string> {
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

  it('media events: only joined callers, and only the host sends', async () => {
    const joined = async (who: Who, role: 'host' | 'classroom'): Promise<ClientSocket> => {
      const s = await socketFor(who);
      const res = await request(s, 'lesson:join', {
        lessonId: seeded.lessonId,
        role,
        ...(creds[who].token ? { token: creds[who].token } : {}),
      });
      expect(res.ok).toBe(true);
      return s;
    };
    const host = await joined('hostTeacher', 'host');
    const classroom = await joined('classroomOfLesson', 'classroom');
    const stranger = await socketFor('coordinator');
    const events: { event: ClientEvent; payload: object; host: string; classroom: string }[] = [
      { event: 'media:createTransport', payload: { direction: 'send' }, host: 'ok', classroom: 'forbidden' },
      { event: 'media:createTransport', payload: { direction: 'recv' }, host: 'ok', classroom: 'ok' },
      {
        event: 'media:createPlainTransport',
        payload: { direction: 'send' },
        host: 'ok',
        classroom: 'forbidden',
      },
      {
        event: 'media:closeProducer',
        payload: { producerId: 'x' },
        host: 'not_found',
        classroom: 'forbidden',
      },
      {
        event: 'media:produce',
        payload: {
          transportId: 'x',
          kind: 'audio',
          source: 'mic',
          rtpParameters: {
            codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
          },
        },
        host: 'not_found',
        classroom: 'forbidden',
      },
      {
        event: 'media:consume',
        payload: { transportId: 'x', producerId: 'y', rtpCapabilities: {} },
        host: 'not_found',
        classroom: 'not_found',
      },
      {
        event: 'media:resumeConsumer',
        payload: { consumerId: 'x' },
        host: 'not_found',
        classroom: 'not_found',
      },
      {
        event: 'media:connectTransport',
        payload: {
          transportId: 'x',
          dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AB' }] },
        },
        host: 'not_found',
        classroom: 'not_found',
      },
    ];
    const code = async (s: ClientSocket, e: (typeof events)[number]) => {
      const res = await request(s, e.event, e.payload as never);
      return res.ok ? 'ok' : res.error.code;
    };
    for (const e of events) {
      expect([e.event, await code(host, e)]).toEqual([e.event, e.host]);
      expect([e.event, await code(classroom, e)]).toEqual([e.event, e.classroom]);
      expect([e.event, await code(stranger, e)]).toEqual([e.event, 'not_joined']);
    }
  });
});
