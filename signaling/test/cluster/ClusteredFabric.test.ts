/** Two nodes' fabrics on a real redis-server: what one node tells of a lesson, the other hears. */
import { createServer } from 'node:http';
import { pino } from 'pino';
import { Server } from 'socket.io';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { testSfu } from '@cloudschool/sfu/testing';
import { startRedis, TEST_CLUSTER_SECRET, waitFor } from '@cloudschool/testkit';
import type { TestRedis } from '@cloudschool/testkit';
import { ClusteredFabric } from '../../src/cluster/ClusteredFabric.ts';
import type { LessonChange, LessonLink } from '../../src/fabric/Fabric.ts';
import type { IoServer } from '../../src/socket/types.ts';

const log = pino({ level: 'silent' });
const TIMING = { heartbeatMs: 200, ttlMs: 800 };

interface Node {
  id: string;
  fabric: ClusteredFabric;
  heard: { from: string; change: LessonChange }[];
  io: IoServer;
  link(lessonId: string): Promise<LessonLink>;
  /** How many messages from other nodes this node dropped (and logged). */
  dropped(): number;
  close(): Promise<void>;
}

let redis: TestRedis;
const nodes: Node[] = [];

async function node(id: string, options: { secret?: string } = {}): Promise<Node> {
  // Never listening: the adapter alone carries what the fabric says.
  const io: IoServer = new Server(createServer());
  const lines: string[] = [];
  const nodeLog = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  const sfu = await testSfu(1, { logger: log });
  const fabric = await ClusteredFabric.join({
    io,
    redisUrl: redis.url,
    nodeId: id,
    url: `http://${id}`,
    mediaAddress: '127.0.0.1',
    secret: options.secret ?? TEST_CLUSTER_SECRET,
    sfu,
    log: nodeLog,
    timing: TIMING,
  });
  const heard: Node['heard'] = [];
  let closed = false;
  const created: Node = {
    id,
    fabric,
    heard,
    io,
    dropped: () => lines.filter((l) => l.includes('node message dropped')).length,
    link: (lessonId) => fabric.link(lessonId, (from, change) => heard.push({ from, change })),
    close: async () => {
      if (closed) return;
      closed = true;
      await fabric.close();
      await io.close();
      sfu.close();
    },
  };
  nodes.push(created);
  return created;
}

/** The pages and tracks a node knows of, from what it heard in order. */
function known(n: Node): { pages: string[]; tracks: string[] } {
  const pages = new Set<string>();
  const tracks = new Set<string>();
  for (const { from, change } of n.heard) {
    if (change.type === 'page') {
      if (change.present) pages.add(`${from}/${change.page.peerId}`);
      else pages.delete(`${from}/${change.page.peerId}`);
    } else if (change.type === 'track') {
      if (change.present) tracks.add(`${from}/${change.track.id}`);
      else tracks.delete(`${from}/${change.track.id}`);
    }
  }
  return { pages: [...pages], tracks: [...tracks] };
}

const hostPage = { peerId: 'h', role: 'host' as const, displayName: '王老师', classroomId: null };
const camera = {
  id: 'cam',
  kind: 'video' as const,
  source: 'camera' as const,
  classroomId: null,
  peerId: 'h',
};

beforeAll(async () => {
  redis = await startRedis();
});

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
});

afterAll(async () => {
  await redis.stop();
});

describe('ClusteredFabric', () => {
  it('carries what one node tells of a lesson to the others running it, and nowhere else', async () => {
    const [a, b, c] = [await node('a'), await node('b'), await node('c')];
    const linkA = await a.link('L1');
    await b.link('L1');
    await c.link('L2');
    linkA.tell({ type: 'page', page: hostPage, present: true });
    linkA.tell({ type: 'stage' });
    await waitFor(() => b.heard.length === 2, 'b hears both changes');
    expect(b.heard).toEqual([
      { from: 'a', change: { type: 'page', page: hostPage, present: true } },
      { from: 'a', change: { type: 'stage' } },
    ]);
    expect(c.heard).toEqual([]);
    expect(a.heard).toEqual([]);
  });

  it('gives a node that starts running a lesson what the others have of it before link() resolves', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const linkA = await a.link('L1');
    linkA.tell({ type: 'page', page: hostPage, present: true });
    linkA.tell({ type: 'track', track: camera, present: true });
    linkA.tell({ type: 'track', track: camera, present: false });
    await b.link('L1');
    // Changes still on their way may arrive too: what counts is the state they add up to.
    expect(known(b)).toEqual({ pages: ['a/h'], tracks: [] });
  });

  it('tells the nodes running a lesson that its record changed', async () => {
    const [a, b] = [await node('a'), await node('b')];
    await b.link('L1');
    a.fabric.recordChanged('L1');
    await waitFor(() => b.heard.length === 1, 'b hears the record change');
    expect(b.heard[0]).toEqual({ from: 'a', change: { type: 'info' } });
  });

  it('makes a node that stops beating leave every lesson: its pages and tracks go', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const linkA = await a.link('L1');
    await b.link('L1');
    linkA.tell({ type: 'page', page: hostPage, present: true });
    linkA.tell({ type: 'track', track: camera, present: true });
    await waitFor(() => b.heard.length === 2, 'b hears a');
    await a.close();
    await waitFor(() => b.heard.length === 4, 'b forgets a', 5000);
    expect(b.heard.slice(2)).toEqual([
      { from: 'a', change: { type: 'page', page: hostPage, present: false } },
      { from: 'a', change: { type: 'track', track: camera, present: false } },
    ]);
  });

  it('stops hearing a lesson once its link closes', async () => {
    const [a, b] = [await node('a'), await node('b')];
    const linkA = await a.link('L1');
    const linkB = await b.link('L1');
    linkB.close();
    linkA.tell({ type: 'interaction' });
    a.fabric.recordChanged('L1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(b.heard).toEqual([]);
  });

  it('drops and logs a message that is not sealed with the cluster secret', async () => {
    const b = await node('b');
    await b.link('L1');
    const forger = await node('f', { secret: 'not-the-cluster-secret-but-also-long-enough' });
    const linkF = await forger.link('L1');
    linkF.tell({ type: 'page', page: hostPage, present: true });
    // An unsealed envelope, as a process with write access to Redis could send it.
    forger.io.serverSideEmit('fabric', {
      kind: 'event',
      from: 'f',
      event: { type: 'change', lessonId: 'L1', change: { type: 'stage' } },
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(b.heard).toEqual([]);
    expect(b.dropped()).toBeGreaterThanOrEqual(2);
  });
});
