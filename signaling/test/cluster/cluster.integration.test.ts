/**
 * Three nodes on one Redis (each its own signaling + mediasoup worker, in this process): the host on
 * node 1, classrooms on nodes 2 and 3. Real RTP: each host track crosses to an edge node once however many
 * classrooms there watch; state, questions, the whiteboard and on-stage voice cross nodes too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoardReplica } from '@cloudschool/board';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { openBoardPage, strokeOf } from '../support/board.ts';
import {
  consume,
  kill9,
  ok,
  openMediaPage,
  publish,
  RtpSender,
  serverEnv,
  startRedis,
  startServer,
  waitFor,
} from '@cloudschool/testkit';
import type { MediaPage, TestRedis } from '@cloudschool/testkit';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

let redis: TestRedis;
let nodes: TestServer[];
let seeded: SeededLesson;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  redis = await startRedis();
  nodes = [];
  for (const nodeId of ['n1', 'n2', 'n3'])
    nodes.push(await startTestServer(1, { cluster: { redisUrl: redis.url, nodeId } }));
  seeded = await seedLiveLesson(nodes[0]!, 6);
});
afterAll(async () => {
  for (const c of cleanups.splice(0)) c();
  for (const n of nodes ?? []) await n.close();
  await redis?.stop();
});

type Page = MediaPage;

function page(node: TestServer, role: 'host' | 'classroom', token?: string): Promise<Page> {
  const who = role === 'host' ? { role, cookie: seeded.teacherCookie } : { role, token: token! };
  return openMediaPage(node.url, seeded.lessonId, who, cleanups);
}

interface NodeMedia {
  node: string;
  links: {
    node: string;
    direction: 'in' | 'out';
    tracks: number;
    bytesReceived: number;
    bytesSent: number;
  }[];
}

async function media(node: TestServer): Promise<NodeMedia> {
  const res = await fetch(`${node.url}/api/lessons/${seeded.lessonId}/media`, {
    headers: { cookie: seeded.coordinatorCookie },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as NodeMedia;
}

const receives = (p: Page, ssrc: number, n = 20): boolean => p.sink.count(ssrc) >= n;

describe('a lesson across three nodes', () => {
  it('carries media, state, questions, the board and the stage from node to node', async () => {
    const [n1, n2, n3] = nodes as [TestServer, TestServer, TestServer];
    const host = await page(n1, 'host');
    const sender = new RtpSender();
    cleanups.push(() => sender.close());
    const [video, audio] = await publish(host.socket, sender);

    // Two classrooms on node 2, one on node 3: each sees the host live and everyone counted.
    const a = await page(n2, 'classroom', seeded.tokens[0]);
    const b = await page(n2, 'classroom', seeded.tokens[1]);
    const c = await page(n3, 'classroom', seeded.tokens[2]);
    for (const p of [a, b, c]) {
      await waitFor(() => (p.state.lesson ?? p.join.state).host.live, 'the host, on another node, is live');
      const v = await consume(p, video!);
      const s = await consume(p, audio!);
      await waitFor(() => receives(p, v.ssrc) && receives(p, s.ssrc), 'host video and audio on an edge node');
    }
    await waitFor(() => host.state.lesson?.classroomCount === 3, 'the host counts classrooms on every node');

    // One copy of each host track per edge node, whatever the number of classrooms there.
    const [m1, m2, m3] = await Promise.all([media(n1), media(n2), media(n3)]);
    const out = m1.links.filter((l) => l.direction === 'out').sort((x, y) => x.node.localeCompare(y.node));
    expect(out.map((l) => [l.node, l.tracks])).toEqual([
      ['n2', 2],
      ['n3', 2],
    ]);
    expect(m2.links).toEqual([expect.objectContaining({ node: 'n1', direction: 'in', tracks: 2 })]);
    expect(m3.links).toEqual([expect.objectContaining({ node: 'n1', direction: 'in', tracks: 2 })]);
    expect(m2.links[0]!.bytesReceived).toBeGreaterThan(0);

    // A question asked on node 3 reaches the host on node 1 and the classrooms on node 2.
    await ok(c.socket, 'question:ask', { text: '老师，这一步为什么要移项？' });
    for (const p of [host, a, b]) {
      await waitFor(() => p.state.interaction?.questions.length === 1, 'the question on every node');
    }

    // The board: the host draws on node 1; a classroom on node 2 gets the ops live, a late one on node 3
    // syncs; both equal the board a patrol page on node 1 follows.
    const patrol = await openBoardPage(n1.url, seeded, { role: 'observer' });
    const liveBoard = await openBoardPage(n2.url, seeded, { role: 'classroom', index: 3 });
    cleanups.push(patrol.close, liveBoard.close);
    await patrol.sync();
    await liveBoard.sync();
    const pageId = patrol.replica.state.pages[0]!.id;
    let last = 0;
    for (let i = 0; i < 3; i++)
      last = (await ok(host.socket, 'board:stroke:end', strokeOf(pageId, i))).seq ?? 0;
    await waitFor(
      () => liveBoard.replica.lastSeq === last && patrol.replica.lastSeq === last,
      'ops pushed on both nodes',
    );
    // A classroom that comes late, on a third node (each classroom is open on one PC at a time).
    const late = await openBoardPage(n3.url, seeded, { role: 'classroom', index: 5 }, new BoardReplica());
    cleanups.push(late.close);
    await late.sync();
    expect(late.replica.state).toEqual(patrol.replica.state);
    expect(liveBoard.replica.state).toEqual(patrol.replica.state);
    expect(liveBoard.pushed.map((op) => op.seq)).toEqual([1, 2, 3]);

    // On stage: classroom A (node 2) is heard by the host (node 1) and classroom C (node 3).
    const aId = seeded.classroomIds[0]!;
    const aSender = new RtpSender();
    cleanups.push(() => aSender.close());
    const [aVideo, aMic] = await publish(a.socket, aSender);
    await ok(host.socket, 'stage:invite', { classroomId: aId });
    await waitFor(
      () => c.state.lesson?.producers.some((p) => p.id === aMic) === true,
      'A announced to node 3',
    );
    const hostHearsA = await consume(host, aMic!);
    const cHearsA = await consume(c, aMic!);
    const cSeesA = await consume(c, aVideo!);
    await waitFor(
      () => receives(host, hostHearsA.ssrc) && receives(c, cHearsA.ssrc) && receives(c, cSeesA.ssrc),
      'on-stage voice and video from node 2 on nodes 1 and 3',
    );

    // Leaving the stage stops A's voice everywhere (consumers closed on their own nodes).
    await ok(host.socket, 'stage:remove', { classroomId: aId });
    await waitFor(
      () =>
        host.closed.includes(hostHearsA.id) && c.closed.includes(cHearsA.id) && c.closed.includes(cSeesA.id),
      'consumers closed on nodes 1 and 3',
    );
  });

  it('lists the nodes, and forgets a node that stops', async () => {
    const res = await fetch(`${nodes[0]!.url}/api/cluster/nodes`, {
      headers: { cookie: seeded.coordinatorCookie },
    });
    const { nodes: listed } = (await res.json()) as { nodes: { id: string; url: string }[] };
    expect(listed.map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
    const n3 = nodes.pop()!;
    await n3.close();
    const after = (await (
      await fetch(`${nodes[0]!.url}/api/cluster/nodes`, { headers: { cookie: seeded.coordinatorCookie } })
    ).json()) as { nodes: { id: string }[] };
    expect(after.nodes.map((n) => n.id)).toEqual(['n1', 'n2']);
  });
});

describe('a node that crashes', () => {
  it('is forgotten by the others: its classrooms leave the lesson once its heartbeat expires', async () => {
    const n1 = nodes[0]!;
    const edge = await startServer(
      await serverEnv({ REDIS_URL: redis.url, NODE_ID: 'crashing', ALLOW_PLAIN_TRANSPORTS: '1' }),
    );
    const host = await page(n1, 'host');
    const classroom = await openMediaPage(
      edge.url,
      seeded.lessonId,
      { role: 'classroom', token: seeded.tokens[4]! },
      cleanups,
    );
    expect(classroom.join.state.host.connected).toBe(true);
    const id = seeded.classroomIds[4]!;
    const tile = () => host.state.interaction?.tiles?.find((t) => t.classroomId === id);
    await waitFor(() => tile()?.connected === true, 'the classroom on the other node is shown connected');

    await kill9(edge.child);
    // Nothing tells node 1 but the registry: the crashed node's record expires (10 s) and node 1 drops it.
    await waitFor(() => tile()?.connected === false, 'the crashed node’s classroom is gone', 20_000);
  }, 30_000);
});
