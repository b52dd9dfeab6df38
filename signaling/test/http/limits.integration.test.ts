/**
 * Limits that hold across the deployment: classroom codes per source over HTTP, and, on two nodes sharing
 * one Redis, failed logins and wrong codes counted on one node are counted on the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis } from '@cloudschool/testkit';
import type { TestRedis } from '@cloudschool/testkit';
import { createAccount } from '../../src/http/authRoutes.ts';
import { seedLiveLesson } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { call, loginFrom } from './authClient.ts';

const joinFrom = (server: TestServer, from: string, code: string) =>
  call(server, 'POST', '/api/join/code', { body: { code }, from });

describe('classroom codes over HTTP', () => {
  let server: TestServer;
  let code: string;

  beforeAll(async () => {
    server = await startTestServer(1);
    const seeded = await seedLiveLesson(server, 1);
    code = (await server.store.getClassroom(seeded.classroomIds[0]!))!.code;
  });
  afterAll(async () => {
    await server.close();
  });

  it('a school’s typos slow only that school, briefly; right codes open the lesson everywhere', async () => {
    const wrong = code === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA';
    expect((await joinFrom(server, '203.0.113.9', code)).status).toBe(200);
    for (let i = 0; i < 50; i++) expect((await joinFrom(server, '203.0.113.9', wrong)).status).toBe(404);
    const held = await joinFrom(server, '203.0.113.9', code);
    expect([held.status, held.body.error?.code, held.retryAfter]).toEqual([429, 'rate_limited', '1']);
    const elsewhere = await joinFrom(server, '198.51.100.9', code);
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body).toMatchObject({ lessonId: expect.any(String), token: expect.any(String) });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await joinFrom(server, '203.0.113.9', code)).status).toBe(200);
  });
});

describe('two nodes on one Redis', () => {
  let redis: TestRedis;
  const nodes: TestServer[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    for (const nodeId of ['node-a', 'node-b'])
      nodes.push(await startTestServer(1, { cluster: { redisUrl: redis.url, nodeId } }));
  });
  afterAll(async () => {
    for (const node of nodes) await node.close();
    await redis.stop();
  });

  it('count failed logins together', async () => {
    const [a, b] = [nodes[0]!, nodes[1]!];
    await createAccount(a.store, {
      username: 'shared',
      displayName: '共',
      role: 'teacher',
      password: 'shared-pass-1',
    });
    for (let i = 0; i < 3; i++)
      expect((await loginFrom(a, '203.0.113.70', 'shared', 'wrong')).status).toBe(401);
    for (let i = 0; i < 2; i++)
      expect((await loginFrom(b, '203.0.113.70', 'shared', 'wrong')).status).toBe(401);
    expect((await loginFrom(a, '203.0.113.70', 'shared', 'shared-pass-1')).status).toBe(429);
    expect((await loginFrom(b, '203.0.113.70', 'shared', 'shared-pass-1')).status).toBe(429);
    expect((await loginFrom(b, '203.0.113.71', 'shared', 'shared-pass-1')).status).toBe(200);
  });

  it('count wrong codes together', async () => {
    const [a, b] = [nodes[0]!, nodes[1]!];
    for (let i = 0; i < 25; i++) await joinFrom(a, '203.0.113.80', 'ZZZZZ9');
    for (let i = 0; i < 25; i++) expect((await joinFrom(b, '203.0.113.80', 'ZZZZZ9')).status).toBe(404);
    expect((await joinFrom(a, '203.0.113.80', 'ZZZZZ9')).status).toBe(429);
    expect((await joinFrom(b, '203.0.113.81', 'ZZZZZ9')).status).toBe(404);
  });
});
