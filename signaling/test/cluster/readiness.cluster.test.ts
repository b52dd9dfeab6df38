/**
 * A classroom's self-check in a cluster: the classroom on node 2, the host on node 1 and a patrolling
 * coordinator on node 2 before the lesson starts. The report rides on the classroom's page to the other node,
 * and a page that leaves takes its report with it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { InteractionState, ReadinessResults } from '@cloudschool/protocol';
import { connectClient, ok, startRedis, waitFor } from '@cloudschool/testkit';
import type { ClientSocket, TestRedis } from '@cloudschool/testkit';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

let redis: TestRedis;
let nodes: TestServer[];
let seeded: SeededLesson;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  redis = await startRedis();
  nodes = [];
  for (const nodeId of ['n1', 'n2'])
    nodes.push(await startTestServer(1, { cluster: { redisUrl: redis.url, nodeId } }));
  seeded = await seedLiveLesson(nodes[0]!, 2, false);
});
afterAll(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  for (const n of nodes ?? []) await n.close();
  await redis?.stop();
});

async function staff(node: TestServer, role: 'host' | 'observer') {
  const socket = await connectClient(
    node.url,
    role === 'host' ? seeded.teacherCookie : seeded.coordinatorCookie,
  );
  sockets.push(socket);
  const join = await ok(socket, 'lesson:join', { lessonId: seeded.lessonId, role });
  let view: InteractionState = join.interaction;
  socket.on('interaction:state', (s) => (view = s));
  return () => view.tiles?.find((t) => t.classroomId === seeded.classroomIds[0])?.readiness;
}

it('reaches the host side on another node, and leaves with the page', async () => {
  const [n1, n2] = nodes as [TestServer, TestServer];
  const host = await staff(n1, 'host');
  const patrol = await staff(n2, 'observer');
  const classroom = await connectClient(n2.url);
  sockets.push(classroom);
  await ok(classroom, 'lesson:join', {
    lessonId: seeded.lessonId,
    role: 'classroom',
    token: seeded.tokens[0],
  });
  await waitFor(() => host()?.state === 'checking', 'node 1 sees the classroom checking');

  const results: ReadinessResults = {
    camera: 'frozen',
    microphone: 'ok',
    speaker: 'ok',
    network: 'ok',
    sound: 'ok',
  };
  await ok(classroom, 'readiness:report', results);
  for (const view of [host, patrol]) {
    await waitFor(() => view()?.state === 'not_ready', 'the report on both nodes');
    expect(view()).toEqual({
      state: 'not_ready',
      failures: [{ check: 'camera', reason: 'frozen' }],
      warnings: [],
    });
  }

  classroom.disconnect();
  await waitFor(() => host() === null && patrol() === null, 'gone with its page on both nodes');
});
