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
 * The scenarios: support/chaosSingleNode.ts (one node) and support/chaosCluster.ts (three nodes).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { ROOT } from '@cloudschool/testkit';
import { CLUSTER_SCENARIOS, threeNodes } from './support/chaosCluster.ts';
import { renderChaos } from './support/chaosReport.ts';
import type { ChaosResult, ScenarioResult } from './support/chaosReport.ts';
import { failed } from './support/chaosRun.ts';
import type { ChaosRun } from './support/chaosRun.ts';
import { SINGLE_NODE_SCENARIOS, singleNode } from './support/chaosSingleNode.ts';
import { launchChromium } from './support/chromium.ts';
import { OwnedProcesses } from './support/ownedProcesses.ts';
import { copyWebBuild } from './support/webBuild.ts';
import type { Owned } from './support/ownedProcesses.ts';
import { gitCommit, machine, round, sleep, writeResults } from './support/report.ts';

const ONLY = process.env.CHAOS_ONLY;
const runStart = Date.now();

const say = (line: string): void => {
  process.stderr.write(`[chaos +${Math.round((Date.now() - runStart) / 1000)} s] ${line}\n`);
};

const processes = new OwnedProcesses(say);
processes.stopOnSignals();
const owned = (name: string, run: () => Promise<void>): Owned => processes.owned(name, run);
/** What the scenarios are handed: the progress line and the processes owned. */
const chaos: ChaosRun = { say, processes };

async function main(): Promise<void> {
  const startedAt = new Date();
  // The pages measured: web/build as it is now, copied, whatever another tenant rebuilds meanwhile.
  const build = await copyWebBuild(['lesson:resume', 'media:restartIce', 'media:keyFrames']);
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
        for (const [key, title] of keys) scenarios.push(failed(chaos, key, title, how, '–', error));
      }
    };
    if (ONLY !== 'cluster') {
      await half(
        () => singleNode(chaos, browser, build.handler, setups, logs),
        SINGLE_NODE_SCENARIOS,
        'One node: its set-up failed.',
      );
    }
    if (ONLY !== 'single') {
      await half(
        () => threeNodes(chaos, browser, build.handler, setups, logs),
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
