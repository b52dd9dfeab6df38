/**
 * `npm run chaos` on one node (2 forwarding workers + the ingest worker; host + 3 classrooms): the forwarding
 * worker a classroom is on and the ingest worker the host is on, each SIGKILLed, then one classroom's link cut
 * for 10 s — each scenario's result, and the set-up they share.
 */
import type { Browser } from '@playwright/test';
import type { LiveLesson } from '@cloudschool/testkit';
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
} from './chaosPages.ts';
import type { MediaReport, Room } from './chaosPages.ts';
import { darkText, GOAL_DARK_MS } from './chaosReport.ts';
import type { ChaosResult, ScenarioResult } from './chaosReport.ts';
import { darkScenario, failed, WARM_UP_MS } from './chaosRun.ts';
import type { ChaosRun } from './chaosRun.ts';
import { firstProgressAfter, risenBetween, steadyAgainAfter } from './darkPeriods.ts';
import type { PageRecord } from './frameSampler.ts';
import { startLessonServer } from './lessonServer.ts';
import type { LessonServer } from './lessonServer.ts';
import { mediasoupWorkerPids } from './procStats.ts';
import { round, sleep } from './report.ts';

const CUT_MS = 10_000;

/** This half's scenarios, key and title (a failed set-up reports each as failed). */
export const SINGLE_NODE_SCENARIOS: [string, string][] = [
  ['forwarding-worker', '1. a forwarding worker SIGKILLed'],
  ['ingest-worker', '2. the ingest worker SIGKILLed'],
  ['cut', `5. a classroom cut for ${CUT_MS / 1000} s`],
];

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

function noteWorkers(chaos: ChaosRun, server: LessonServer): number[] {
  const pids = mediasoupWorkerPids(server.pid);
  for (const pid of pids) chaos.processes.notePid(pid, 'mediasoup worker (one node)');
  return pids;
}

async function workerKilled(
  chaos: ChaosRun,
  node: SingleNode,
  which: 'forwarding' | 'ingest',
): Promise<ScenarioResult> {
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
    const before = noteWorkers(chaos, server);
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
    chaos.say(`${title}: killing pid ${victim}`);
    const at = Date.now();
    process.kill(victim, 'SIGKILL');
    const end = await observe(rooms, host, at, 8_000, 30_000);
    keepRaw(which, at, end, [host, ...rooms.map((r) => r.record)]);
    const after = noteWorkers(chaos, server);
    const replaced = after.filter((pid) => !before.includes(pid));
    for (const pid of replaced) node.roles.set(pid, which);
    const pages = rooms.map((r) => outcome(r, where.get(r)!, hit(r), at, end, host));
    const reportAfter = await mediaReport(server.url, node.lesson);
    return darkScenario({
      key: which === 'forwarding' ? 'forwarding-worker' : 'ingest-worker',
      title,
      how,
      at,
      end,
      pages,
      goal,
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
    });
  } catch (error) {
    return failed(
      chaos,
      which === 'forwarding' ? 'forwarding-worker' : 'ingest-worker',
      title,
      how,
      goal,
      error,
    );
  }
}

async function classroomCut(chaos: ChaosRun, node: SingleNode): Promise<ScenarioResult> {
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
    chaos.say(`${title}: cutting ${victim.name}`);
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
    return failed(chaos, 'cut', title, how, goal, error);
  }
}

/** One node: its server, the host and 3 classrooms, then scenarios 1, 2 and 5 one after another. */
export async function singleNode(
  chaos: ChaosRun,
  browser: Browser,
  webHandler: string,
  setups: string[],
  logs: ChaosResult['logs'],
): Promise<ScenarioResult[]> {
  chaos.say('one node: server, host, 3 classrooms');
  const server = await startLessonServer({ classrooms: 3, mediaWorkers: 2, ingestWorker: true, webHandler });
  chaos.processes.notePid(server.pid, 'server (one node)');
  const serverOwned = chaos.processes.owned('one-node server', () => server.stop());
  try {
    noteWorkers(chaos, server);
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
      noteWorkers(chaos, server).map((pid) => [
        pid,
        pid === hostWorker ? ('ingest' as const) : ('forwarding' as const),
      ]),
    );
    const node: SingleNode = { server, lesson, host, rooms, roles };
    setups.push(
      "one node: the server process (2 forwarding mediasoup workers + 1 ingest worker, SQLite), the host teacher's console and 3 classroom pages on it",
    );
    const results: ScenarioResult[] = [];
    results.push(await workerKilled(chaos, node, 'forwarding'));
    results.push(await workerKilled(chaos, node, 'ingest'));
    results.push(await classroomCut(chaos, node));
    for (const r of [host, ...rooms.map((x) => x.record)]) await r.page.context().close();
    return results;
  } finally {
    logs.push({ name: 'one node', lines: server.logSummary() });
    await serverOwned.done();
  }
}
