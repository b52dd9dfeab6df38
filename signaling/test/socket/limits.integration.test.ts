/**
 * Races and ceilings: connections that drop while they join leave nothing behind; a page cannot hold more
 * transports, producers or consumers than it can use, a connection more board syncs or chat messages than a lesson needs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, ok, publish, request, RtpSender, waitFor } from '@cloudschool/testkit';
import { PAGE_CEILINGS } from '../../src/lesson/mediaRules.ts';
import type { ClientSocket } from '@cloudschool/testkit';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

let server: TestServer;
let seeded: SeededLesson;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  server = await startTestServer(1);
  seeded = await seedLiveLesson(server, 3);
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => {
  await server.close();
});

async function health(): Promise<{ pages: number; lessons: number; heartbeats: number; waiting: number }> {
  return (await fetch(`${server.url}/healthz`)).json() as Promise<{
    pages: number;
    lessons: number;
    heartbeats: number;
    waiting: number;
  }>;
}

/**
 * `n` requests at once: the edge lets the first 40 through (its burst) and refuses the rest
 * `rate_limited`; of those 40, no more than the ceiling may succeed.
 */
function all<T>(n: number, send: () => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, send));
}

/** The codes of the refusals among `answers`. */
function refusals(answers: { ok: boolean; error?: { code: string } }[]): Set<string> {
  return new Set(answers.flatMap((r) => (r.ok ? [] : [r.error!.code])));
}

async function classroom(i: number) {
  const socket = await connectClient(server.url);
  sockets.push(socket);
  const join = await ok(socket, 'lesson:join', {
    lessonId: seeded.lessonId,
    role: 'classroom',
    token: seeded.tokens[i],
  });
  return { socket, join };
}

describe('join races', () => {
  it('leaves no page, presence or timer behind after 1,000 connect → join → disconnect races', async () => {
    const one = async (n: number): Promise<void> => {
      const socket = await connectClient(server.url);
      const joining = request(socket, 'lesson:join', {
        lessonId: seeded.lessonId,
        role: 'classroom',
        token: seeded.tokens[n % 3],
      }).catch(() => undefined);
      // Leave at every moment of the join: at once, while it is authorised, while it is added.
      await new Promise((resolve) => setTimeout(resolve, n % 7));
      socket.disconnect();
      await joining;
    };
    for (let batch = 0; batch < 1000; batch += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => one(batch + i)));
    }
    await waitFor(
      () => server.app.lessons.size === 0,
      'the lesson closes once its last page is gone',
      20_000,
    );
    expect(await health()).toMatchObject({ pages: 0, lessons: 0, heartbeats: 0, waiting: 0 });
    expect(await server.store.listPresence(seeded.lessonId, Date.now())).toEqual([]);
  });

  it('refuses a second join on one connection, even while the first is running', async () => {
    const socket = await connectClient(server.url);
    sockets.push(socket);
    const join = { lessonId: seeded.lessonId, role: 'classroom' as const, token: seeded.tokens[0] };
    const [first, second] = await Promise.all([
      request(socket, 'lesson:join', join),
      request(socket, 'lesson:join', join),
    ]);
    expect([first.ok, second.ok].sort()).toEqual([false, true]);
    const refused = first.ok ? second : first;
    expect(refused).toMatchObject({ ok: false, error: { code: 'already_joined' } });
  });
});

describe('ceilings', () => {
  it('refuses a classroom more transports or consumers than a page can use', async () => {
    const host = await connectClient(server.url, seeded.teacherCookie);
    sockets.push(host);
    await ok(host, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
    const sender = new RtpSender();
    const [camera] = await publish(host, sender);
    try {
      const { socket, join } = await classroom(0);
      const transports = await all(100, () =>
        request(socket, 'media:createPlainTransport', { direction: 'recv' }),
      );
      expect(transports.filter((r) => r.ok)).toHaveLength(PAGE_CEILINGS.transports);
      expect(refusals(transports)).toEqual(new Set(['conflict', 'rate_limited']));
      // Room for the edge's burst again.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const recv = transports.find((r) => r.ok)!;
      const transportId = recv.ok ? recv.data.id : '';
      const consumers = await all(1000, () =>
        request(socket, 'media:consume', {
          transportId,
          producerId: camera!,
          rtpCapabilities: join.routerRtpCapabilities,
        }),
      );
      expect(consumers.filter((r) => r.ok)).toHaveLength(PAGE_CEILINGS.consumers.classroom);
      expect(refusals(consumers)).toEqual(new Set(['conflict', 'rate_limited']));
    } finally {
      sender.stop();
    }
  });

  it('bounds board syncs and backchannel messages per connection', async () => {
    const { socket } = await classroom(2);
    const syncs = await Promise.all(Array.from({ length: 10 }, () => request(socket, 'board:sync', {})));
    expect(syncs.filter((r) => r.ok).length).toBeLessThan(10);
    expect(syncs.some((r) => !r.ok && r.error.code === 'rate_limited')).toBe(true);
    const chats = [];
    for (let i = 0; i < 20; i++) chats.push(await request(socket, 'chat:send', { text: `第${i}条` }));
    expect(chats.filter((r) => !r.ok && r.error.code === 'rate_limited').length).toBeGreaterThan(0);
    expect((await server.store.listMessages(seeded.lessonId, seeded.classroomIds[2]!)).length).toBeLessThan(
      20,
    );
  });
});
