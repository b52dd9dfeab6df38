/**
 * Bad input at the Socket.IO edge: every malformed, unknown, unauthorised or
 * flooding event gets an error ack and changes nothing on the server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, ok, request, startTestServer } from './support/server.ts';
import type { ClientSocket, TestServer } from './support/server.ts';
import { videoRtpParameters } from './support/rtp.ts';

let server: TestServer;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  server = await startTestServer(1);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server.close();
});

async function client(): Promise<ClientSocket> {
  const s = await connectClient(server.url);
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

async function lessonState(id: string): Promise<number> {
  return (await fetch(`${server.url}/api/lessons/${id}/state`)).status;
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
      { lessonId: 'ok', role: 'host', displayName: 'n'.repeat(61) },
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
    expect(await lessonState('ok')).toBe(404);
  });

  it('refuses media requests before joining', async () => {
    const s = await client();
    const res = await request(s, 'media:createTransport', { direction: 'recv' });
    expect(res).toMatchObject({ ok: false, error: { code: 'not_joined' } });
  });

  it('checks the role of every media action on the server', async () => {
    const host = await client();
    const classroom = await client();
    await ok(host, 'lesson:join', { lessonId: 'roles', role: 'host' });
    await ok(classroom, 'lesson:join', { lessonId: 'roles', role: 'classroom' });

    expect(await request(classroom, 'media:createTransport', { direction: 'send' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const recv = await ok(classroom, 'media:createTransport', { direction: 'recv' });
    expect(
      await request(classroom, 'media:produce', {
        transportId: recv.id,
        kind: 'video',
        source: 'camera',
        rtpParameters: videoRtpParameters,
      }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await request(classroom, 'media:closeProducer', { producerId: 'p' })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
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

    const state = await (await fetch(`${server.url}/api/lessons/roles/state`)).json();
    expect(state).toEqual({
      lessonId: 'roles',
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
    s.emit(
      'lesson:join',
      { lessonId: 'big', role: 'host', displayName: 'x'.repeat(100_000) } as never,
      () => {},
    );
    expect(await closed).toBe('transport close');
    const other = await client();
    expect((await ok(other, 'lesson:join', { lessonId: 'fine', role: 'classroom' })).role).toBe('classroom');
    expect(server.app.lessons.get('big')).toBeUndefined();
  });

  it('answers bad HTTP input with a clear error', async () => {
    const res = await fetch(`${server.url}/api/lessons/${encodeURIComponent('a b')}/state`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { code: 'bad_request', message: 'invalid lesson id' } });
    const health = await (await fetch(`${server.url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, workers: 1 });
  });
});
