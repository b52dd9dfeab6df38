/**
 * npm run bench:screen-share — is the teacher's shared slide readable at the back of a rural classroom?
 *
 * One lesson in real Chromium: the host console broadcasting its camera (the network lab's barcode camera,
 * 1280 × 720, without random tiles) and sharing the test slide (testkit/src/screenSlide.ts: 1920 × 1080,
 * lines of 14 px Chinese and Latin text, redrawn every frame like a captured screen); two classroom pages
 * measured at the same time, one on `rural` (600 kbit/s, 80 ms, 3 % loss, both directions) and one on `lan`
 * for comparison (profiles: testkit/src/linkProfiles.ts, applied per page over CDP before it loads).
 *
 * For each classroom: when its first screen frame was decoded and when it reached ≥ 1600 px wide; SSIM of
 * its decoded frame against the source slide (both drawn to 1920 × 1080 canvases in the page; 8 × 8 windows,
 * testkit/src/ssim.ts) at 5 s and 30 s after the share started, over the whole slide and over its text
 * windows only; decoded frame width and frame rate (getStats of its screen consumer), sampled each second.
 *
 * Writes bench/results/screen-share.{md,json}. Environment: SCREEN_SHARE_PROFILES=rural,lan (default),
 * SCREEN_SHARE_SECONDS=30 (the later SSIM sample; the first is at 5 s).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import {
  addFakeDisplay,
  addScreenMeter,
  measureScreen,
  ROOT,
  screenStats,
  SLIDE,
  slidePng,
} from '@cloudschool/testkit';
import type { ScreenMeasure, ScreenStats } from '@cloudschool/testkit';
import { LINK_PROFILES, statsSnapshot } from '@cloudschool/testkit/netlab';
import type { LinkProfileName, OutboundStream } from '@cloudschool/testkit/netlab';
import { launchChromium } from './support/chromium.ts';
import { startLessonServer } from './support/lessonServer.ts';
import { openClassroom, openHost } from './support/networkPages.ts';
import {
  gitCommit,
  hostProblemsLine,
  logSection,
  machine,
  round,
  sleep,
  writeResults,
} from './support/report.ts';

const PROFILES = (process.env.SCREEN_SHARE_PROFILES?.split(',') ?? ['rural', 'lan']) as LinkProfileName[];
const LATE_S = Number(process.env.SCREEN_SHARE_SECONDS ?? 30);
const EARLY_S = 5;

const say = (text: string): void => void process.stdout.write(`[screen-share] ${text}\n`);

interface Sample {
  /** Seconds since the share started. */
  t: number;
  stats: ScreenStats | null;
}

interface ClassroomResult {
  profile: string;
  link: (typeof LINK_PROFILES)[LinkProfileName]['link'];
  firstFrameS: number | null;
  fullWidthS: number | null;
  early: (ScreenMeasure & { stats: ScreenStats | null }) | null;
  late: (ScreenMeasure & { stats: ScreenStats | null }) | null;
  /** Frames decoded per second over the last 20 s (from the 1-s samples). */
  decodedFps: number | null;
  /** Frame width at the end, and the smallest seen once the first frame arrived. */
  frameWidthEnd: number | null;
  frameWidthMin: number | null;
  samples: Sample[];
  consoleProblems: number;
}

/** What the host sends of the screen, per encoding, between two snapshots of its getStats(). */
interface ScreenLayerSent {
  rid: string;
  frameWidth: number;
  fps: number;
  kbps: number;
  qualityLimitationReason: string;
}

const screenOut = async (host: Page): Promise<OutboundStream[]> =>
  (await statsSnapshot(host)).outbound.filter((o) => o.kind === 'video' && o.frameWidth >= 1600);

function layersSent(before: OutboundStream[], after: OutboundStream[]): ScreenLayerSent[] {
  return after.flatMap((a) => {
    const b = before.find((x) => x.ssrc === a.ssrc);
    if (!b) return [];
    const dt = (a.timestamp - b.timestamp) / 1000;
    return dt > 0
      ? [
          {
            rid: a.rid || 'single',
            frameWidth: a.frameWidth,
            fps: round((a.framesEncoded - b.framesEncoded) / dt, 1),
            kbps: round((8 * (a.bytesSent - b.bytesSent)) / dt / 1000, 0),
            qualityLimitationReason: a.qualityLimitationReason,
          },
        ]
      : [];
  });
}

/** Frames decoded per second over the last `seconds` of samples. */
function decodedFps(samples: Sample[], seconds: number): number | null {
  const last = samples.at(-1);
  const from = samples.find((x) => x.t >= (last?.t ?? 0) - seconds && x.stats !== null);
  if (!last?.stats || !from?.stats || last.t <= from.t) return null;
  return round((last.stats.framesDecoded - from.stats.framesDecoded) / (last.t - from.t), 1);
}

/** A 1:1 crop of the classroom's decoded screen (the slide's first lines), for a person to judge by eye. */
const CROP = { x: 40, y: 20, width: 900, height: 300 };

async function saveCrop(page: Page, file: string): Promise<void> {
  const url = await page.evaluate((c) => {
    // A classroom's decoded frame, or on the host the source slide itself.
    const video =
      document.querySelector<HTMLVideoElement>('[data-testid="screen-video"]') ??
      (window as unknown as { __testSlide?: HTMLCanvasElement }).__testSlide;
    if (!video || (video instanceof HTMLVideoElement ? video.videoWidth : video.width) === 0) return null;
    const canvas = document.createElement('canvas');
    canvas.width = c.width;
    canvas.height = c.height;
    canvas.getContext('2d')!.drawImage(video, c.x, c.y, c.width, c.height, 0, 0, c.width, c.height);
    return canvas.toDataURL('image/png');
  }, CROP);
  if (url) writeFileSync(path.join(ROOT, 'bench/results', file), Buffer.from(url.split(',')[1]!, 'base64'));
}

async function measureAt(page: Page, png: string) {
  const stats = await screenStats(page);
  const measured = await measureScreen(page, png);
  return measured ? { ...measured, stats } : null;
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const commit = gitCommit();
  const loadAtStart = round(os.loadavg()[0]!, 2);
  const server = await startLessonServer({
    classrooms: PROFILES.length,
    mediaWorkers: os.cpus().length,
    ingestWorker: true,
  });
  const browser = await launchChromium();
  const chromium = browser.version();
  const results: ClassroomResult[] = [];
  let hostProblems = '';
  let sent: ScreenLayerSent[] = [];
  try {
    const host = await openHost(browser, {
      url: server.url,
      lessonId: server.lesson.lessonId,
      teacherCookie: server.lesson.teacherCookie,
      layers: 3,
      camera: { tilesPerSecond: 0 },
      prepare: addFakeDisplay,
    });
    say('host live');
    const rooms = [];
    for (const [i, name] of PROFILES.entries()) {
      const room = await openClassroom(
        browser,
        server.joinUrl(server.lesson.tokens[i]!),
        LINK_PROFILES[name],
        addScreenMeter,
      );
      await room.page
        .locator('[data-testid="classroom-status"][data-status="live"]')
        .waitFor({ timeout: 120_000 });
      rooms.push({ name, room });
    }
    say(`${rooms.map((r) => r.name).join(', ')} classrooms live; sharing the slide`);
    await host.page.getByTestId('share-screen').click();
    const sharedAt = Date.now();
    await host.page.getByTestId('share-status').waitFor({ timeout: 30_000 });
    const png = await slidePng(host.page);
    const since = (): number => (Date.now() - sharedAt) / 1000;
    const state = rooms.map(({ name, room }) => ({
      name,
      room,
      samples: [] as Sample[],
      firstFrameS: null as number | null,
      fullWidthS: null as number | null,
      early: null as ClassroomResult['early'],
      late: null as ClassroomResult['late'],
    }));
    let earlyDone = false;
    let outEarly: OutboundStream[] = [];
    while (since() < LATE_S) {
      if (!earlyDone && since() >= EARLY_S) {
        earlyDone = true;
        outEarly = await screenOut(host.page);
        for (const s of state) s.early = await measureAt(s.room.page, png);
        say(
          `at ${EARLY_S} s: ${state.map((s) => `${s.name} SSIM ${s.early?.ssim.toFixed(4) ?? '—'}`).join(', ')}`,
        );
      }
      for (const s of state) {
        const stats = await screenStats(s.room.page);
        const t = round(since(), 2);
        s.samples.push({ t, stats });
        if (s.firstFrameS === null && (stats?.framesDecoded ?? 0) > 0) s.firstFrameS = t;
        if (s.fullWidthS === null && (stats?.frameWidth ?? 0) >= 1600) s.fullWidthS = t;
      }
      await sleep(
        Math.min(1000, Math.max(0, (earlyDone ? LATE_S : EARLY_S) * 1000 - (Date.now() - sharedAt))),
      );
    }
    sent = layersSent(outEarly, await screenOut(host.page));
    for (const s of state) {
      s.late = await measureAt(s.room.page, png);
      await saveCrop(s.room.page, `screen-share-${s.name}.png`);
    }
    await saveCrop(host.page, 'screen-share-source.png');
    say(`at ${LATE_S} s: ${state.map((s) => `${s.name} SSIM ${s.late?.ssim.toFixed(4) ?? '—'}`).join(', ')}`);
    for (const s of state) {
      const widths = s.samples.map((x) => x.stats?.frameWidth ?? 0).filter((w) => w > 0);
      results.push({
        profile: s.name,
        link: LINK_PROFILES[s.name].link,
        firstFrameS: s.firstFrameS,
        fullWidthS: s.fullWidthS,
        early: s.early,
        late: s.late,
        decodedFps: decodedFps(s.samples, 20),
        frameWidthEnd: s.late?.stats?.frameWidth ?? null,
        frameWidthMin: widths.length > 0 ? Math.min(...widths) : null,
        samples: s.samples,
        consoleProblems: s.room.problems.count,
      });
    }
    hostProblems = hostProblemsLine(host.problems);
  } finally {
    await browser.close();
    const log = server.logSummary();
    await server.stop();
    const json = {
      benchmark: 'screen-share',
      startedAt: startedAt.toISOString(),
      commit,
      command: 'npm run bench:screen-share',
      machine: { ...machine(chromium), loadAverageAtStart: loadAtStart },
      loadAverageAtEnd: round(os.loadavg()[0]!, 2),
      slide: SLIDE,
      seconds: { early: EARLY_S, late: LATE_S },
      classrooms: results,
      hostScreenSent: sent,
      serverLog: log,
    };
    writeResults('screen-share', json, render(json, sent, hostProblems, log));
  }
}

const f4 = (x: number | undefined | null): string => (x === undefined || x === null ? '—' : x.toFixed(4));
const v = (x: number | undefined | null, unit = ''): string =>
  x === undefined || x === null ? '—' : `${x}${unit}`;

function render(
  json: {
    startedAt: string;
    commit: string;
    command: string;
    machine: ReturnType<typeof machine>;
    classrooms: ClassroomResult[];
  },
  sent: ScreenLayerSent[],
  hostProblems: string,
  log: Parameters<typeof logSection>[0],
): string {
  const m = json.machine;
  const rows = json.classrooms.map(
    (c) =>
      `| ${c.profile} | ${c.link ? `${c.link.kbps} kbit/s, ${c.link.latencyMs} ms, ${c.link.lossPercent} %` : 'unshaped'} | ` +
      `${v(c.firstFrameS, ' s')} | ${v(c.fullWidthS, ' s')} | ${f4(c.early?.ssim)} / ${f4(c.early?.textSsim)} | ` +
      `${f4(c.late?.ssim)} / ${f4(c.late?.textSsim)} | ${v(c.decodedFps)} | ${v(c.frameWidthEnd)} (min ${v(c.frameWidthMin)}) |`,
  );
  return [
    '# Screen share: the slide as classrooms see it',
    '',
    `${json.startedAt} · commit ${json.commit} · \`${json.command}\``,
    '',
    `Machine: ${m.cpu ?? '?'}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, Chromium ${m.chromium ?? '?'}, ` +
      `load ${m.loadAverageAtStart} at start.`,
    '',
    `The host console shares a ${SLIDE.width} × ${SLIDE.height} slide of 14 px Chinese and Latin text (VP8, two ` +
      `simulcast encodings both at full size: ≤ 2 fps / 300 kbit/s and ≤ 15 fps / 2.5 Mbit/s; contentHint 'detail', ` +
      `maintain-resolution) besides its camera (3 simulcast layers); ` +
      `the classrooms below receive both at the same time. SSIM: decoded frame vs source slide, grayscale, 8 × 8 ` +
      `windows every 4 px; "text" averages only the windows where the slide has text (a blank window scores 1 ` +
      `whatever happens). Decoded fps: frames decoded per second over the last 20 s.`,
    '',
    `| classroom | link | first frame | ≥ 1600 px | SSIM at ${EARLY_S} s (all / text) | SSIM at ${LATE_S} s (all / text) | decoded fps | frame width at end |`,
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `What the host sent of the screen from ${EARLY_S} s to ${LATE_S} s (getStats, per encoding; one that was not ` +
      `sending yet at ${EARLY_S} s is missing):`,
    '',
    '| encoding | width | fps | kbit/s | limited by |',
    '|---|---|---|---|---|',
    ...sent.map(
      (l) => `| ${l.rid} | ${l.frameWidth} | ${l.fps} | ${l.kbps} | ${l.qualityLimitationReason} |`,
    ),
    '',
    `A 1:1 crop of each classroom's decoded frame at ${LATE_S} s (the slide's first lines): ` +
      json.classrooms.map((c) => `[${c.profile}](screen-share-${c.profile}.png)`).join(', ') +
      ', and the [source](screen-share-source.png).',
    '',
    hostProblems,
    '',
    ...logSection(log),
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
