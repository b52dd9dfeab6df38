/**
 * The real server process with the built UI (the host console and canary classroom pages are real
 * pages), raw-RTP load transports allowed, and a live lesson for `classrooms` remote classrooms set up
 * over HTTP as a coordinator and a teacher would. Unlike the tests' startServer it keeps the server's
 * log (JSON lines on stdout), so a benchmark can say which warnings and errors the load caused.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  admin,
  freePortRange,
  kill9,
  liveLessonOverHttp,
  login,
  ROOT,
  serverEnv,
  waitForHealth,
} from '@cloudschool/testkit';
import type { LiveLesson } from '@cloudschool/testkit';

export interface LogLine {
  level: 'warn' | 'error' | 'fatal';
  msg: string;
  count: number;
  /** The first such line as written, cut to 400 characters. */
  example: string;
}

/** GET /api/lessons/:id/media: who receives what, on which worker, and how the host's tracks are piped. */
export interface MediaReport {
  participants: { peerId: string; role: string; audio: number; video: number; workerPid: number | null }[];
  workers: { pid: number; peers: number; consumers: number }[];
  producers: { id: string; source: string; classroomId: string | null; pipedTo: number }[];
}

export interface LessonServer {
  url: string;
  pid: number;
  env: NodeJS.ProcessEnv;
  lesson: LiveLesson;
  /** UDP ports the server's workers listen on: WebRTC (host and canaries), then plain and pipe transports. */
  webRtcPorts: number[];
  plainPorts: number[];
  /** The classroom page link of each token, as the coordinator hands it out. */
  joinUrl(token: string): string;
  /** The coordinator's view of who receives what, and on which worker. */
  mediaReport(): Promise<MediaReport>;
  /** Warnings and errors the server logged so far, by message. */
  logSummary(): LogLine[];
  /** The last lines the server wrote to stderr, for a report when something failed. */
  stderrTail(): string;
  /** Null while the server runs; else its exit code or the signal that ended it. */
  exitCode(): number | string | null;
  stop(): Promise<void>;
}

const WEB_HANDLER = path.join(ROOT, 'web/build/handler.js');

/** A server process with its log (JSON lines) kept in `dir`, once it answers /healthz. */
export interface LoggedServer {
  url: string;
  pid: number;
  /** The log as written so far. */
  log(): string;
  /** The last 8 KiB of its stderr. */
  stderrTail(): string;
  exitCode(): number | NodeJS.Signals | null;
  /** Kills it (if it still runs) and removes `dir`. */
  stop(): Promise<void>;
}

/** Starts signaling/src/main.ts with `env`, its log in `dir`; stopped and `dir` removed if it never answers. */
export async function spawnLoggedServer(
  env: NodeJS.ProcessEnv,
  dir: string,
  healthTimeoutMs: number,
): Promise<LoggedServer> {
  const logFile = path.join(dir, 'server.log');
  const logFd = openSync(logFile, 'w');
  const child = spawn(process.execPath, ['signaling/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', logFd, 'pipe'],
  });
  closeSync(logFd);
  // Read stderr: an unread pipe would block the server once full.
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8192);
  });
  const exitCode = (): number | NodeJS.Signals | null => child.exitCode ?? child.signalCode;
  const stop = async (): Promise<void> => {
    if (exitCode() === null) await kill9(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${env.PORT}`;
  try {
    await waitForHealth(url, exitCode, healthTimeoutMs);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    pid: child.pid!,
    log: () => readFileSync(logFile, 'utf8'),
    stderrTail: () => tail,
    exitCode,
    stop,
  };
}

export async function startLessonServer(o: {
  classrooms: number;
  mediaWorkers: number;
  /** The server's ingest worker for the host (on unless a run compares without it). */
  ingestWorker: boolean;
  /** The built UI's handler (web/build's unless told: a copy immune to rebuilds). */
  webHandler?: string;
}): Promise<LessonServer> {
  const webHandler = o.webHandler ?? WEB_HANDLER;
  if (!existsSync(webHandler)) throw new Error('the UI is not built: run `npm run build` first');
  // One port per classroom transport and per pipe between workers, with room to spare; free now.
  const plainPortCount = 2 * o.classrooms + 500;
  const plainPortMin = await freePortRange(plainPortCount);
  const plainPortMax = plainPortMin + plainPortCount - 1;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-bench-media-'));
  const env = await serverEnv({
    DATA_DIR: dir,
    WEB_HANDLER: webHandler,
    MEDIA_WORKERS: String(o.mediaWorkers),
    MEDIA_INGEST_WORKER: o.ingestWorker ? '1' : '0',
    ALLOW_PLAIN_TRANSPORTS: '1',
    MEDIA_PLAIN_PORT_MIN: String(plainPortMin),
    MEDIA_PLAIN_PORT_MAX: String(plainPortMax),
  });
  await admin(env);
  const server = await spawnLoggedServer(env, dir, 30_000);
  const { url, stop } = server;
  try {
    const lesson = await liveLessonOverHttp(url, await login(url), o.classrooms);
    const base = Number(env.MEDIA_PORT_BASE);
    return {
      url,
      pid: server.pid,
      env,
      lesson,
      webRtcPorts: Array.from({ length: o.mediaWorkers }, (_, i) => base + i),
      plainPorts: Array.from({ length: plainPortCount }, (_, i) => plainPortMin + i),
      joinUrl: (token) => `${url}/classroom/${lesson.lessonId}?t=${token}`,
      mediaReport: async () =>
        (await (
          await fetch(`${url}/api/lessons/${lesson.lessonId}/media`, {
            headers: { cookie: lesson.coordinatorCookie },
          })
        ).json()) as MediaReport,
      logSummary: () => summarizeLog(server.log()),
      stderrTail: server.stderrTail,
      exitCode: server.exitCode,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * GET /healthz every 500 ms until stopped: the server's event loop answers it, so the latencies show how
 * busy that loop is (e.g. while hundreds of classrooms join).
 */
export function probeHealth(url: string): { stop(): Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      await fetch(`${url}/healthz`).then((r) => r.arrayBuffer());
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return latencies;
    },
  };
}

/** pino levels: 40 warn, 50 error, 60 fatal. */
const LEVELS: Record<number, LogLine['level']> = { 40: 'warn', 50: 'error', 60: 'fatal' };

/** The warnings and errors of a pino log (JSON lines), by message, most frequent first. */
export function summarizeLog(text: string): LogLine[] {
  const byMessage = new Map<string, LogLine>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: { level?: number; msg?: string };
    try {
      entry = JSON.parse(line) as { level?: number; msg?: string };
    } catch {
      continue;
    }
    const level = LEVELS[entry.level ?? 0];
    if (!level) continue;
    const key = `${level} ${entry.msg ?? ''}`;
    const seen = byMessage.get(key);
    if (seen) seen.count++;
    else byMessage.set(key, { level, msg: entry.msg ?? '', count: 1, example: line.slice(0, 400) });
  }
  return [...byMessage.values()].sort((a, b) => b.count - a.count);
}
