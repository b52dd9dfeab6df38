import { createAccount } from '../../src/http/authRoutes.ts';
import type { TestServer } from './server.ts';

export const COORDINATOR = { username: 'coord', password: 'coord-pass-1', displayName: '协调员' };
export const TEACHER = { username: 'teacher', password: 'teacher-pass-1', displayName: '王老师' };
export const OTHER_TEACHER = { username: 'teacher2', password: 'teacher-pass-2', displayName: '李老师' };

/** Logs in over HTTP and returns the session cookie ("cs_session=…"). */
export async function login(
  server: TestServer,
  who: { username: string; password: string },
): Promise<string> {
  const res = await fetch(`${server.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: who.username, password: who.password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('cs_session='));
  if (!cookie) throw new Error('no session cookie');
  return cookie.split(';')[0]!;
}

export interface Seeded {
  coordinatorCookie: string;
  teacherCookie: string;
  otherTeacherCookie: string;
  teacherId: string;
  hostClassroomId: string;
  classroomIds: string[];
}

/** Accounts and a roster: one host school with a host classroom, `remote` remote classrooms. */
export async function seedRoster(server: TestServer, remote = 3): Promise<Seeded> {
  await createAccount(server.store, { ...COORDINATOR, role: 'coordinator' });
  const teacher = await createAccount(server.store, { ...TEACHER, role: 'teacher' });
  await createAccount(server.store, { ...OTHER_TEACHER, role: 'teacher' });
  const coordinatorCookie = await login(server, COORDINATOR);
  const rows = ['school,province,city,district,classroom,kind,notes', '一中,四川,成都,武侯,主讲教室,host,'];
  for (let i = 1; i <= remote; i++) rows.push(`乡村小学${i},四川,凉山,昭觉,六年级${i}班,remote,`);
  const res = await fetch(`${server.url}/api/roster/import`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv', cookie: coordinatorCookie },
    body: rows.join('\n'),
  });
  if (res.status !== 200) throw new Error(`import failed: ${await res.text()}`);
  const classrooms = await server.store.listClassrooms();
  return {
    coordinatorCookie,
    teacherCookie: await login(server, TEACHER),
    otherTeacherCookie: await login(server, OTHER_TEACHER),
    teacherId: teacher.id,
    hostClassroomId: classrooms.find((c) => c.kind === 'host')!.id,
    classroomIds: classrooms.filter((c) => c.kind === 'remote').map((c) => c.id),
  };
}

export interface SeededLesson extends Seeded {
  lessonId: string;
  /** Join tokens, one per invited classroom, in classroomIds order. */
  tokens: string[];
}

/** A lesson running now for every remote classroom, started by its teacher unless `start` is false. */
export async function seedLiveLesson(server: TestServer, remote = 3, start = true): Promise<SeededLesson> {
  const seeded = await seedRoster(server, remote);
  const now = Date.now();
  const coordinator = (await server.store.getAccountByUsername(COORDINATOR.username))!;
  const teacher = (await server.store.getAccount(seeded.teacherId))!;
  const [lesson] = await server.app.lessonService.create(
    {
      title: '数学',
      subject: '数学',
      grade: '六年级',
      hostClassroomId: seeded.hostClassroomId,
      hostTeacherId: seeded.teacherId,
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 3600_000).toISOString(),
      invite: { all: true, classroomIds: [], schoolIds: [], cities: [], provinces: [] },
    },
    coordinator,
  );
  if (start) await server.app.lessonService.start(lesson!.id, teacher);
  const tokens = await Promise.all(
    seeded.classroomIds.map((id) => server.app.lessonService.joinToken(lesson!, id)),
  );
  return { ...seeded, lessonId: lesson!.id, tokens };
}

/**
 * The join token with one character of its signature changed, which every verifier refuses. Not its last
 * character: the low bits of that one are base64url padding, which decoding ignores (a token whose last two
 * characters were replaced by "xx" stayed valid about once in a thousand runs).
 */
export function forgedToken(token: string): string {
  const i = token.length - 8;
  return `${token.slice(0, i)}${token[i] === 'A' ? 'B' : 'A'}${token.slice(i + 1)}`;
}
