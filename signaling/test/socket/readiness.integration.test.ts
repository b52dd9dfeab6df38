/**
 * "Ready before 8:00" over the real protocol: a classroom's self-check, before the lesson starts, reaches the
 * host side's and the patrol's views; bad reports change nothing; a page reports for itself only; a page
 * that lost its connection is checking again until it reports once back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionState, ReadinessResults } from '@cloudschool/protocol';
import { connectClient, ok, request, waitFor } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

const GRACE_MS = 5000;
let server: TestServer;
let seeded: SeededLesson;
const sockets: ClientSocket[] = [];

const allOk: ReadinessResults = { camera: 'ok', microphone: 'ok', speaker: 'ok', network: 'ok', sound: 'ok' };

beforeAll(async () => {
  server = await startTestServer(1, { reconnectGraceMs: GRACE_MS });
  // Not started: the classrooms wait, as at 7:50.
  seeded = await seedLiveLesson(server, 3, false);
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => {
  await server.close();
});

async function connect(cookie?: string): Promise<ClientSocket> {
  const socket = await connectClient(server.url, cookie);
  sockets.push(socket);
  return socket;
}

/** The host side's page (the host teacher, or a coordinator on patrol) and its latest view. */
async function staff(
  role: 'host' | 'observer',
): Promise<{ socket: ClientSocket; view: () => InteractionState }> {
  const socket = await connect(role === 'host' ? seeded.teacherCookie : seeded.coordinatorCookie);
  const join = await ok(socket, 'lesson:join', { lessonId: seeded.lessonId, role });
  let view = join.interaction;
  socket.on('interaction:state', (s) => (view = s));
  return { socket, view: () => view };
}

async function classroom(i: number) {
  const socket = await connect();
  const join = await ok(socket, 'lesson:join', {
    lessonId: seeded.lessonId,
    role: 'classroom',
    token: seeded.tokens[i],
  });
  return { socket, join };
}

const readinessOf = (view: InteractionState, i: number) =>
  view.tiles?.find((t) => t.classroomId === seeded.classroomIds[i])?.readiness;

describe('readiness:report', () => {
  it('reaches the host console and the patrol before the lesson starts; bad reports change nothing', async () => {
    const host = await staff('host');
    const patrol = await staff('observer');
    const { socket } = await classroom(0);
    expect(server.app.lessons.get(seeded.lessonId)?.info.status).not.toBe('live');
    await waitFor(
      () => readinessOf(host.view(), 0)?.state === 'checking',
      'a connected classroom is checking',
    );
    expect(readinessOf(host.view(), 1)).toBeNull();

    const bad = [
      { ...allOk, microphone: 'loud' },
      { ...allOk, classroomId: seeded.classroomIds[1] },
      { camera: 'ok' },
      'ready',
    ];
    for (const payload of bad) {
      // Untyped on purpose: what a broken or hostile page could send.
      const res = await request(socket, 'readiness:report', payload as unknown as ReadinessResults);
      expect(res.ok ? null : res.error.code).toBe('bad_request');
    }
    expect(server.app.lessons.get(seeded.lessonId)?.readiness.of(seeded.classroomIds[0]!)?.state).toBe(
      'checking',
    );

    await ok(socket, 'readiness:report', { ...allOk, microphone: 'muted', speaker: 'not_heard' });
    const expected = {
      state: 'not_ready',
      failures: [{ check: 'microphone', reason: 'muted' }],
      warnings: [{ check: 'speaker', reason: 'not_heard' }],
    };
    for (const side of [host, patrol]) {
      await waitFor(() => readinessOf(side.view(), 0)?.state === 'not_ready', 'the report is shown');
      expect(readinessOf(side.view(), 0)).toEqual(expected);
      expect(readinessOf(side.view(), 1)).toBeNull();
    }
  });

  it('is a classroom’s own: the host side cannot report, a classroom reports only for itself', async () => {
    const host = await staff('host');
    const patrol = await staff('observer');
    for (const side of [host, patrol]) {
      const res = await request(side.socket, 'readiness:report', allOk);
      expect(res.ok ? null : res.error.code).toBe('forbidden');
    }
    const stranger = await connect();
    const res = await request(stranger, 'readiness:report', allOk);
    expect(res.ok ? null : res.error.code).toBe('not_joined');

    const { socket } = await classroom(1);
    await ok(socket, 'readiness:report', { ...allOk, camera: 'not_found' });
    await waitFor(() => readinessOf(host.view(), 1)?.state === 'not_ready', 'classroom 1 not ready');
    expect(readinessOf(host.view(), 1)?.failures).toEqual([{ check: 'camera', reason: 'not_found' }]);
    expect(readinessOf(host.view(), 2)).toBeNull();
  });

  it('checks again after a dropped connection, until the page reports once back', async () => {
    const host = await staff('host');
    const { socket, join } = await classroom(2);
    await ok(socket, 'readiness:report', allOk);
    await waitFor(() => readinessOf(host.view(), 2)?.state === 'ready', 'classroom 2 ready');

    socket.io.engine.close();
    await waitFor(() => readinessOf(host.view(), 2)?.state === 'checking', 'checking while it reconnects');

    const again = await connect();
    await ok(again, 'lesson:resume', {
      lessonId: seeded.lessonId,
      peerId: join.peerId,
      token: join.resumeToken,
    });
    expect(readinessOf(host.view(), 2)?.state).toBe('checking');
    await ok(again, 'readiness:report', { ...allOk, sound: 'blocked' });
    await waitFor(() => readinessOf(host.view(), 2)?.state === 'not_ready', 'its new report is shown');
    expect(readinessOf(host.view(), 2)?.failures).toEqual([{ check: 'sound', reason: 'blocked' }]);
  });
});
