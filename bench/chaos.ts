/**
 * npm run chaos — a real lesson broken one thing at a time, and how long its classrooms are dark. Real server
 * processes with the built UI, the host teacher's console and classroom pages in Debian's Chromium (each page
 * samples its own getStats() every 100 ms: support/frameSampler.ts), real mediasoup workers, a real Redis.
 *
 * One node (2 forwarding workers + the ingest worker; host + 3 classrooms):
 *   1. the forwarding worker a classroom is on, SIGKILLed (found with GET /api/lessons/:id/media);
 *   2. the ingest worker the host is on, SIGKILLed;
 *   5. one classroom's link cut for 10 s (DevTools offline, netlab `cut`): recovery from the link's return, and
 *      whether it came back as the same page (its peer id; the host's tiles).
 * Three nodes on one Redis (1 forwarding worker + ingest each; host on node 1, classroom 1 on node 2,
 * classrooms 2 and 3 on node 3):
 *   4. Redis restarted (SIGTERM, started again on its port and data directory): media, and a question from
 *      node 3 to the host before and after;
 *   3. node 3 SIGKILLed: the surviving classrooms, what its own classrooms do (their pages talk to node 3's
 *      address only), what the host sees; then node 3 started again on the same address, and how soon its
 *      classrooms are back.
 *
 * Writes bench/results/chaos.{md,json}. Everything it started is stopped whatever happens (Ctrl-C included),
 * and a last check kills any process of the run still there. CHAOS_ONLY=single|cluster runs one part.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Browser, Page } from '@playwright/test';
import { admin, liveLessonOverHttp, login, ROOT, startRedis } from '@cloudschool/testkit';
import type { LiveLesson, TestRedis } from '@cloudschool/testkit';
import { cut } from '@cloudschool/testkit/netlab';
import {
  hostCamera,
  hostView,
  joinLinks,
  keepRaw,
  mediaReport,
  observe,
  openClassroom,
  openHost,
  outcome,
  pullAll,
  shownSince,
  signed,
  waitSteady,
  warmUp,
  worst,
} from './support/chaosPages.ts';
import type { MediaReport, Room } from './support/chaosPages.ts';
import { darkText, GOAL_DARK_MS, GOAL_NODE_LOSS_MS, renderChaos } from './support/chaosReport.ts';
import type { ChaosResult, ScenarioResult } from './support/chaosReport.ts';
import { launchChromium } from './support/chromium.ts';
import { startCluster } from './support/clusterNodes.ts';
import type { Cluster, ClusterNode } from './support/clusterNodes.ts';
import { firstProgressAfter, risenBetween, steadyAgainAfter } from './support/darkPeriods.ts';
import type { PageRecord } from './support/frameSampler.ts';
import { OwnedProcesses, running } from './support/ownedProcesses.ts';
import { copyWebBuild } from './support/webBuild.ts';
import type { Owned } from './support/ownedProcesses.ts';
import { startLessonServer } from './support/lessonServer.ts';
import type { LessonServer } from './support/lessonServer.ts';
import { listProcesses, mediasoupWorkerPids } from './support/procStats.ts';
import { gitCommit, machine, round, sleep, writeResults } from './support/report.ts';

const CUT_MS = 10_000;
/** After the pages joined, before the first event. */
const WARM_UP_MS = 10_000;
const ONLY = process.env.CHAOS_ONLY;
const runStart = Date.now();

const say = (line: string): void => {
  process.stderr.write(`[chaos +${Math.round((Date.now() - runStart) / 1000)} s] ${line}\n`);
};

const processes = new OwnedProcesses(say);
processes.stopOnSignals();
const owned = (name: string, run: () => Promise<void>): Owned => processes.owned(name, run);

function failed(key: string, title: string, how: string, goal: string, error: unknown): ScenarioResult {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  say(`${title}: failed: ${message}`);
  return {
    key,
    title,
    how,
    at: Date.now(),
    observedMs: 0,
    pages: [],
    facts: [],
    goal,
    figureMs: null,
    figureOpen: false,
    met: null,
    error: message,
  };
}

// ---------------------------------------------------------------- one node: workers, a cut

interface SingleNode {
  server: LessonServer;
  lesson: LiveLesson;
  host: PageRecord;
  rooms: Room[];
  /**
   * Which of the server's workers is which: the host's first worker is the ingest worker (the server puts a
   * sender there), the others forward; a worker started in a dead one's place takes its role.
   */
  roles: Map<number, 'ingest' | 'forwarding'>;
}

function workerName(node: SingleNode, pid: number | null | undefined): string {
  if (pid === null || pid === undefined) return 'no worker';
  return `${node.roles.get(pid) ?? 'unknown'} worker ${pid}`;
}

function noteWorkers(server: LessonServer): number[] {
  const pids = mediasoupWorkerPids(server.pid);
  for (const pid of pids) processes.notePid(pid, 'mediasoup worker (one node)');
  return pids;
}

async function workerKilled(node: SingleNode, which: 'forwarding' | 'ingest'): Promise<ScenarioResult> {
  const title =
    which === 'forwarding' ? '1. a forwarding worker SIGKILLed' : '2. the ingest worker SIGKILLed';
  const goal = `dark < ${GOAL_DARK_MS / 1000} s`;
  const how =
    which === 'forwarding'
      ? 'One node, 2 forwarding workers + 1 ingest worker. The forwarding worker classroom 1 is on (GET /api/lessons/:id/media) gets SIGKILL.'
      : 'One node, the same lesson. The ingest worker the host page sends to gets SIGKILL.';
  try {
    const { rooms, host, server } = node;
    await waitSteady(rooms, host);
    const before = noteWorkers(server);
    const report = await mediaReport(server.url, node.lesson);
    const workerOf = (r: MediaReport, room: Room | 'host'): number | null =>
      r.participants.find((p) =>
        room === 'host' ? p.role === 'host' : p.role === 'classroom' && p.classroomId === room.classroomId,
      )?.workerPid ?? null;
    const victim =
      which === 'forwarding'
        ? workerOf(report, rooms[0]!)
        : ([...node.roles].find(([pid, role]) => role === 'ingest' && before.includes(pid))?.[0] ?? null);
    if (!victim || node.roles.get(victim) !== which) {
      throw new Error(
        `no ${which} worker to kill (workers ${before.map((pid) => workerName(node, pid)).join(', ')})`,
      );
    }
    const hit = (room: Room): boolean => which === 'ingest' || workerOf(report, room) === victim;
    const where = new Map(rooms.map((r) => [r, workerName(node, workerOf(report, r))]));
    const hostWhere = workerName(node, workerOf(report, 'host'));
    say(`${title}: killing pid ${victim}`);
    const at = Date.now();
    process.kill(victim, 'SIGKILL');
    const end = await observe(rooms, host, at, 8_000, 30_000);
    keepRaw(which, at, end, [host, ...rooms.map((r) => r.record)]);
    const after = noteWorkers(server);
    const replaced = after.filter((pid) => !before.includes(pid));
    for (const pid of replaced) node.roles.set(pid, which);
    const pages = rooms.map((r) => outcome(r, where.get(r)!, hit(r), at, end, host));
    const reportAfter = await mediaReport(server.url, node.lesson);
    const w = worst(pages);
    return {
      key: which === 'forwarding' ? 'forwarding-worker' : 'ingest-worker',
      title,
      how,
      at,
      observedMs: end - at,
      pages,
      goal,
      figureMs: w.ms,
      figureOpen: w.open,
      met: w.ms === null ? null : !w.open && w.ms < GOAL_DARK_MS,
      facts: [
        `killed ${workerName(node, victim)} (${which === 'ingest' ? `the host was on ${hostWhere}` : `${rooms.filter(hit).length} of ${rooms.length} classrooms on it`}); the server's workers before: ${before.map((pid) => workerName(node, pid)).join(', ')}; after: ${after.map((pid) => workerName(node, pid)).join(', ')}${replaced.length ? ` (started in its place: ${replaced.join(', ')})` : ' (none started in its place)'}`,
        `where the pages are after it: host on ${workerName(node, workerOf(reportAfter, 'host'))}, ${rooms.map((r) => `${r.name} on ${workerName(node, workerOf(reportAfter, r))}`).join(', ')}`,
        "A dead worker closes the whole media room (sfu/README.md): every page rebuilds its transports — the host's too — so the classrooms on the other worker go dark as well.",
        ...(which === 'ingest' && node.roles.get(workerOf(reportAfter, 'host') ?? 0) !== 'ingest'
          ? [
              `the host no longer sends to an ingest worker: its pages rebuilt before the replacement (${replaced.join(', ') || 'none'}) was up, so the server placed it on a forwarding worker, still there at the end of the observation`,
            ]
          : []),
        hostCamera(host, at, end),
      ],
    };
  } catch (error) {
    return failed(which === 'forwarding' ? 'forwarding-worker' : 'ingest-worker', title, how, goal, error);
  }
}

async function classroomCut(node: SingleNode): Promise<ScenarioResult> {
  const title = `5. a classroom cut for ${CUT_MS / 1000} s`;
  const goal = `recovery < ${GOAL_DARK_MS / 1000} s`;
  const how = `One node, the same lesson. Classroom 1's page goes offline for ${CUT_MS / 1000} s (DevTools network emulation: its WebRTC and its WebSocket; netlab \`cut\`, the \`lan\` profile applied before the page loaded), then its link is back. Recovery = from the link's return until the page decodes steadily again (frames in at least half of the 100-ms samples for 1 s); the first new frame after the return is shown too.`;
  try {
    const { rooms, host, server, lesson } = node;
    await waitSteady(rooms, host);
    const victim = rooms[0]!;
    const peersOf = (report: MediaReport): string[] =>
      report.participants.filter((p) => p.classroomId === victim.classroomId).map((p) => p.peerId);
    const peersBefore = peersOf(await mediaReport(server.url, lesson));
    say(`${title}: cutting ${victim.name}`);
    const at = Date.now();
    const cutting = cut(victim.record.page, CUT_MS).then(() => Date.now());
    // Samples keep coming from every page while the link is down (CDP does not go through the cut).
    while (Date.now() < at + CUT_MS) {
      await sleep(1000);
      await pullAll([host, ...rooms.map((r) => r.record)]);
    }
    const back = await cutting;
    const end = await observe(rooms, host, back, 8_000, 40_000);
    keepRaw('cut', at, end, [host, ...rooms.map((r) => r.record)]);
    const peersAfter = peersOf(await mediaReport(server.url, lesson));
    const pages = rooms.map((r) => outcome(r, 'one node', r === victim, at, end, host));
    const hit = pages[0]!;
    const samples = victim.record.samples;
    const firstFrame = firstProgressAfter(samples, 'video', back, end);
    const recovery = steadyAgainAfter(samples, 'video', back, end);
    hit.recoveryMs = recovery;
    // Anything decoded while the link was down (from 1 s after the cut, when the queue has drained).
    // (and up to 0.3 s before its return: a sample's clock and the link's restore are that far apart).
    const leakedVideo = risenBetween(samples, 'video', at + 1000, back - 300);
    const leakedAudio = risenBetween(samples, 'audio', at + 1000, back - 300);
    const same = peersAfter.length === 1 && peersAfter[0] === peersBefore[0];
    hit.notes.push(
      same
        ? `same page (peer ${peersBefore[0]?.slice(0, 8)}…)`
        : `peers for it before: ${peersBefore.map((p) => p.slice(0, 8)).join(', ') || 'none'}, after: ${peersAfter.map((p) => p.slice(0, 8)).join(', ') || 'none'}`,
    );
    const hostShown = shownSince(host, at - 1000, end, hostView(victim.classroomId));
    const leak = (what: string, r: { count: number; firstAt: number | null }): string =>
      r.firstAt === null ? '' : `${r.count} ${what} (the first ${signed(r.firstAt - at)})`;
    const leakedParts = [leak('video frames', leakedVideo), leak('audio packets', leakedAudio)].filter(
      Boolean,
    );
    const leaked = leakedParts.length
      ? `while its link was down the page still counted ${leakedParts.join(' and ')}: the lab's offline emulation let some media through`
      : 'nothing reached the page while its link was down';
    return {
      key: 'cut',
      title,
      how,
      at,
      observedMs: end - at,
      pages,
      goal,
      figureMs: recovery ?? end - back,
      figureOpen: recovery === null,
      met: recovery !== null && recovery < GOAL_DARK_MS,
      hitSummary: `${darkText(hit.video)} (${victim.name}) over a ${round((back - at) / 1000, 1)} s cut; after the link's return: first frame ${firstFrame === null ? 'none' : `${round(firstFrame / 1000, 1)} s`}, steady ${recovery === null ? 'never' : `${round(recovery / 1000, 1)} s`}; ${same ? 'the same page (resumed)' : 'a new page (joined again)'}`,
      facts: [
        `link down ${round((back - at) / 1000, 1)} s (times are from the cut: the link is back at ${signed(back - at)})`,
        `after the link's return: first new frame ${firstFrame === null ? 'none' : `${firstFrame} ms`}, decoding steadily ${recovery === null ? 'never' : `${recovery} ms`}`,
        leaked,
        `came back as the same page (the same peer id in the media report, one page for the classroom): ${same ? 'yes' : 'no'} (pages for it now: ${peersAfter.length})`,
        `the host's overview for classroom 1 (its tile, the classroom count), times from the cut: ${hostShown.join(' → ')}`,
        hostCamera(host, at, end),
      ],
    };
  } catch (error) {
    return failed('cut', title, how, goal, error);
  }
}

async function singleNode(
  browser: Browser,
  webHandler: string,
  setups: string[],
  logs: ChaosResult['logs'],
): Promise<ScenarioResult[]> {
  say('one node: server, host, 3 classrooms');
  const server = await startLessonServer({ classrooms: 3, mediaWorkers: 2, ingestWorker: true, webHandler });
  processes.notePid(server.pid, 'server (one node)');
  const serverOwned = owned('one-node server', () => server.stop());
  try {
    noteWorkers(server);
    const lesson = server.lesson;
    const links = await joinLinks(server.url, lesson);
    const host = await openHost(browser, server.url, lesson);
    const rooms: Room[] = [];
    for (const [i, link] of links.entries()) {
      rooms.push(await openClassroom(browser, server.url, 'one node', lesson, link, i + 1));
    }
    await warmUp(rooms, host, WARM_UP_MS);
    const hostWorker = (await mediaReport(server.url, lesson)).participants.find(
      (p) => p.role === 'host',
    )?.workerPid;
    const roles = new Map(
      noteWorkers(server).map((pid) => [
        pid,
        pid === hostWorker ? ('ingest' as const) : ('forwarding' as const),
      ]),
    );
    const node: SingleNode = { server, lesson, host, rooms, roles };
    setups.push(
      "one node: the server process (2 forwarding mediasoup workers + 1 ingest worker, SQLite), the host teacher's console and 3 classroom pages on it",
    );
    const results: ScenarioResult[] = [];
    results.push(await workerKilled(node, 'forwarding'));
    results.push(await workerKilled(node, 'ingest'));
    results.push(await classroomCut(node));
    for (const r of [host, ...rooms.map((x) => x.record)]) await r.page.context().close();
    return results;
  } finally {
    logs.push({ name: 'one node', lines: server.logSummary() });
    await serverOwned.done();
  }
}

// ---------------------------------------------------------------- three nodes: Redis, a node

interface ClusterRig {
  redis: TestRedis;
  cluster: Cluster;
  lesson: LiveLesson;
  host: PageRecord;
  rooms: Room[];
}

/** The addresses these pages opened (or tried to open) WebSockets to in the window, by node, with how many attempts. */
function wsTargets(rooms: Room[], from: number, until: number, cluster: Cluster): string {
  const names = new Map(
    cluster.nodes.map((n) => [new URL(n.url).host, `node ${n.index} (${new URL(n.url).host})`]),
  );
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

function noteClusterPids(cluster: Cluster): void {
  for (const node of cluster.nodes) node.workerPids();
  for (const pid of cluster.pidsSeen()) processes.notePid(pid, 'cluster node or its worker');
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

async function redisRestart(rig: ClusterRig): Promise<ScenarioResult> {
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
    say(`${title}: restarting redis`);
    const at = Date.now();
    await redis.restart();
    const back = Date.now();
    say(`${title}: redis back after ${back - at} ms`);
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
    const w = worst(pages);
    const q = (ms: number | null): string => (ms === null ? 'not within 15 s' : `${ms} ms`);
    return {
      key: 'redis',
      title,
      how,
      at,
      observedMs: end - at,
      pages,
      goal,
      figureMs: w.ms,
      figureOpen: w.open,
      met: w.ms === null ? null : !w.open && w.ms < GOAL_DARK_MS,
      facts: [
        `Redis was away ${back - at} ms (SIGTERM → answering PING again)`,
        `a question from classroom 2 (node 3) shown on the host's console (node 1): before the restart ${q(questionBefore)}; asked right after Redis answered again: ${q(questionAfter)}`,
        `nodes node 1 lists at the end (GET /api/cluster/nodes): ${nodesSeen}`,
        `the host's overview (classroom count) from the restart: ${shownSince(host, at - 1000, end, (s) => `count ${/count=(\S*)/.exec(s)?.[1] ?? '?'}`).join(' → ')}`,
        hostCamera(host, at, end),
      ],
    };
  } catch (error) {
    return failed('redis', title, how, goal, error);
  }
}

async function nodeKilled(rig: ClusterRig): Promise<ScenarioResult[]> {
  const title = '3. a cluster node SIGKILLed (node 3)';
  const goal = `classrooms of the lost node back < ${GOAL_NODE_LOSS_MS / 1000} s; others dark < ${GOAL_DARK_MS / 1000} s`;
  const how =
    "Three nodes on one Redis; host on node 1, classroom 1 on node 2, classrooms 2 and 3 on node 3 (each page opened at its node's address, as a join link made there would). Node 3's process gets SIGKILL (its mediasoup workers lose their parent and exit). Observed for 30 s: the surviving classroom, what node 3's pages do (they reconnect to the origin they were loaded from), what the host sees.";
  const node3 = rig.cluster.nodes[2]!;
  const restartTitle = '3b. node 3 started again on the same address';
  const restartHow =
    "After those 30 s, node 3 is started again with the same id, address and ports (as a supervisor would restart it). Its classrooms' pages, still trying their origin, come back through it: dark counted from the start command, recovery from /healthz answering.";
  const results: ScenarioResult[] = [];
  try {
    const { rooms, host } = rig;
    await waitSteady(rooms, host);
    noteClusterPids(rig.cluster);
    const onNode3 = rooms.filter((r) => r.nodeUrl === node3.url);
    const workers3 = node3.workerPids();
    say(`${title}: killing node 3 (pid ${node3.pid()})`);
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
        `where node 3's pages tried to reconnect (their WebSocket attempts after the kill): ${wsTargets(onNode3, at, end, rig.cluster)}`,
        hostCamera(host, at, end),
      ],
    });
  } catch (error) {
    results.push(failed('node', title, how, goal, error));
    return results;
  }
  try {
    const { rooms, host } = rig;
    const onNode3 = rooms.filter((r) => r.nodeUrl === node3.url);
    say(`${restartTitle}: starting node 3 again`);
    const at = Date.now();
    await node3.start();
    const healthy = Date.now();
    noteClusterPids(rig.cluster);
    const end = await observe(rooms, host, at, 8_000, 40_000);
    keepRaw('node-restart', at, end, [host, ...rooms.map((r) => r.record)]);
    const pages = onNode3.map((r) => {
      const o = outcome(r, r.nodeName, true, at, end, host);
      o.recoveryMs = firstProgressAfter(r.record.samples, 'video', healthy, end);
      return o;
    });
    const recoveries = pages.map((p) => p.recoveryMs ?? null);
    const notBack = recoveries.some((x) => x === null);
    const slowest = notBack ? null : Math.max(...(recoveries as number[]));
    results.push({
      key: 'node-restart',
      hitSummary: notBack
        ? `not back within ${round((end - healthy) / 1000, 1)} s of /healthz`
        : `back ${pages.map((p) => signed(p.video.toMs)).join(', ')} after the start command; ${recoveries.map((x) => `${round(x! / 1000, 1)} s`).join(', ')} after /healthz answered`,
      title: restartTitle,
      how: restartHow,
      at,
      observedMs: end - at,
      pages,
      goal: '–',
      figureMs: slowest === null ? end - healthy : slowest,
      figureOpen: notBack,
      met: null,
      facts: [
        `node 3 answered /healthz ${healthy - at} ms after its start command; its classrooms' first new frame after that: ${recoveries.map((x) => (x === null ? 'none' : `${x} ms`)).join(', ')}`,
        `the host's overview, times from the restart: classroom 2 ${shownSince(host, at - 1000, end, hostView(rooms[1]!.classroomId)).join(' → ')}`,
      ],
    });
  } catch (error) {
    results.push(failed('node-restart', restartTitle, restartHow, '–', error));
  }
  return results;
}

async function threeNodes(
  browser: Browser,
  webHandler: string,
  setups: string[],
  logs: ChaosResult['logs'],
): Promise<ScenarioResult[]> {
  say('three nodes: redis, nodes, host on node 1, classrooms on nodes 2 and 3');
  const redis = await startRedis();
  owned('redis', () => redis.stop());
  for (const p of listProcesses())
    if (p.ppid === process.pid && p.name.startsWith('redis-server')) processes.notePid(p.pid, 'redis-server');
  const cluster = await startCluster({
    nodes: 3,
    redisUrl: redis.url,
    mediaWorkers: 1,
    webHandler,
    seed: admin,
  });
  owned('cluster nodes', () => cluster.stop());
  noteClusterPids(cluster);
  const [node1, node2, node3] = cluster.nodes as [ClusterNode, ClusterNode, ClusterNode];
  try {
    const lesson = await liveLessonOverHttp(node1.url, await login(node1.url), 3);
    const links = await joinLinks(node1.url, lesson);
    const host = await openHost(browser, node1.url, lesson);
    const placement: [ClusterNode, string][] = [
      [node2, 'node 2'],
      [node3, 'node 3'],
      [node3, 'node 3'],
    ];
    const rooms: Room[] = [];
    for (const [i, link] of links.entries()) {
      const [node, name] = placement[i]!;
      rooms.push(await openClassroom(browser, node.url, name, lesson, link, i + 1));
    }
    setups.push(
      "three nodes on one Redis (`npm run cluster`-like: each node 1 forwarding worker + 1 ingest worker, Redis store; testkit's redis-server on the shipped infra/redis.conf): the host on node 1, classroom 1 on node 2, classrooms 2 and 3 on node 3",
    );
    await warmUp(rooms, host, WARM_UP_MS);
    const rig: ClusterRig = { redis, cluster, lesson, host, rooms };
    const results: ScenarioResult[] = [];
    results.push(await redisRestart(rig));
    noteClusterPids(cluster);
    results.push(...(await nodeKilled(rig)));
    for (const r of [host, ...rooms.map((x) => x.record)]) await r.page.context().close();
    return results;
  } finally {
    for (const node of cluster.nodes) logs.push({ name: node.id, lines: node.logSummary() });
  }
}

// ---------------------------------------------------------------- the run

const SINGLE_NODE_SCENARIOS: [string, string][] = [
  ['forwarding-worker', '1. a forwarding worker SIGKILLed'],
  ['ingest-worker', '2. the ingest worker SIGKILLed'],
  ['cut', `5. a classroom cut for ${CUT_MS / 1000} s`],
];
const CLUSTER_SCENARIOS: [string, string][] = [
  ['redis', '4. Redis restarted (three nodes)'],
  ['node', '3. a cluster node SIGKILLed (node 3)'],
];

async function main(): Promise<void> {
  const startedAt = new Date();
  // The pages measured: web/build as it is now, copied, whatever another tenant rebuilds meanwhile.
  const build = await copyWebBuild(['lesson:resume', 'media:restartIce']);
  owned('the copy of the UI', async () => build.remove());
  if (build.srcNewer.length)
    say(
      `warning: web/src has files newer than web/build (${build.srcNewer.join(', ')}): \`npm run build\` to measure them`,
    );
  const commit = gitCommit();
  // Where the code under test differs from the commit (the benchmarks themselves do not count).
  const dirty = [
    ...new Set(
      execFileSync('git', ['status', '--porcelain', '--', '.', ':!bench', ':!package.json'], {
        cwd: ROOT,
        encoding: 'utf8',
      })
        .split('\n')
        .filter(Boolean)
        .map((line) => line.slice(3).split('/')[0]!),
    ),
  ].sort();
  const setups: string[] = [];
  const logs: ChaosResult['logs'] = [];
  const scenarios: ScenarioResult[] = [];
  const loadAtStart = os.loadavg()[0]!;
  let result: ChaosResult | undefined;
  try {
    const browser = await launchChromium();
    owned('chromium', () => browser.close());
    const machineInfo = { ...machine(browser.version()), loadAverageAtStart: round(loadAtStart, 2) };
    // A half whose set-up fails is reported as such; the other half still runs.
    const half = async (
      run: () => Promise<ScenarioResult[]>,
      keys: [string, string][],
      how: string,
    ): Promise<void> => {
      try {
        scenarios.push(...(await run()));
      } catch (error) {
        for (const [key, title] of keys) scenarios.push(failed(key, title, how, '–', error));
      }
    };
    if (ONLY !== 'cluster') {
      await half(
        () => singleNode(browser, build.handler, setups, logs),
        SINGLE_NODE_SCENARIOS,
        'One node: its set-up failed.',
      );
    }
    if (ONLY !== 'single') {
      await half(
        () => threeNodes(browser, build.handler, setups, logs),
        CLUSTER_SCENARIOS,
        'Three nodes: their set-up failed.',
      );
    }
    result = {
      startedAt: startedAt.toISOString(),
      commit,
      dirty,
      command: `npm run chaos${ONLY ? ` (CHAOS_ONLY=${ONLY})` : ''}`,
      machine: machineInfo,
      webBuild: { builtAt: build.builtAt, srcNewer: build.srcNewer, sends: build.sends },
      setups,
      scenarios,
      logs,
      leftovers: [],
      durationSeconds: 0,
    };
  } finally {
    await processes.stopAll();
  }
  await sleep(500);
  result.leftovers = processes.killLeftovers();
  result.durationSeconds = (Date.now() - runStart) / 1000;
  const order = ['forwarding-worker', 'ingest-worker', 'node', 'node-restart', 'redis', 'cut'];
  result.scenarios.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
  const name = ONLY ? `chaos-${ONLY}` : 'chaos';
  writeResults(name, result, renderChaos(result));
}

main().catch(async (error: unknown) => {
  say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await processes.stopAll();
  const left = processes.killLeftovers();
  if (left.length) say(`killed what was left: ${left.join(', ')}`);
  process.exit(1);
});
