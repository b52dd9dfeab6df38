/**
 * Classroom PCs: a classroom's first PC is admitted and gets a credential; the same PC reloading takes over
 * its page quietly; a new PC for a classroom open elsewhere waits for the host teacher, who admits it (it
 * takes over) or refuses it (it never gets a page); the host can remove a classroom and bar its PC.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceCredential, InteractionState } from '@cloudschool/protocol';
import { connectClient, ok, request, waitFor } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

let server: TestServer;
let seeded: SeededLesson;
const sockets: ClientSocket[] = [];

beforeEach(async () => {
  server = await startTestServer(1);
  seeded = await seedLiveLesson(server, 2);
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await server.close();
});

async function connect(cookie?: string): Promise<ClientSocket> {
  const socket = await connectClient(server.url, cookie);
  sockets.push(socket);
  return socket;
}

async function host(): Promise<{ socket: ClientSocket; view: () => InteractionState }> {
  const socket = await connect(seeded.teacherCookie);
  let view = (await ok(socket, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' })).interaction;
  socket.on('interaction:state', (s) => (view = s));
  return { socket, view: () => view };
}

/** A PC opening classroom 0's link, with the credential it kept (if any). */
async function pc(device?: DeviceCredential) {
  const socket = await connect();
  const events: string[] = [];
  let decision: { admitted: boolean; device: DeviceCredential | null } | undefined;
  socket.on('session:replaced', () => events.push('replaced'));
  socket.on('session:removed', ({ by }) => events.push(`removed by ${by}`));
  socket.on('device:decision', (d) => (decision = d));
  const join = await request(socket, 'lesson:join', {
    lessonId: seeded.lessonId,
    role: 'classroom',
    token: seeded.tokens[0],
    deviceLabel: 'Windows · Chrome',
    ...(device ? { device } : {}),
  });
  return { socket, join, events, decision: () => decision };
}

const pagesOfClassroom = () =>
  server.app.lessons
    .get(seeded.lessonId)
    ?.pagesOf(seeded.classroomIds[0]!)
    .map((p) => p.peerId) ?? [];

describe('classroom PCs', () => {
  it('admits a classroom’s first PC with a credential, and lets that PC take its page back quietly', async () => {
    const first = await pc();
    expect(first.join.ok).toBe(true);
    const credential = first.join.ok ? first.join.data.device : null;
    expect(credential?.secret.length).toBeGreaterThanOrEqual(32);
    const again = await pc(credential!);
    expect(again.join.ok && again.join.data.device).toBe(null);
    await waitFor(
      () => first.events.includes('replaced') && first.socket.disconnected,
      'the old page gives way',
    );
    expect(pagesOfClassroom()).toEqual([again.join.ok ? again.join.data.peerId : '']);
  });

  it('makes a new PC wait for the host, who refuses it: it never gets a page', async () => {
    const h = await host();
    const first = await pc();
    const stranger = await pc();
    expect(stranger.join).toMatchObject({ ok: false, error: { code: 'device_pending' } });
    await waitFor(() => (h.view().deviceRequests ?? []).length === 1, 'the host sees the request');
    const [asked] = h.view().deviceRequests!;
    expect(asked).toMatchObject({ classroomId: seeded.classroomIds[0], label: 'Windows · Chrome' });
    await ok(h.socket, 'device:refuse', { requestId: asked!.requestId });
    await waitFor(() => stranger.decision()?.admitted === false && stranger.socket.disconnected, 'refused');
    await waitFor(() => (h.view().deviceRequests ?? []).length === 0, 'the request is gone');
    expect(pagesOfClassroom()).toEqual([first.join.ok ? first.join.data.peerId : '']);
    expect(first.socket.disconnected).toBe(false);
  });

  it('lets the host admit a new PC, which takes over from the old page', async () => {
    const h = await host();
    const first = await pc();
    const newcomer = await pc();
    await waitFor(() => (h.view().deviceRequests ?? []).length === 1, 'the host sees the request');
    await ok(h.socket, 'device:admit', { requestId: h.view().deviceRequests![0]!.requestId });
    await waitFor(() => newcomer.decision()?.admitted === true, 'admitted');
    const joined = await ok(newcomer.socket, 'lesson:join', {
      lessonId: seeded.lessonId,
      role: 'classroom',
      token: seeded.tokens[0],
      device: newcomer.decision()!.device!,
    });
    await waitFor(
      () => first.events.includes('replaced') && first.socket.disconnected,
      'the old page gives way',
    );
    expect(pagesOfClassroom()).toEqual([joined.peerId]);
  });

  it('forgets the request of a PC that gives up waiting', async () => {
    const h = await host();
    await pc();
    const stranger = await pc();
    await waitFor(() => (h.view().deviceRequests ?? []).length === 1, 'the host sees the request');
    stranger.socket.disconnect();
    await waitFor(() => (h.view().deviceRequests ?? []).length === 0, 'the request is gone');
  });

  it('lets the host remove a classroom and bar its PC: it must be let in again', async () => {
    const h = await host();
    const first = await pc();
    const credential = first.join.ok ? first.join.data.device : null;
    await ok(h.socket, 'page:remove', { classroomId: seeded.classroomIds[0]!, block: true });
    await waitFor(
      () => first.events.includes('removed by host') && first.socket.disconnected,
      'the page is removed',
    );
    const back = await pc(credential!);
    expect(back.join).toMatchObject({ ok: false, error: { code: 'device_pending' } });
    const stranger = await pc();
    expect(stranger.join).toMatchObject({ ok: false, error: { code: 'device_pending' } });
    await waitFor(() => (h.view().deviceRequests ?? []).length === 2, 'both wait for the host');
  });

  it('refuses device decisions to anyone but the host', async () => {
    const first = await pc();
    expect(await request(first.socket, 'device:admit', { requestId: 'r1' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(
      await request(first.socket, 'page:remove', { classroomId: seeded.classroomIds[1]!, block: true }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});

/** An HTTP call as a coordinator (or with another cookie): status and JSON body. */
async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  cookie = seeded.coordinatorCookie,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { cookie, origin: server.url, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

describe('classroom codes and PCs, managed by coordinators', () => {
  it('rotates a code: the old code, join links and calendar keys stop working; admitted PCs stay admitted', async () => {
    const id = seeded.classroomIds[0]!;
    const before = (await server.store.getClassroom(id))!;
    const first = await pc();
    const credential = first.join.ok ? first.join.data.device : null;
    const calendarKey = await server.app.lessonService.tokens.signCalendar(id, before.code);
    const rotated = await api<{ classroom: { code: string } }>('POST', `/api/classrooms/${id}/code`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.classroom.code).not.toBe(before.code);
    expect(rotated.body.classroom.code).toMatch(/^[A-HJ-KM-NP-Z2-9]{6}$/);
    expect((await api('POST', '/api/join/code', { code: before.code }, '')).status).toBe(404);
    expect((await api('POST', '/api/join/code', { code: rotated.body.classroom.code }, '')).status).toBe(200);
    expect((await fetch(`${server.url}/api/calendar/${id}.ics?key=${calendarKey}`)).status).toBe(401);
    expect((await pc(credential!)).join).toMatchObject({ ok: false, error: { code: 'invalid_token' } });
    // A link for the new code, from the PC the classroom already uses: it takes its page back.
    const lesson = (await server.store.getLesson(seeded.lessonId))!;
    seeded.tokens[0] = await server.app.lessonService.joinToken(lesson, id);
    const back = await pc(credential!);
    expect(back.join.ok && back.join.data.device).toBe(null);
    const audit = await server.app.audit.list({ from: 0, to: Date.now() + 1, limit: 50 });
    expect(audit.entries.filter((e) => e.kind === 'classroom_code_rotated').map((e) => e.subjectId)).toEqual([
      id,
    ]);
  });

  it('rotates many codes at once, all or nothing', async () => {
    const before = await server.store.listClassrooms();
    const unknown = await api('POST', '/api/classrooms/codes', {
      classroomIds: [seeded.classroomIds[0], 'no-such-classroom'],
    });
    expect(unknown.status).toBe(404);
    expect(await server.store.listClassrooms()).toEqual(before);
    const all = await api('POST', '/api/classrooms/codes', { classroomIds: before.map((c) => c.id) });
    expect(all.status).toBe(200);
    const after = await server.store.listClassrooms();
    expect(new Set(after.map((c) => c.code)).size).toBe(before.length);
    for (const c of after) expect(c.code).not.toBe(before.find((b) => b.id === c.id)!.code);
    expect((await api('POST', '/api/classrooms/codes', { classroomIds: [] })).status).toBe(400);
  });

  it('pre-approves a PC, which then takes over a live classroom without waiting; revoking it closes its page', async () => {
    const id = seeded.classroomIds[0]!;
    await pc();
    const approved = await api<{ enrollPath: string }>('POST', `/api/classrooms/${id}/devices`, {
      label: '多媒体教室 PC',
    });
    expect(approved.status).toBe(201);
    const [classroomId, deviceId, secret] = approved.body.enrollPath.split('#')[1]!.split('.');
    expect(classroomId).toBe(id);
    const enrolled = await pc({ id: deviceId!, secret: secret! });
    expect(enrolled.join.ok).toBe(true);
    const listed = await api<{ devices: { admittedBy: string }[] }>('GET', `/api/classrooms/${id}/devices`);
    expect(listed.body.devices).toHaveLength(2);
    expect(listed.body.devices.map((d) => d.admittedBy)).toEqual(['first-join', 'coordinator']);
    expect(JSON.stringify(listed.body)).not.toContain(secret!);
    expect((await api('DELETE', `/api/classrooms/${id}/devices/${deviceId}`)).status).toBe(204);
    await waitFor(
      () => enrolled.events.includes('removed by coordinator') && enrolled.socket.disconnected,
      'the revoked PC’s page closes',
    );
    expect((await api('DELETE', `/api/classrooms/${id}/devices/${deviceId}`)).status).toBe(404);
    const kinds = (await server.app.audit.list({ from: 0, to: Date.now() + 1, limit: 50 })).entries.map(
      (e) => e.kind,
    );
    expect(kinds).toEqual(expect.arrayContaining(['device_approved', 'device_revoked']));
  });

  it('lets only coordinators rotate codes and manage PCs', async () => {
    const id = seeded.classroomIds[0]!;
    const code = (await server.store.getClassroom(id))!.code;
    for (const cookie of [seeded.teacherCookie, '']) {
      const expected = cookie ? 403 : 401;
      expect((await api('POST', `/api/classrooms/${id}/code`, undefined, cookie)).status).toBe(expected);
      expect((await api('POST', '/api/classrooms/codes', { classroomIds: [id] }, cookie)).status).toBe(
        expected,
      );
      expect((await api('GET', `/api/classrooms/${id}/devices`, undefined, cookie)).status).toBe(expected);
      expect((await api('POST', `/api/classrooms/${id}/devices`, { label: 'x' }, cookie)).status).toBe(
        expected,
      );
    }
    expect((await server.store.getClassroom(id))!.code).toBe(code);
    expect(await server.store.listDevices(id)).toEqual([]);
  });
});
