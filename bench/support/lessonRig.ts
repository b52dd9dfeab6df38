/**
 * What the media benchmarks (fan-out, join storm) stand on: the real server process with a live lesson, the
 * host teacher's console broadcasting from Chromium, a few canary classroom pages (the first also tells which
 * rtpCapabilities Chromium consumes with), SRTP sinks for the simulated classrooms, and the run's facts
 * (date, commit, machine). Everything is torn down in one place, whatever the benchmark did.
 */
import os from 'node:os';
import type { Browser } from '@playwright/test';
import type { types as ms } from 'mediasoup';
import { openCanaryClassrooms } from './canaryClassrooms.ts';
import type { CanaryClassroom } from './canaryClassrooms.ts';
import { launchChromium } from './chromium.ts';
import { joinSimulatedClassroom } from './classroomClient.ts';
import type { ClassroomJoin, LessonClassroom } from './classroomClient.ts';
import { broadcastFromHostPage } from './hostPage.ts';
import type { HostPage } from './hostPage.ts';
import { startLessonServer } from './lessonServer.ts';
import type { LessonServer } from './lessonServer.ts';
import { gitCommit, machine } from './report.ts';
import type { Machine } from './report.ts';
import { SrtpSinkPool } from './srtpSink.ts';

/** The sinks decrypt the first packet of each stream and one in this many after it. */
const DECRYPT_EVERY = 50;

export interface LessonRigOptions {
  /** Simulated classrooms the lesson must admit (join tokens besides the canaries'). */
  classrooms: number;
  canaries: number;
  mediaWorkers: number;
  ingestWorker: boolean;
  sinkThreads: number;
  /** The sinks decrypt one packet in this many per stream. */
  decryptEvery: number;
  /** Simulcast layers the host's camera sends (3, the product; 1 = `?layers=1`, adaptation off). */
  hostLayers: 1 | 3;
}

/**
 * The rig for `classrooms` simulated classrooms as the environment sets it: BENCH_CANARIES (default
 * `canaries`), BENCH_MEDIA_WORKERS (one per core), BENCH_INGEST_WORKER=0 (the server without its ingest
 * worker, to compare), BENCH_SINK_THREADS (2), BENCH_HOST_LAYERS=1 (the host's camera as one layer, as
 * before simulcast: the cost of simulcast itself, apart from the rest).
 */
export function lessonRigOptions(classrooms: number, defaults: { canaries: number }): LessonRigOptions {
  const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
  return {
    classrooms,
    canaries: env('BENCH_CANARIES', defaults.canaries),
    mediaWorkers: env('BENCH_MEDIA_WORKERS', os.cpus().length),
    ingestWorker: process.env.BENCH_INGEST_WORKER !== '0',
    sinkThreads: env('BENCH_SINK_THREADS', 2),
    decryptEvery: DECRYPT_EVERY,
    hostLayers: process.env.BENCH_HOST_LAYERS === '1' ? 1 : 3,
  };
}

export interface LessonRig {
  startedAt: Date;
  commit: string;
  machine: Machine;
  server: LessonServer;
  browser: Browser;
  sinks: SrtpSinkPool;
  host: HostPage;
  canaries: CanaryClassroom[];
  chromiumRtpCapabilities: ms.RtpCapabilities;
  /**
   * Joins simulated classroom `index` (the index-th token not used by a canary), receiving into the sinks
   * unless told otherwise; it is closed when the rig stops, if not before.
   */
  joinClassroom(index: number, receiveAt?: ClassroomJoin['receiveAt']): Promise<LessonClassroom>;
}

/** Sets the rig up, runs `use` with it, tears it down; on a failure says how the server was doing. */
export async function withLessonRig<T>(o: LessonRigOptions, use: (rig: LessonRig) => Promise<T>): Promise<T> {
  const startedAt = new Date();
  const commit = gitCommit();
  const server = await startLessonServer({
    classrooms: o.classrooms + o.canaries,
    mediaWorkers: o.mediaWorkers,
    ingestWorker: o.ingestWorker,
  });
  let browser: Browser | undefined;
  let sinks: SrtpSinkPool | undefined;
  const joined: LessonClassroom[] = [];
  try {
    browser = await launchChromium();
    sinks = await SrtpSinkPool.start(o.sinkThreads, {
      sockets: 4,
      recvBufferBytes: 4 << 20,
      decryptEvery: o.decryptEvery,
    });
    const machineAtStart = machine(browser.version());
    const { lesson } = server;
    const host = await broadcastFromHostPage(browser, server.url, lesson.lessonId, lesson.teacherCookie, {
      layers: o.hostLayers,
    });
    const { canaries, chromiumRtpCapabilities } = await openCanaryClassrooms(
      browser,
      lesson.tokens.slice(0, o.canaries).map(server.joinUrl),
    );
    const tokens = lesson.tokens.slice(o.canaries);
    const intoSinks = { sinks };
    return await use({
      startedAt,
      commit,
      machine: machineAtStart,
      server,
      browser,
      sinks,
      host,
      canaries,
      chromiumRtpCapabilities,
      joinClassroom: async (index, receiveAt = intoSinks) => {
        const token = tokens[index];
        if (token === undefined) throw new Error(`classroom ${index}: the lesson has ${tokens.length}`);
        const classroom = await joinSimulatedClassroom(index, {
          url: server.url,
          lessonId: lesson.lessonId,
          token,
          rtpCapabilities: chromiumRtpCapabilities,
          receiveAt,
        });
        joined.push(classroom);
        return classroom;
      },
    });
  } catch (error) {
    const exit = server.exitCode();
    process.stderr.write(
      `${error instanceof Error ? error.stack : String(error)}\nserver ${exit === null ? 'running' : `exited (${exit})`}, stderr tail:\n${server.stderrTail()}\n`,
    );
    throw error;
  } finally {
    for (const c of joined) c.close();
    await browser?.close();
    await sinks?.close();
    await server.stop();
  }
}
