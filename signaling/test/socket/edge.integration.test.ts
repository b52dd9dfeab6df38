/**
 * Bad input at the Socket.IO edge: every malformed, unknown, unauthorised or
 * flooding event gets an error ack and changes nothing on the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { connectClient, ok, request, videoRtpParameters } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

let server: TestServer;
let seeded: SeededLesson;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  server = await startTestServer(1);
  seeded = await seedLiveLesson(server, 2);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server.close();
});

async function client(cookie?: string): Promise<ClientSocket> {
  const s = await connectClient(server.url, cookie);
  sockets.push(s);
  return s;
}

/** Emits anything at all, bypassing the typed protocol, and returns the ack. */
function raw(socket: ClientSocket, event: string, ...args: unknown[]): Promise<unknown> {
  const untyped = socket as unknown as {
    timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<unknown> };
  };
  return untyped.timeout(5000).emitWithAck(event, ...args);
}

describe('the protocol edge', () => {
  it('answers an unknown event with unknown_event', async () => {
    const s = await client();
    expect(await raw(s, 'lesson:destroy', { lessonId: 'x' })).toEqual({
      ok: false,
      error: { code: 'unknown_event', message: 'unknown event "lesson:destroy"' },
    });
  });

  it('rejects malformed payloads with bad_request and joins nothing', async () => {
    const s = await client();
    const bad: unknown[] = [
      { lessonId: '../etc', role: 'host' },
      { lessonId: 'x'.repeat(65), role: 'classroom' },
      { lessonId: 'ok', role: 'admin' },
      { lessonId: 'ok', role: 'host', token: 'n'.repeat(2049) },
      { lessonId: 'ok', role: 'host', extra: true },
      'lesson-1',
      null,
    ];
    for (const payload of bad) {
      const res = await raw(s, 'lesson:join', payload);
      expect(res).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    expect(await raw(s, 'lesson:join', { lessonId: 'ok', role: 'host' }, 'extra')).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(server.app.lessons.size).toBe(0);
  });

  it('refuses media requests before joining', async () => {
    const s = await client();
    const res = await request(s, 'media:createTransport', { direction: 'recv' });
    expect(res).toMatchObject({ ok: false, error: { code: 'not_joined' } });
  });

  it('checks the role of every media action on the server', async () => {
    const host = await client(seeded.teacherCookie);
    const classroom = await client();
    await ok(host, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
    await ok(classroom, 'lesson:join', {
      lessonId: seeded.lessonId,
      role: 'classroom',
      token: seeded.tokens[0],
    });

    // Classrooms send their camera and microphone (return video); they cannot send on a receiving transport.
    await ok(classroom, 'media:createTransport', { direction: 'send' });
    const recv = await ok(classroom, 'media:createTransport', { direction: 'recv' });
    expect(
      await request(classroom, 'media:produce', {
        transportId: recv.id,
        kind: 'video',
        source: 'camera',
        rtpParameters: videoRtpParameters,
      }),
    ).toMatchObject({ ok: false, error: { code: 'media_error' } });
    expect(await request(classroom, 'media:closeProducer', { producerId: 'p' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await request(classroom, 'lesson:join', { lessonId: 'other', role: 'host' })).toMatchObject({
      ok: false,
      error: { code: 'already_joined' },
    });

    // A host cannot send a camera as audio, nor produce on a transport that is not its own.
    const send = await ok(host, 'media:createTransport', { direction: 'send' });
    expect(
      await request(host, 'media:produce', {
        transportId: send.id,
        kind: 'audio',
        source: 'camera',
        rtpParameters: videoRtpParameters,
      }),
    ).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(
      await request(host, 'media:produce', {
        transportId: recv.id,
        kind: 'video',
        source: 'camera',
        rtpParameters: videoRtpParameters,
      }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });

    expect(
      await request(classroom, 'media:consume', {
        transportId: recv.id,
        producerId: 'no-such-producer',
        rtpCapabilities: { codecs: [] },
      }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });

    const res = await fetch(`${server.url}/api/lessons/${seeded.lessonId}/state`, {
      headers: { cookie: seeded.coordinatorCookie },
    });
    expect(await res.json()).toMatchObject({
      lessonId: seeded.lessonId,
      host: { connected: true, live: false },
      producers: [],
      classroomCount: 1,
    });
  });

  it('rate-limits floods', async () => {
    const s = await client();
    const results = await Promise.all(
      Array.from({ length: 120 }, () => request(s, 'media:createTransport', { direction: 'recv' })),
    );
    const codes = results.map((r) => (r.ok ? 'ok' : r.error.code));
    expect(codes.filter((c) => c === 'rate_limited').length).toBeGreaterThan(50);
    expect(codes.filter((c) => c === 'not_joined').length).toBeGreaterThan(0);
  });

  it('drops a connection that sends an oversized message and keeps serving others', async () => {
    const s = await client();
    const closed = new Promise<string>((resolve) => s.once('disconnect', resolve));
    s.emit('lesson:join', { lessonId: 'big', role: 'host', token: 'x'.repeat(100_000) } as never, () => {});
    expect(await closed).toBe('transport close');
    const other = await client();
    const joined = await ok(other, 'lesson:join', {
      lessonId: seeded.lessonId,
      role: 'classroom',
      token: seeded.tokens[1],
    });
    expect(joined.role).toBe('classroom');
    expect(server.app.lessons.get('big')).toBeUndefined();
  });

  it('answers bad HTTP input with a clear error', async () => {
    const res = await fetch(`${server.url}/api/lessons`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: seeded.coordinatorCookie },
      body: '{"title": ',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'bad_request', message: 'malformed request body' } });
    const missing = await fetch(`${server.url}/api/lessons`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: seeded.coordinatorCookie },
      body: JSON.stringify({ title: 'x' }),
    });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/subject/);
    const health = await (await fetch(`${server.url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, workers: 1 });
  });
});
