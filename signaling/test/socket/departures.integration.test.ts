/**
 * A page whose connection drops keeps its place and takes it back on a new connection; a page that does
 * not come back, or leaves on purpose, leaves. Quality reports and ICE restarts over the real protocol.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InteractionState, QualityReport } from '@cloudschool/protocol';
import { connectClient, ok, request, waitFor } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { receivingReport } from '../support/quality.ts';

const GRACE_MS = 1500;
let server: TestServer;
let seeded: SeededLesson;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  server = await startTestServer(1, { reconnectGraceMs: GRACE_MS });
  seeded = await seedLiveLesson(server, 3);
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

async function host(): Promise<{ socket: ClientSocket; view: () => InteractionState }> {
  const socket = await connect(seeded.teacherCookie);
  const join = await ok(socket, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
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

/** The connection drops without a goodbye, as when a router reboots. */
function drop(socket: ClientSocket): void {
  socket.io.engine.close();
}

const tile = (view: InteractionState, i: number) =>
  view.tiles?.find((t) => t.classroomId === seeded.classroomIds[i]);
const lesson = () => server.app.lessons.get(seeded.lessonId)!;
/** A page of the lesson, if the lesson still runs (it closes when its last page leaves). */
const pageOf = (peerId: string) => server.app.lessons.get(seeded.lessonId)?.page(peerId);
const presences = async () => (await server.store.listPresence(seeded.lessonId, Date.now())).length;

const report = receivingReport();

describe('a dropped connection', () => {
  it('keeps the page, shows it reconnecting, and gives it back on a new connection', async () => {
    const h = await host();
    const { socket, join } = await classroom(0);
    await waitFor(() => tile(h.view(), 0)?.connected === true, 'the host sees the classroom');
    const pagesBefore = lesson().localPageCount;
    expect(await presences()).toBe(1);

    drop(socket);
    await waitFor(() => tile(h.view(), 0)?.quality === 'reconnecting', 'the tile says reconnecting');
    expect(tile(h.view(), 0)?.connected).toBe(true);
    expect(lesson().localPageCount).toBe(pagesBefore);

    const again = await connect();
    const back = await ok(again, 'lesson:resume', {
      lessonId: seeded.lessonId,
      peerId: join.peerId,
      token: join.resumeToken,
    });
    expect(back.state.classroomCount).toBe(join.state.classroomCount);
    expect(back.personal?.classroomId).toBe(seeded.classroomIds[0]);
    await waitFor(() => tile(h.view(), 0)?.quality !== 'reconnecting', 'the tile is back');
    expect(lesson().localPageCount).toBe(pagesBefore);
    expect(await presences()).toBe(1);
    // The page goes on where it was: it asks, it is heard.
    await ok(again, 'hand:raise', {});
    await waitFor(() => h.view().hands.length === 1, 'the hand reaches the host');
    await ok(again, 'hand:lower', {});
  });

  it('refuses a wrong token or a page that is not waiting, and changes nothing', async () => {
    const { socket, join } = await classroom(1);
    const stranger = await connect();
    const notWaiting = await request(stranger, 'lesson:resume', {
      lessonId: seeded.lessonId,
      peerId: join.peerId,
      token: join.resumeToken,
    });
    expect(notWaiting).toMatchObject({ ok: false, error: { code: 'not_found' } });
    drop(socket);
    await waitFor(() => lesson().page(join.peerId)?.reconnecting === true, 'the page waits');
    const forged = await request(stranger, 'lesson:resume', {
      lessonId: seeded.lessonId,
      peerId: join.peerId,
      token: 'x'.repeat(32),
    });
    expect(forged).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(lesson().page(join.peerId)?.reconnecting).toBe(true);
  });

  it('lets a page that does not come back leave once the grace is over', async () => {
    const { socket, join } = await classroom(2);
    drop(socket);
    await waitFor(() => lesson().page(join.peerId)?.reconnecting === true, 'the page waits');
    await waitFor(() => pageOf(join.peerId) === undefined, 'the page leaves', GRACE_MS + 3000);
  });

  it('drops a waiting page at once when its classroom joins again on a new connection', async () => {
    const first = await classroom(1);
    drop(first.socket);
    await waitFor(() => lesson().page(first.join.peerId)?.reconnecting === true, 'the page waits');
    const second = await classroom(1);
    expect(lesson().page(first.join.peerId)).toBeUndefined();
    expect(lesson().page(second.join.peerId)).toBeDefined();
  });

  it('lets a page that leaves on purpose leave at once', async () => {
    const { socket, join } = await classroom(0);
    socket.disconnect();
    await waitFor(() => pageOf(join.peerId) === undefined, 'the page leaves', 1000);
  });
});

describe('quality and ICE over the protocol', () => {
  it('answers a report with a level, refuses one too soon, and shows the level on the host’s tile', async () => {
    const h = await host();
    const { socket } = await classroom(0);
    expect(await ok(socket, 'quality:report', report)).toEqual({ level: 'good', hint: 'none' });
    await waitFor(() => tile(h.view(), 0)?.quality === 'good', 'the host sees the level');
    expect(await request(socket, 'quality:report', report)).toMatchObject({
      ok: false,
      error: { code: 'rate_limited' },
    });
    const bogus = await request(socket, 'quality:report', { ...report, intervalMs: -1 } as QualityReport);
    expect(bogus).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('gives a WebRTC transport new ICE credentials on request', async () => {
    const { socket } = await classroom(0);
    const transport = await ok(socket, 'media:createTransport', { direction: 'recv' });
    const { iceParameters } = await ok(socket, 'media:restartIce', { transportId: transport.id });
    expect(iceParameters.usernameFragment).not.toBe(transport.iceParameters.usernameFragment);
    const plain = await ok(socket, 'media:createPlainTransport', { direction: 'recv' });
    expect(await request(socket, 'media:restartIce', { transportId: plain.id })).toMatchObject({
      ok: false,
      error: { code: 'media_error' },
    });
  });

  it("asks for fresh key frames on the page's own transport only", async () => {
    const { socket } = await classroom(0);
    const other = await classroom(1);
    const transport = await ok(socket, 'media:createTransport', { direction: 'recv' });
    expect(await ok(socket, 'media:keyFrames', { transportId: transport.id })).toBeNull();
    expect(await request(other.socket, 'media:keyFrames', { transportId: transport.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    const bogus = await request(socket, 'media:keyFrames', { transportId: 7 } as never);
    expect(bogus).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });
});
