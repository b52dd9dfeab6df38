/** Permissions checked again when they change: logout, the lesson's end, an invitation or host taken away. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectClient, ok, request, waitFor } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import { login, seedLiveLesson, TEACHER } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

let server: TestServer;
let seeded: SeededLesson;
const sockets: ClientSocket[] = [];

beforeEach(async () => {
  server = await startTestServer(1);
  seeded = await seedLiveLesson(server, 3);
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await server.close();
});

async function page(role: 'host' | 'classroom', i = 0, cookie?: string): Promise<ClientSocket> {
  const socket = await connectClient(
    server.url,
    role === 'host' ? (cookie ?? seeded.teacherCookie) : undefined,
  );
  sockets.push(socket);
  await ok(socket, 'lesson:join', {
    lessonId: seeded.lessonId,
    role,
    ...(role === 'classroom' ? { token: seeded.tokens[i] } : {}),
  });
  return socket;
}

const closed = (socket: ClientSocket) => () => socket.disconnected;

describe('permissions checked again when they change', () => {
  it('closes the connections of a login that logs out, and only those', async () => {
    const other = await login(server, TEACHER);
    const host = await page('host');
    const second = await connectClient(server.url, other);
    sockets.push(second);
    const res = await fetch(`${server.url}/api/auth/logout`, {
      method: 'POST',
      headers: { cookie: seeded.teacherCookie },
    });
    expect(res.status).toBe(204);
    await waitFor(closed(host), 'the logged-out host page closes');
    expect(second.disconnected).toBe(false);
  });

  it('closes every page once the lesson ends, and admits none after', async () => {
    const host = await page('host');
    const room = await page('classroom', 0);
    const ended = await fetch(`${server.url}/api/lessons/${seeded.lessonId}/end`, {
      method: 'POST',
      headers: { cookie: seeded.teacherCookie },
    });
    expect(ended.status).toBe(200);
    await waitFor(() => host.disconnected && room.disconnected, 'every page closes', 5000);
    const late = await connectClient(server.url);
    sockets.push(late);
    expect(
      await request(late, 'lesson:join', {
        lessonId: seeded.lessonId,
        role: 'classroom',
        token: seeded.tokens[1],
      }),
    ).toMatchObject({ ok: false, error: { code: 'lesson_closed' } });
  });

  it('closes the pages of a classroom no longer invited, and the host console of a replaced teacher', async () => {
    const host = await page('host');
    const kept = await page('classroom', 0);
    const dropped = await page('classroom', 1);
    const lesson = (await server.store.getLesson(seeded.lessonId))!;
    const others = await server.store.listAccounts();
    const newTeacher = others.find((a) => a.role === 'teacher' && a.id !== lesson.hostTeacherId)!;
    const res = await fetch(`${server.url}/api/lessons/${seeded.lessonId}`, {
      method: 'PUT',
      headers: { cookie: seeded.coordinatorCookie, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: lesson.title,
        subject: lesson.subject,
        grade: lesson.grade,
        hostClassroomId: lesson.hostClassroomId,
        hostTeacherId: newTeacher.id,
        startsAt: new Date(lesson.startsAt).toISOString(),
        endsAt: new Date(lesson.endsAt).toISOString(),
        invite: { classroomIds: [seeded.classroomIds[0], seeded.classroomIds[2]] },
      }),
    });
    expect(res.status).toBe(200);
    await waitFor(
      () => dropped.disconnected && host.disconnected,
      'the uninvited classroom and old host close',
    );
    expect(kept.disconnected).toBe(false);
  });
});
