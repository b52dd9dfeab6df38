/** The cluster's node registry on a real redis-server: listing, least-loaded, and a node that stops beating. */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeRegistry } from '../../src/cluster/NodeRegistry.ts';
import { startRedis, waitFor } from '@cloudschool/testkit';
import type { TestRedis } from '@cloudschool/testkit';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

const log = pino({ level: 'silent' });
const timing = { heartbeatMs: 100, ttlMs: 400 };

describe('NodeRegistry', () => {
  it('lists live nodes with their load, and tells the others once when one stops beating', async () => {
    const load = { a: 5, b: 2 };
    const start = (id: 'a' | 'b') =>
      NodeRegistry.start(
        redis.url,
        () => ({
          id,
          url: `http://${id}.example:3000`,
          mediaAddress: '127.0.0.1',
          peers: load[id],
          lessons: 1,
        }),
        log,
        { prefix: 'reg1', timing },
      );
    const a = await start('a');
    const b = await start('b');
    expect((await a.nodes()).map((n) => [n.id, n.peers])).toEqual([
      ['a', 5],
      ['b', 2],
    ]);
    expect((await a.leastLoaded())?.url).toBe('http://b.example:3000');

    const gone: string[] = [];
    a.on('gone', (id) => gone.push(id));
    // a has seen b alive at least once before b stops.
    await new Promise((r) => setTimeout(r, 250));
    b.stopHeartbeat();
    await waitFor(() => gone.length > 0, 'a hears that b is gone', 3000);
    await new Promise((r) => setTimeout(r, 300));
    expect(gone).toEqual(['b']);
    expect((await a.nodes()).map((n) => n.id)).toEqual(['a']);
    await a.close();
    await b.close();
  });

  it('leaves the registry at once on a clean close', async () => {
    const a = await NodeRegistry.start(
      redis.url,
      () => ({ id: 'a', url: 'u', mediaAddress: '127.0.0.1', peers: 0, lessons: 0 }),
      log,
      {
        prefix: 'reg2',
        timing,
      },
    );
    const b = await NodeRegistry.start(
      redis.url,
      () => ({ id: 'b', url: 'u', mediaAddress: '127.0.0.1', peers: 0, lessons: 0 }),
      log,
      {
        prefix: 'reg2',
        timing,
      },
    );
    await b.close();
    expect((await a.nodes()).map((n) => n.id)).toEqual(['a']);
    await a.close();
  });
});
