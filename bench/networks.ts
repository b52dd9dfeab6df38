/**
 * npm run bench:networks — classrooms on real school networks (the network lab: testkit/src/netlab.ts).
 *
 * Lessons in real Chromium, one after the other, each with the host teacher's console broadcasting the lab's
 * barcode camera (1280 × 720, camera-like content) to classroom pages on named links (GROUPS) — lan beside bad;
 * rural; county; flaky (lan's link with its 10 s outage in the middle of the measurement) — measured for
 * MEASURE_MS: received resolution and frame rate, freezes, the longest time without a new frame, audio
 * concealment, glass-to-glass delay (the barcode), recovery after the outage, whether the lan classroom kept
 * 720p, what the host sent layer by layer, and what the SFU forwarded to each classroom on which bandwidth
 * estimate (a trace preloaded into the server process: support/mediaTrace.ts; no server code changed).
 *
 * Each lesson again with adaptation off (the host console's `?layers=1`: one 720p encoding), on a fresh server
 * and lesson after it. The halves run one after the other in this process, not side by side: two hosts
 * encoding 720p on 2 cores would starve each other's encoder (a CPU-limited encoder lowers its own resolution,
 * which would be the machine's doing, not the network's), so each half has what the machine offers to itself,
 * and compares against the other over the same harness, profiles and durations.
 *
 * Then join → first frame: JOINS classroom pages on loopback (no emulation), one after the other, in the
 * first lesson (its host still broadcasting, the profile pages closed), timed inside each page
 * (support/joinTimeline.ts).
 *
 * Writes bench/results/networks.{md,json}. Environment: NETWORKS_MEASURE_MS (default 60000),
 * NETWORKS_WARMUP_MS (20000), NETWORKS_JOINS (12), NETWORKS_PROFILES=lan,bad (one lesson of these),
 * NETWORKS_ONLY=adaptive|single (one half, results to networks-<half>.*; `adaptive` includes the joins),
 * NETWORKS_CAMERA='{"tilesPerSecond":100}' (the host camera's options, testkit/src/camera.ts; see CAMERA),
 * NETWORKS_MICROPHONE=beep (Chromium's own fake microphone instead of a speaking voice: see MICROPHONE),
 * NETWORKS_RECORD=1 (the host records each lesson from the start, as a lesson set to 自动录制 does: what the
 * recorder's key frame requests cost the classrooms; results to networks-recording[-<half>].*).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import {
  addBarcodeCamera,
  cut,
  FLAKY_OUTAGE_MS,
  iceRoutes,
  LINK_PROFILES,
  startMeasuring,
  waitForBarcode,
} from '@cloudschool/testkit/netlab';
import type { BarcodeCameraOptions, LinkProfileName } from '@cloudschool/testkit/netlab';
import { watchVoice } from './support/voicePath.ts';
import { CLASSROOM_NICE, launchLabBrowsers } from './support/labBrowsers.ts';
import type { LabBrowsers } from './support/labBrowsers.ts';
import { speakingMicrophone } from './support/speech.ts';
import { watchHost } from './support/hostSender.ts';
import { addJoinTimeline, joinSteps, joinTimeline } from './support/joinTimeline.ts';
import type { JoinSteps } from './support/joinTimeline.ts';
import { startLessonServer } from './support/lessonServer.ts';
import type { LessonServer } from './support/lessonServer.ts';
import { readTrace, sfuView } from './support/mediaTraceSummary.ts';
import { profileFigures } from './support/networkFigures.ts';
import { CLASSROOM_CAMERA, openClassroom, openHost } from './support/networkPages.ts';
import type { ClassroomPage, HostConsole } from './support/networkPages.ts';
import { renderNetworks } from './support/networksReport.ts';
import type { HalfMode, HalfResult, NetworksResult } from './support/networksReport.ts';
import { CpuWindow, processTree } from './support/procStats.ts';
import type { CpuGroup } from './support/procStats.ts';
import { trackPeerConnections } from './support/pageRtcStats.ts';
import { startTimeline } from './support/receiveTimeline.ts';
import { gitCommit, machine, round, sleep, writeResults } from './support/report.ts';
import { copyWebBuild } from './support/webBuild.ts';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const MEASURE_MS = env('NETWORKS_MEASURE_MS', 60_000);
const WARMUP_MS = env('NETWORKS_WARMUP_MS', 20_000);
const JOINS = env('NETWORKS_JOINS', 12);
/** The flaky classroom's outage starts this long into the measurement. */
const OUTAGE_AT_MS = Math.round(MEASURE_MS * 0.3);
const ONLY = process.env.NETWORKS_ONLY as HalfMode | undefined;
/**
 * The host's camera: the lab's barcode camera without its random tiles (100 new tiles of colour noise a
 * second by default). Its moving blocks and barcode still make 1.2–1.4 Mbit/s at 720p, camera-like; the
 * tiles' noise is what a 180p layer cannot carry (measured here: the lowest layer encoded 4–8 fps of it at its
 * ≈ 115 kbit/s, 18–24 fps without it), which a camera's 180p layer does not do.
 */
const CAMERA = JSON.parse(
  process.env.NETWORKS_CAMERA ?? '{"tilesPerSecond":0}',
) as Partial<BarcodeCameraOptions>;
/**
 * The lessons measured, by their classrooms' links: the lan classroom beside the worst link, so it shows whether
 * a weak classroom lowers what a good one receives; each other link alone. On 2 cores the host's encoder and
 * the classroom pages' decoders share the machine (in a lesson they are different computers): with five pages
 * the host encoded 14–17 fps (2026-12-07), with two beside it 26–30 fps, and with rural and flaky together
 * it lowered its own resolution for CPU 45 % of the time. `NETWORKS_PROFILES=lan,county` measures one lesson.
 */
const GROUPS = (
  process.env.NETWORKS_PROFILES
    ? [process.env.NETWORKS_PROFILES.split(',')]
    : [['lan', 'bad'], ['rural'], ['county'], ['flaky']]
) as LinkProfileName[][];
/**
 * Every page's microphone: a speaking voice (support/speech.ts) by default. Chromium's own fake microphone
 * (`beep`) measures the link's loss, not the voice's: measured on rural and bad, its beep and silence carried no
 * in-band FEC at all (0 packets with an FEC frame, concealment ≈ the loss: 2.1 % at 2.7 %), the voice's 88 %
 * of packets (concealment 0.1–0.6 % at 2.7–5.5 % loss), the host's encoder told of the same losses in both.
 */
const MICROPHONE = process.env.NETWORKS_MICROPHONE === 'beep' ? 'beep' : 'speech';
const RECORD = process.env.NETWORKS_RECORD === '1';
const MEDIA_WORKERS = os.cpus().length;
const TRACE_PRELOAD = fileURLToPath(new URL('./support/mediaTrace.ts', import.meta.url));
const TRACE_DIR = mkdtempSync(path.join(os.tmpdir(), 'cs-bench-networks-'));
const runStart = Date.now();

const say = (line: string): void => {
  process.stderr.write(`[networks +${Math.round((Date.now() - runStart) / 1000)} s] ${line}\n`);
};

interface Lesson {
  server: LessonServer;
  host: HostConsole;
  traceFile: string;
}

/** Environment variables set only while a function runs (a child process spawned meanwhile inherits them). */
async function withEnv<T>(vars: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await run();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Each page's peer connections, kept for reading its voice path (support/voicePath.ts). */
async function keepPeerConnections(context: BrowserContext): Promise<void> {
  await context.addInitScript(trackPeerConnections);
}

/** A server with the trace preload, a lesson, its host broadcasting. */
async function startLesson(
  browsers: LabBrowsers,
  webHandler: string,
  mode: HalfMode,
  classrooms: number,
): Promise<Lesson> {
  const traceFile = path.join(TRACE_DIR, `${mode}-${Date.now()}.jsonl`);
  const server = await withEnv(
    {
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${TRACE_PRELOAD}`.trim(),
      NETWORKS_TRACE_FILE: traceFile,
      // UDP only: DevTools' emulation does not shape WebRTC over TCP, and a page that moved there (runs 18–20)
      // measured the lab, not its link.
      MEDIA_ICE_TCP: '0',
    },
    () => startLessonServer({ classrooms, mediaWorkers: MEDIA_WORKERS, ingestWorker: true, webHandler }),
  );
  try {
    const host = await openHost(browsers.host, {
      url: server.url,
      lessonId: server.lesson.lessonId,
      teacherCookie: server.lesson.teacherCookie,
      layers: mode === 'single' ? 1 : 3,
      camera: CAMERA,
      prepare: keepPeerConnections,
    });
    if (RECORD) {
      await host.page.getByTestId('start-recording').click({ timeout: 30_000 });
      await host.page.getByTestId('stop-recording').waitFor({ timeout: 30_000 });
    }
    return { server, host, traceFile };
  } catch (error) {
    process.stderr.write(`server stderr tail:\n${server.stderrTail()}\n`);
    await server.stop();
    throw error;
  }
}

async function stopLesson(lesson: Lesson): Promise<void> {
  await lesson.host.context.close().catch(() => undefined);
  await lesson.server.stop();
}

/**
 * Each join token's classroom id, as the host's tiles name it: the coordinator's join links, in the order the
 * lesson's tokens were taken from them (a token is minted afresh on every call: the order is what matches).
 */
async function classroomIds(server: LessonServer): Promise<string[]> {
  const res = await fetch(`${server.url}/api/lessons/${server.lesson.lessonId}/links`, {
    headers: { cookie: server.lesson.coordinatorCookie },
  });
  const { links } = (await res.json()) as { links: { classroomId: string }[] };
  return links.map((l) => l.classroomId);
}

/** A classroom page's peer id in the lesson (what the server's trace names it by). */
function peerIdOf(page: ClassroomPage): Promise<string | null> {
  return page.page.evaluate(
    () =>
      (window as { __cloudschool?: { session(): { peerId: string | null } } }).__cloudschool?.session()
        .peerId ?? null,
  );
}

/** What a classroom page shows at the end: its level and hint, and the host's tile for it. */
async function shownLevels(host: HostConsole, page: ClassroomPage, classroomId: string | undefined) {
  const attribute = (locator: ReturnType<HostConsole['page']['locator']>, name: string) =>
    locator.getAttribute(name, { timeout: 1000 }).catch(() => null);
  const hint = page.page.getByTestId('quality-hint');
  return {
    own: await attribute(page.page.getByTestId('quality-indicator'), 'data-level'),
    hint: (await hint.count()) > 0 ? await attribute(hint, 'data-hint') : null,
    tile: classroomId
      ? await attribute(
          host.page.locator(`[data-testid="tile"][data-classroom-id="${classroomId}"]`),
          'data-quality',
        )
      : null,
  };
}

/** CPU over a measurement: the server (node and its mediasoup workers), Chromium, this harness; the rest apart. */
function cpuGroups(server: LessonServer, browsers: LabBrowsers): CpuGroup[] {
  const pids = browsers.pids();
  return [
    { name: 'server (node + mediasoup workers)', pids: processTree(server.pid) },
    { name: 'harness (this process)', pids: [process.pid] },
    { name: "chromium: the host's console", pids: pids.host },
    { name: `chromium: the classroom pages (nice ${CLASSROOM_NICE})`, pids: pids.classrooms },
  ];
}

/** One half: a fresh server, the host, a classroom per profile; warm-up, then every page measured together. */
async function runHalf(
  browsers: LabBrowsers,
  webHandler: string,
  mode: HalfMode,
  links: LinkProfileName[],
  extraClassrooms: number,
): Promise<{ half: HalfResult; lesson: Lesson }> {
  say(`${mode} (${links.join(', ')}): a server, its lesson and the host`);
  const lesson = await startLesson(browsers, webHandler, mode, links.length + extraClassrooms);
  const { server, host } = lesson;
  const rooms: { name: LinkProfileName; page: ClassroomPage }[] = [];
  try {
    for (const [i, name] of links.entries()) {
      // flaky's outage is started by this harness at a known moment (below): its link is lan's until then.
      const profile = { name, link: LINK_PROFILES[name].link };
      rooms.push({
        name,
        page: await openClassroom(
          browsers.classrooms,
          server.joinUrl(server.lesson.tokens[i]!),
          profile,
          keepPeerConnections,
        ),
      });
    }
    say(`${mode}: ${rooms.length} classrooms opened, waiting for their pictures`);
    await Promise.all(
      rooms.map(async ({ name, page }) => {
        await page.page
          .locator('[data-testid="classroom-status"][data-status="live"]')
          .waitFor({ timeout: 90_000 });
        await waitForBarcode(page.page, { timeoutMs: 90_000 }).catch((e: unknown) =>
          say(`${mode}: ${name}: ${e instanceof Error ? e.message : String(e)}`),
        );
      }),
    );
    browsers.yieldToHost();
    say(`${mode}: warming up ${WARMUP_MS / 1000} s`);
    await sleep(WARMUP_MS);
    const ids = await classroomIds(server);
    const peerIds = await Promise.all(rooms.map(({ page }) => peerIdOf(page)));

    say(`${mode}: measuring ${MEASURE_MS / 1000} s`);
    const from = Date.now();
    const cpu = new CpuWindow();
    cpu.start();
    const loads: number[] = [];
    const loadTimer = setInterval(() => loads.push(round(os.loadavg()[0]!, 1)), 5_000);
    const sender = watchHost(host.page);
    const hostMeasuring = await startMeasuring(host.page);
    const measuring = await Promise.all(rooms.map(({ page }) => startMeasuring(page.page)));
    const timelines = await Promise.all(rooms.map(({ page }) => startTimeline(page.page)));
    const hostVoice = watchVoice(host.page, 'send');
    const roomVoices = rooms.map(({ page }) => watchVoice(page.page, 'receive'));
    const flaky = rooms.find((r) => r.name === 'flaky');
    let outage: { at: number; back: number } | null = null;
    const outageDone = flaky
      ? (async () => {
          await sleep(from + OUTAGE_AT_MS - Date.now());
          const at = Date.now();
          say(`${mode}: flaky: link down for ${FLAKY_OUTAGE_MS / 1000} s`);
          await cut(flaky.page.page, FLAKY_OUTAGE_MS);
          outage = { at, back: Date.now() };
        })()
      : Promise.resolve();
    await sleep(from + MEASURE_MS - Date.now());
    await outageDone;
    const to = Date.now();
    clearInterval(loadTimer);
    const cpuReport = cpu.stop(cpuGroups(server, browsers));
    const layers = await sender.stop();
    const voice = {
      host: await hostVoice.stop(),
      classrooms: await Promise.all(roomVoices.map((w) => w.stop())),
    };
    const sent = await hostMeasuring.finish();
    const measured = await Promise.all(measuring.map((m) => m.finish()));
    const samples = await Promise.all(timelines.map((t) => t.finish()));
    const shown = await Promise.all(rooms.map(({ page }, i) => shownLevels(host, page, ids[i])));
    const routes = await Promise.all(rooms.map(({ page }) => connectedRoutes(page.page)));
    const trace = readTrace(lesson.traceFile);
    const profiles = rooms.map(({ name }, i) => ({
      ...profileFigures({
        profile: name,
        measurement: measured[i]!,
        samples: samples[i]!,
        from,
        to,
        outage: name === 'flaky' ? outage : null,
        shown: shown[i]!,
      }),
      routes: routes[i]!,
      sfu: peerIds[i] ? sfuView(trace, peerIds[i], from, to) : null,
      voice: voice.classrooms[i] ?? null,
    }));
    for (const p of profiles)
      say(
        `${mode}: ${p.profile}: ${p.width}x${p.height} ${p.fps} fps, frozen ${p.freezeSeconds} s, concealed ${p.audioConcealedPercent} %, p50/p95 ${p.delay.p50}/${p.delay.p95} ms`,
      );
    const half: HalfResult = {
      mode,
      layers: mode === 'single' ? 1 : 3,
      measuredAt: new Date(from).toISOString(),
      seconds: round((to - from) / 1000, 1),
      loadAverage: round(os.loadavg()[0]!, 2),
      loadAverages: loads,
      cpu: cpuReport,
      host: {
        width: sent.send.width,
        height: sent.send.height,
        fps: round(sent.send.fps, 1),
        videoKbps: round(sent.send.videoKbps, 0),
        qualityLimitationReason: sent.send.qualityLimitationReason,
        level: await host.page
          .getByTestId('host-quality')
          .getAttribute('data-level', { timeout: 1000 })
          .catch(() => null),
        layers,
        voice: voice.host,
      },
      profiles,
      problems: rooms.map(({ name, page }) => ({ name, ...page.problems })),
      serverLog: server.logSummary().slice(0, 10),
    };
    return { half, lesson };
  } catch (error) {
    await stopLesson(lesson);
    throw error;
  } finally {
    await Promise.all(rooms.map(({ page }) => page.context.close().catch(() => undefined)));
  }
}

/** Classroom pages on loopback joining one after the other, each timed inside the page. */
async function measureJoins(browser: Browser, lesson: Lesson, firstToken: number): Promise<JoinSteps[]> {
  const out: JoinSteps[] = [];
  for (let i = 0; i < JOINS; i++) {
    const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
    try {
      await addBarcodeCamera(context, CLASSROOM_CAMERA);
      await addJoinTimeline(context);
      const page = await context.newPage();
      await page.goto(lesson.server.joinUrl(lesson.server.lesson.tokens[firstToken + i]!));
      const until = Date.now() + 30_000;
      let timeline = await joinTimeline(page);
      while (timeline?.firstFrameAt === null && Date.now() < until) {
        await sleep(100);
        timeline = await joinTimeline(page);
      }
      const steps = timeline ? joinSteps(timeline) : null;
      if (steps) out.push(steps);
      say(
        `join ${i + 1}: first frame ${steps?.firstFrame === null || !steps ? 'none' : Math.round(steps.firstFrame)} ms`,
      );
    } finally {
      await context.close();
    }
    // The server's key frame requests are spaced (MEDIA_KEYFRAME_DELAY_MS): joins do not follow too closely.
    await sleep(1500);
  }
  return out;
}

/** The protocol of each of the page's connected peer connections at the end (`udp`, `tcp`, `relay/udp` …). */
async function connectedRoutes(page: Page): Promise<string[]> {
  const routes = await iceRoutes(page).catch(() => []);
  return routes
    .filter((r) => r.connectionState === 'connected' && r.local)
    .map((r) => (r.local!.candidateType === 'relay' ? `relay/${r.local!.relayProtocol}` : r.local!.protocol));
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const commit = gitCommit();
  const loadAtStart = round(os.loadavg()[0]!, 2);
  // The pages measured: web/build as it is now, copied (the server would otherwise serve a build made later).
  const build = await copyWebBuild(['media:keyFrames']);
  if (build.srcNewer.length) {
    say(
      `warning: web/src has files newer than web/build (${build.srcNewer.join(', ')}): \`npm run build\` to measure them`,
    );
  }
  const browsers = await launchLabBrowsers(MICROPHONE === 'speech' ? [speakingMicrophone(TRACE_DIR)] : []);
  const chromium = browsers.host.version();
  const halves: HalfResult[] = [];
  let joins: JoinSteps[] = [];
  try {
    for (const [g, profiles] of GROUPS.entries()) {
      if (!ONLY || ONLY === 'adaptive') {
        const withJoins = g === 0 ? JOINS : 0;
        const { half, lesson } = await runHalf(browsers, build.handler, 'adaptive', profiles, withJoins);
        halves.push(half);
        try {
          if (withJoins > 0) {
            say(`joins: ${JOINS} classroom pages on loopback, one after the other`);
            joins = await measureJoins(browsers.classrooms, lesson, profiles.length);
          }
        } finally {
          await stopLesson(lesson);
        }
      }
      if (!ONLY || ONLY === 'single') {
        const { half, lesson } = await runHalf(browsers, build.handler, 'single', profiles, 0);
        halves.push(half);
        await stopLesson(lesson);
      }
    }
  } finally {
    await browsers.close();
    rmSync(TRACE_DIR, { recursive: true, force: true });
    build.remove();
  }
  const result: NetworksResult = {
    benchmark: 'networks',
    startedAt: startedAt.toISOString(),
    seconds: Math.round((Date.now() - runStart) / 1000),
    commit,
    command: `${RECORD ? 'NETWORKS_RECORD=1 ' : ''}npm run bench:networks${ONLY ? ` (NETWORKS_ONLY=${ONLY})` : ''}`,
    machine: { ...machine(chromium), loadAverageAtStart: loadAtStart },
    loadAverageAtEnd: round(os.loadavg()[0]!, 2),
    webBuild: { builtAt: build.builtAt, srcNewer: build.srcNewer, sends: build.sends },
    settings: {
      measureMs: MEASURE_MS,
      warmUpMs: WARMUP_MS,
      outageAtMs: OUTAGE_AT_MS,
      outageMs: FLAKY_OUTAGE_MS,
      mediaWorkers: MEDIA_WORKERS,
      joins: JOINS,
      camera: CAMERA,
      microphone: MICROPHONE,
      recording: RECORD,
    },
    halves,
    joins,
  };
  writeResults(
    ['networks', RECORD && 'recording', ONLY].filter(Boolean).join('-'),
    result,
    renderNetworks(result),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
