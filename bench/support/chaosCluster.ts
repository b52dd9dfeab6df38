/**
 * `npm run chaos` on three nodes sharing one Redis (1 forwarding worker + ingest each; host on node 1, classroom
 * 1 on node 2, classrooms 2 and 3 on node 3): Redis restarted, then node 3 SIGKILLed and started again on the
 * same address — each scenario's result, and the set-up they share.
 */
import type { Browser, Page } from '@playwright/test';
import { admin, liveLessonOverHttp, login, startCaddy, startRedis } from '@cloudschool/testkit';
import type { LiveLesson, TestCaddy, TestRedis } from '@cloudschool/testkit';
import {
  hostCamera,
  hostView,
  joinLinks,
  keepRaw,
  observe,
  openClassroom,
  openHost,
  outcome,
  shownSince,
  waitSteady,
  warmUp,
  worst,
} from './chaosPages.ts';
import type { Room } from './chaosPages.ts';
import { GOAL_DARK_MS, GOAL_NODE_LOSS_MS } from './chaosReport.ts';
import type { ChaosResult, ScenarioResult } from './chaosReport.ts';
import { darkScenario, failed, WARM_UP_MS } from './chaosRun.ts';
import type { ChaosRun } from './chaosRun.ts';
import { startCluster } from './clusterNodes.ts';
import type { Cluster, ClusterNode } from './clusterNodes.ts';
import type { PageRecord } from './frameSampler.ts';
import { running } from './ownedProcesses.ts';
import { listProcesses } from './procStats.ts';
import { sleep } from './report.ts';

/** This half's scenarios, key and title (a failed set-up reports each as failed). */
export const CLUSTER_SCENARIOS: [string, string][] = [
  ['redis', '4. Redis restarted (three nodes)'],
  ['node', '3. a cluster node SIGKILLed (node 3)'],
];

interface ClusterRig {
  redis: TestRedis;
  cluster: Cluster;
  /** Where node 3's classrooms open their pages: Caddy in front of node 3, then node 2 (infra/https.sh). */
  balancer: TestCaddy;
  lesson: LiveLesson;
  host: PageRecord;
  rooms: Room[];
}

/** The addresses these pages opened (or tried to open) WebSockets to in the window, by node, with how many attempts. */
function wsTargets(rooms: Room[], from: number, until: number, rig: ClusterRig): string {
  const names = new Map(
    rig.cluster.nodes.map((n) => [new URL(n.url).host, `node ${n.index} (${new URL(n.url).host})`]),
  );
  names.set(new URL(rig.balancer.url).host, `Caddy (${new URL(rig.balancer.url).host})`);
  const hosts = new Map<string, number>();
  for (const room of rooms) {
    for (const e of room.record.timeline) {
      if (e.at < from || e.at > until) continue;
      const host = /^WebSocket open (\S+)/.exec(e.shown)?.[1];
      if (host) hosts.set(host, (hosts.get(host) ?? 0) + 1);
    }
  }
  if (hosts.size === 0) return 'none';
  return [...hosts].map(([host, n]) => `${names.get(host) ?? host} ×${n}`).join(', ');
}

function noteClusterPids(chaos: ChaosRun, cluster: Cluster): void {
  for (const node of cluster.nodes) node.workerPids();
  for (const pid of cluster.pidsSeen()) chaos.processes.notePid(pid, 'cluster node or its worker');
}

/** Asks a question on a classroom page; ms from the click until the host shows one more (null: not within 15 s). */
async function questionToHost(from: Page, host: Page, text: string): Promise<number | null> {
  const questions = host.getByTestId('host-question');
  const before = await questions.count();
  await from.getByTestId('question-input').fill(text);
  const t0 = Date.now();
  await from.getByTestId('question-submit').click();
  while (Date.now() - t0 < 15_000) {
    if ((await questions.count()) > before) return Date.now() - t0;
    await sleep(100);
  }
  return null;
}

async function redisRestart(chaos: ChaosRun, rig: ClusterRig): Promise<ScenarioResult> {
  const title = '4. Redis restarted (three nodes)';
  const goal = `dark < ${GOAL_DARK_MS / 1000} s`;
  const how =
    "Three nodes on one Redis. redis-server gets SIGTERM (a clean shutdown, AOF kept) and is started again on the same port and data directory. Media does not go through Redis; signalling between nodes does (Socket.IO's Redis streams adapter, the cluster bus, the registry, the store). A question asked on classroom 2's page (node 3) must reach the host's console (node 1) before and after.";
  try {
    const { rooms, host, redis } = rig;
    await waitSteady(rooms, host);
    const questionBefore = await questionToHost(
      rooms[1]!.record.page,
      host.page,
      '重启前：这一步为什么这样做？',
    );
    chaos.say(`${title}: restarting redis`);
    const at = Date.now();
    await redis.restart();
    const back = Date.now();
    chaos.say(`${title}: redis back after ${back - at} ms`);
    const questionAfter = await questionToHost(rooms[1]!.record.page, host.page, '重启后：能再讲一遍吗？');
    const end = await observe(rooms, host, at, 10_000, 30_000);
    keepRaw('redis', at, end, [host, ...rooms.map((r) => r.record)]);
    const nodesSeen = await fetch(`${rig.cluster.nodes[0]!.url}/api/cluster/nodes`, {
      headers: { cookie: rig.lesson.coordinatorCookie },
    })
      .then((r) => r.json() as Promise<{ nodes?: { id: string }[] }>)
      .then((b) => (b.nodes ?? []).map((n) => n.id).join(', '))
      .catch((error: unknown) => `(failed: ${String(error)})`);
    const pages = rooms.map((r) => outcome(r, r.nodeName, true, at, end, host));
    const q = (ms: number | null): string => (ms === null ? 'not within 15 s' : `${ms} ms`);
    return darkScenario({
      key: 'redis',
      title,
      how,
      at,
      end,
      pages,
      goal,
      facts: [
        `Redis was away ${back - at} ms (SIGTERM → answering PING again)`,
        `a question from classroom 2 (node 3) shown on the host's console (node 1): before the restart ${q(questionBefore)}; asked right after Redis answered again: ${q(questionAfter)}`,
        `nodes node 1 lists at the end (GET /api/cluster/nodes): ${nodesSeen}`,
        `the host's overview (classroom count) from the restart: ${shownSince(host, at - 1000, end, (s) => `count ${/count=(\S*)/.exec(s)?.[1] ?? '?'}`).join(' → ')}`,
        hostCamera(host, at, end),
      ],
    });
  } catch (error) {
    return failed(chaos, 'redis', title, how, goal, error);
  }
}

async function nodeKilled(chaos: ChaosRun, rig: ClusterRig): Promise<ScenarioResult[]> {
  const title = '3. a cluster node SIGKILLed (node 3)';
  const goal = `classrooms of the lost node back < ${GOAL_NODE_LOSS_MS / 1000} s; others dark < ${GOAL_DARK_MS / 1000} s`;
  const how =
    "Three nodes on one Redis; host on node 1, classroom 1 on node 2 (opened at its address), classrooms 2 and 3 on node 3 through Caddy in front of the cluster as infra/deployment.md runs it (infra/https.sh, UPSTREAM node 3 then node 2, LB_POLICY=first so that they start on node 3; health checks every second). Node 3's process gets SIGKILL (its mediasoup workers lose their parent and exit). Observed for 30 s: the surviving classroom, node 3's pages (their WebSocket drops; they reconnect through Caddy, which passes over the dead node; node 2 does not know their place, so they join again from scratch), what the host sees.";
  const node3 = rig.cluster.nodes[2]!;
  const restartTitle = '3b. node 3 started again on the same address';
  const restartHow =
    "After those 30 s, node 3 is started again with the same id, address and ports (as a supervisor would restart it); Caddy's health check sees it back and sends new connections there first again. The pages that moved to node 2 keep their WebSocket there: nothing should go dark.";
  const results: ScenarioResult[] = [];
  try {
    const { rooms, host } = rig;
    await waitSteady(rooms, host);
    noteClusterPids(chaos, rig.cluster);
    const onNode3 = rooms.filter((r) => r.nodeUrl === rig.balancer.url);
    const workers3 = node3.workerPids();
    chaos.say(`${title}: killing node 3 (pid ${node3.pid()})`);
    const at = Date.now();
    await node3.kill9();
    const end = await observe(rooms, host, at, 30_000, 30_000);
    keepRaw('node', at, end, [host, ...rooms.map((r) => r.record)]);
    await sleep(200);
    const stillThere = workers3.filter((pid) => running(pid));
    const pages = rooms.map((r) => outcome(r, r.nodeName, onNode3.includes(r), at, end, host));
    const lost = worst(pages.filter((p) => p.hit));
    const survivors = worst(pages.filter((p) => !p.hit));
    const nodesSeen = await fetch(`${rig.cluster.nodes[0]!.url}/api/cluster/nodes`, {
      headers: { cookie: rig.lesson.coordinatorCookie },
    })
      .then((r) => r.json() as Promise<{ nodes?: { id: string }[] }>)
      .then((b) => (b.nodes ?? []).map((n) => n.id).join(', '))
      .catch((error: unknown) => `(failed: ${String(error)})`);
    results.push({
      key: 'node',
      title,
      how,
      at,
      observedMs: end - at,
      pages,
      goal,
      figureMs: lost.ms,
      figureOpen: lost.open,
      met:
        lost.ms !== null &&
        !lost.open &&
        lost.ms < GOAL_NODE_LOSS_MS &&
        (survivors.ms === null || survivors.ms < GOAL_DARK_MS),
      facts: [
        `node 3's mediasoup workers (${workers3.join(', ')}) still running 30 s after: ${stillThere.length ? stillThere.join(', ') : 'none'}`,
        `the host's overview (node 1), times from the kill: classroom 2 ${shownSince(host, at - 1000, end, hostView(rooms[1]!.classroomId)).join(' → ')}; classroom 1 ${shownSince(host, at - 1000, end, hostView(rooms[0]!.classroomId)).join(' → ')}`,
        `nodes node 1 lists 30 s after (GET /api/cluster/nodes): ${nodesSeen}`,
        `where node 3's pages tried to reconnect (their WebSocket attempts after the kill): ${wsTargets(onNode3, at, end, rig)}`,
        hostCamera(host, at, end),
      ],
    });
  } catch (error) {
    results.push(failed(chaos, 'node', title, how, goal, error));
    return results;
  }
  try {
    const { rooms, host } = rig;
    chaos.say(`${restartTitle}: starting node 3 again`);
    const at = Date.now();
    await node3.start();
    const healthy = Date.now();
    noteClusterPids(chaos, rig.cluster);
    const end = await observe(rooms, host, at, 8_000, 40_000);
    keepRaw('node-restart', at, end, [host, ...rooms.map((r) => r.record)]);
    results.push(
      darkScenario({
        key: 'node-restart',
        title: restartTitle,
        how: restartHow,
        at,
        end,
        pages: rooms.map((r) => outcome(r, r.nodeName, true, at, end, host)),
        goal: `dark < ${GOAL_DARK_MS / 1000} s`,
        facts: [
          `node 3 answered /healthz ${healthy - at} ms after its start command`,
          `where the pages that moved opened WebSockets after the restart: ${wsTargets(
            rooms.filter((r) => r.nodeUrl === rig.balancer.url),
            at,
            end,
            rig,
          )}`,
          `the host's overview, times from the restart: classroom 2 ${shownSince(host, at - 1000, end, hostView(rooms[1]!.classroomId)).join(' → ')}`,
        ],
      }),
    );
  } catch (error) {
    results.push(failed(chaos, 'node-restart', restartTitle, restartHow, '–', error));
  }
  return results;
}

/** Three nodes on one Redis, the host and 3 classrooms on them, then scenarios 4 and 3 (with 3b). */
export async function threeNodes(
  chaos: ChaosRun,
  browser: Browser,
  webHandler: string,
  setups: string[],
  logs: ChaosResult['logs'],
): Promise<ScenarioResult[]> {
  chaos.say('three nodes: redis, nodes, host on node 1, classrooms on nodes 2 and 3');
  const redis = await startRedis();
  chaos.processes.owned('redis', () => redis.stop());
  for (const p of listProcesses())
    if (p.ppid === process.pid && p.name.startsWith('redis-server'))
      chaos.processes.notePid(p.pid, 'redis-server');
  const cluster = await startCluster({
    nodes: 3,
    redisUrl: redis.url,
    mediaWorkers: 1,
    webHandler,
    seed: admin,
  });
  chaos.processes.owned('cluster nodes', () => cluster.stop());
  noteClusterPids(chaos, cluster);
  const [node1, node2, node3] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
  try {
    const lesson = await liveLessonOverHttp(node1.url, await login(node1.url), 3);
    const links = await joinLinks(node1.url, lesson);
    const host = await openHost(browser, node1.url, lesson);
    const hostOf = (node: ClusterNode): string => new URL(node.url).host;
    const balancer = await startCaddy({ upstreams: [hostOf(node3), hostOf(node2)], lbPolicy: 'first' });
    chaos.processes.owned('caddy', () => balancer.stop());
    const placement: [string, string][] = [
      [node2.url, 'node 2'],
      [balancer.url, 'node 3'],
      [balancer.url, 'node 3'],
    ];
    const rooms: Room[] = [];
    for (const [i, link] of links.entries()) {
      const [url, name] = placement[i]!;
      rooms.push(await openClassroom(browser, url, name, lesson, link, i + 1));
    }
    setups.push(
      "three nodes on one Redis (`npm run cluster`-like: each node 1 forwarding worker + 1 ingest worker, Redis store; testkit's redis-server on the shipped infra/redis.conf): the host on node 1, classroom 1 on node 2, classrooms 2 and 3 on node 3 through Caddy (infra/https.sh in front of node 3, then node 2)",
    );
    await warmUp(rooms, host, WARM_UP_MS);
    const rig: ClusterRig = { redis, cluster, balancer, lesson, host, rooms };
    const results: ScenarioResult[] = [];
    results.push(await redisRestart(chaos, rig));
    noteClusterPids(chaos, cluster);
    results.push(...(await nodeKilled(chaos, rig)));
    for (const r of [host, ...rooms.map((x) => x.record)]) await r.page.context().close();
    return results;
  } finally {
    for (const node of cluster.nodes) logs.push({ name: node.id, lines: node.logSummary() });
  }
}
