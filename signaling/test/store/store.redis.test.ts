import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/RedisStore.ts';
import { startRedis } from '@cloudschool/testkit';
import type { TestRedis } from '@cloudschool/testkit';

/** What only RedisStore has: its key layout, Redis-side expiry, script cache, connection. The rest is in store.contract.test.ts. */
describe('RedisStore', () => {
  let redis: TestRedis;
  let raw: ReturnType<typeof createClient>;

  beforeAll(async () => {
    redis = await startRedis();
    raw = createClient({ url: redis.url });
    await raw.connect();
  });

  afterAll(async () => {
    await raw.close();
    await redis.stop();
  });

  it('writes the keys of keys.ts, prefixed and with ids encoded', async () => {
    const store = await RedisStore.connect(redis.url, 'layout');
    const now = Date.now();
    await store.importRoster(
      [{ id: 's:1', name: 'S', province: 'P', city: 'C', district: 'D', timeZone: 'Asia/Shanghai' }],
      [{ id: 'room/1:a', schoolId: 's:1', name: 'R', kind: 'remote', notes: '', code: 'AB CD' }],
    );
    await store.putSession({ id: 'hash:1', accountId: 'a', expiresAt: now + 60_000 });
    await store.putPresence(
      { lessonId: 'l:1', classroomId: 'room/1:a', connectionId: 'conn', nodeId: 'n', lastSeen: now },
      30_000,
    );
    await store.appendAttendance({ lessonId: 'l:1', classroomId: 'room/1:a', kind: 'join', at: now });
    await store.getOrCreateSecret('join-token', () => 'x');
    expect((await raw.keys('layout:*')).sort()).toEqual([
      'layout:attendance:l%3A1',
      'layout:classroom-code:AB%20CD',
      'layout:classroom:room%2F1%3Aa',
      'layout:classrooms',
      'layout:presence:l%3A1',
      'layout:school:s%3A1',
      'layout:schools',
      'layout:secret:join-token',
      'layout:session:hash%3A1',
    ]);
    expect(await raw.get('layout:classroom-code:AB%20CD')).toBe('room/1:a');
    const sessionTtl = await raw.pTTL('layout:session:hash%3A1');
    expect(sessionTtl).toBeGreaterThan(50_000);
    expect(sessionTtl).toBeLessThanOrEqual(60_000);
    const presenceTtl = await raw.pTTL('layout:presence:l%3A1');
    expect(presenceTtl).toBeGreaterThan(20_000);
    expect(presenceTtl).toBeLessThanOrEqual(30_000);
    await store.close();
  });

  it('keeps the interaction of a lesson under the keys of keys.ts', async () => {
    const store = await RedisStore.connect(redis.url, 'room');
    const lessonId = 'l:1';
    const classroomId = 'c/1';
    const now = Date.now();
    await store.raiseHand({ lessonId, classroomId, raisedAt: now });
    await store.putStage(lessonId, [{ classroomId, since: now, muted: false }]);
    await store.putQuestion({ id: 'q:1', lessonId, classroomId, text: '?', createdAt: now, state: 'open' });
    await store.setVote(lessonId, 'q:1', classroomId, true);
    await store.putQuiz({
      id: 'z:1',
      lessonId,
      question: '?',
      kind: 'single',
      options: ['a', 'b'],
      startedAt: now,
      closesAt: null,
      closedAt: null,
      revealed: false,
    });
    await store.putQuizAnswer({ lessonId, quizId: 'z:1', classroomId, choices: [0], counts: null, at: now });
    await store.appendMessage({ id: 'm', lessonId, classroomId, from: 'host', text: 'hi', at: now });
    await store.setReadUntil(lessonId, classroomId, 'host', now);
    expect((await raw.keys('room:*')).sort()).toEqual([
      'room:chat-read:l%3A1:c%2F1',
      'room:chat:l%3A1:c%2F1',
      'room:hands:l%3A1',
      'room:question:l%3A1:q%3A1',
      'room:questions:l%3A1',
      'room:quiz-answers:l%3A1:z%3A1',
      'room:quiz:l%3A1:z%3A1',
      'room:quizzes:l%3A1',
      'room:stage:l%3A1',
      'room:votes:l%3A1:q%3A1',
    ]);
    expect(await raw.zRangeWithScores('room:hands:l%3A1', 0, -1)).toEqual([
      { value: classroomId, score: now },
    ]);
    expect(await raw.sMembers('room:votes:l%3A1:q%3A1')).toEqual([classroomId]);
    expect(await raw.hKeys('room:quiz-answers:l%3A1:z%3A1')).toEqual([classroomId]);
    expect(await raw.hGetAll('room:chat-read:l%3A1:c%2F1')).toEqual({ host: String(now) });
    // An empty stage leaves no key behind.
    await store.putStage(lessonId, []);
    expect(await raw.exists('room:stage:l%3A1')).toBe(0);
    await store.close();
  });

  it('lets the presence key of a lesson nobody heartbeats vanish, and never shortens it', async () => {
    const store = await RedisStore.connect(redis.url, 'presence');
    const now = Date.now();
    const presence = { lessonId: 'l1', classroomId: 'c', nodeId: 'n', lastSeen: now };
    await store.putPresence({ ...presence, connectionId: 'long' }, 60_000);
    await store.putPresence({ ...presence, connectionId: 'short' }, 100);
    expect(await raw.pTTL('presence:presence:l1')).toBeGreaterThan(50_000);
    await store.putPresence({ ...presence, lessonId: 'l2', connectionId: 'short' }, 100);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await raw.exists('presence:presence:l2')).toBe(0);
    await store.close();
  });

  it('writes through its script after Redis lost the script cache', async () => {
    const store = await RedisStore.connect(redis.url, 'noscript');
    await store.putClassroom({ id: 'c1', schoolId: 's', name: 'A', kind: 'host', notes: '', code: 'A' });
    await raw.scriptFlush();
    await store.putClassroom({ id: 'c2', schoolId: 's', name: 'B', kind: 'host', notes: '', code: 'B' });
    expect((await store.listClassrooms()).map((classroom) => classroom.code)).toEqual(['A', 'B']);
    await store.close();
  });

  it('refuses to connect where no Redis listens, in a few seconds', async () => {
    const started = Date.now();
    await expect(
      RedisStore.connect('redis://127.0.0.1:1', 'none', { onError: () => undefined }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('connects to a Redis that asks for a password, given in the URL, and to no other way', async () => {
    const guarded = await startRedis({ password: 'a district’s redis password' });
    try {
      const store = await RedisStore.connect(guarded.url, 'guarded');
      await store.putSchool({
        id: 's',
        name: 'S',
        province: 'P',
        city: 'C',
        district: 'D',
        timeZone: 'Asia/Shanghai',
      });
      expect((await store.getSchool('s'))?.name).toBe('S');
      await store.close();
      const open = guarded.url.replace(/\/\/:[^@]+@/, '//');
      await expect(RedisStore.connect(open, 'guarded', { onError: () => undefined })).rejects.toThrow();
    } finally {
      await guarded.stop();
    }
  });
});
