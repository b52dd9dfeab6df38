/**
 * What the fuzzer runs against and watches: the real server process (its log kept, so unexpected errors
 * can be counted), a fixture set up over HTTP as a coordinator and teachers would (live lessons with
 * invited classrooms, join tokens, forged ones, a courseware file), the store as the API shows it (to
 * compare before and after), and the process itself: alive, answering /healthz, and its memory.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { admin, login, serverEnv } from '@cloudschool/testkit';
import { spawnLoggedServer, summarizeLog } from './lessonServer.ts';
import type { LogLine } from './lessonServer.ts';
import { mediasoupWorkerPids, rssMiB } from './procStats.ts';

export interface FuzzServer {
  url: string;
  pid: number;
  /** Null while the server runs; else its exit code or the signal that ended it. */
  exitCode(): number | string | null;
  /** Warnings and errors the server logged so far, by message. */
  logSummary(): LogLine[];
  stderrTail(): string;
  stop(): Promise<void>;
}

/** The server as a child process, embedded store (SQLite) or Redis, its log in a file of its own. */
export async function startFuzzServer(o: { redisUrl?: string }): Promise<FuzzServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cs-fuzz-'));
  const env = await serverEnv({
    DATA_DIR: dir,
    LOG_LEVEL: 'warn',
    ...(o.redisUrl ? { REDIS_URL: o.redisUrl } : {}),
  });
  await admin(env);
  const server = await spawnLoggedServer(env, dir, 60_000);
  return {
    url: server.url,
    pid: server.pid,
    exitCode: server.exitCode,
    logSummary: () => summarizeLog(withErrorMessages(server.log())),
    stderrTail: server.stderrTail,
    stop: server.stop,
  };
}

/** The log with each error line's message extended by its error's type and message, so different failures count apart. */
function withErrorMessages(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (!line.startsWith('{') || !line.includes('"err"')) return line;
      try {
        const entry = JSON.parse(line) as { msg?: string; err?: { type?: string; message?: string } };
        if (!entry.err) return line;
        const detail = `${entry.err.type ?? 'Error'}: ${(entry.err.message ?? '').slice(0, 120)}`;
        return JSON.stringify({ ...entry, msg: `${entry.msg ?? ''} (${detail})` });
      } catch {
        return line;
      }
    })
    .join('\n');
}

// ---------------------------------------------------------------- the fixture

export interface FixtureLesson {
  id: string;
  teacher: number;
  hostClassroomId: string;
  /** Its invited classrooms and their join tokens (same order). */
  classroomIds: string[];
  tokens: string[];
}

export interface Fixture {
  coordinatorCookie: string;
  teachers: { id: string; cookie: string }[];
  /** Live now, one per teacher. */
  lessons: FixtureLesson[];
  /** Scheduled tomorrow: outside its window. */
  laterLessonId: string;
  schoolIds: string[];
  codes: string[];
  /** A courseware file of lesson 0. */
  fileId: string;
  /** Join tokens that must open nothing: another key, alg none, a changed claim, not a JWT. */
  forgedTokens: string[];
}

export const REMOTES_PER_LESSON = 4;
const TEACHER_PASSWORD = 'fuzz-teacher-pass-1';

async function expectOk(res: Response, what: string): Promise<Response> {
  if (res.status < 200 || res.status >= 300) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

/** A roster, a teacher per lesson and `lessons` live lessons, set up over HTTP (accepted actions, before any hostile input). */
export async function setUpFixture(url: string, lessons: number): Promise<Fixture> {
  const coordinatorCookie = await login(url);
  const json = { cookie: coordinatorCookie, 'content-type': 'application/json' };
  const csv = ['school,province,city,district,classroom,kind'];
  for (let i = 0; i < lessons; i++) {
    csv.push(`一中,四川,成都,武侯,主讲教室${i},host`);
    for (let c = 0; c < REMOTES_PER_LESSON; c++) csv.push(`乡村小学${i},四川,凉山,昭觉,${i}-${c}班,remote`);
  }
  await expectOk(
    await fetch(`${url}/api/roster/import`, {
      method: 'POST',
      headers: { cookie: coordinatorCookie, 'content-type': 'text/csv' },
      body: csv.join('\n'),
    }),
    'roster import',
  );
  const { classrooms } = (await (await fetch(`${url}/api/classrooms`, { headers: json })).json()) as {
    classrooms: { id: string; name: string; code: string; schoolId: string }[];
  };
  const byName = (name: string): string => {
    const found = classrooms.find((c) => c.name === name);
    if (!found) throw new Error(`fixture: no classroom ${name}`);
    return found.id;
  };
  const teachers: { id: string; cookie: string }[] = [];
  for (let i = 0; i < lessons; i++) {
    const username = `fuzz-teacher-${i}`;
    const created = await expectOk(
      await fetch(`${url}/api/accounts`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({
          username,
          displayName: `王老师${i}`,
          role: 'teacher',
          password: TEACHER_PASSWORD,
        }),
      }),
      'teacher account',
    );
    const { account } = (await created.json()) as { account: { id: string } };
    const signedIn = await expectOk(
      await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: TEACHER_PASSWORD }),
      }),
      'teacher login',
    );
    teachers.push({ id: account.id, cookie: signedIn.headers.getSetCookie()[0]!.split(';')[0]! });
  }
  const now = Date.now();
  const schedule = async (body: object): Promise<string> => {
    const res = await expectOk(
      await fetch(`${url}/api/lessons`, { method: 'POST', headers: json, body: JSON.stringify(body) }),
      'lesson',
    );
    return ((await res.json()) as { lessons: { id: string }[] }).lessons[0]!.id;
  };
  const live: FixtureLesson[] = [];
  for (let i = 0; i < lessons; i++) {
    const classroomIds = Array.from({ length: REMOTES_PER_LESSON }, (_, c) => byName(`${i}-${c}班`));
    const hostClassroomId = byName(`主讲教室${i}`);
    const id = await schedule({
      title: `数学${i}`,
      subject: '数学',
      grade: '六年级',
      hostClassroomId,
      hostTeacherId: teachers[i]!.id,
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 3 * 3600_000).toISOString(),
      invite: { classroomIds },
    });
    await expectOk(
      await fetch(`${url}/api/lessons/${id}/start`, {
        method: 'POST',
        headers: { cookie: teachers[i]!.cookie },
      }),
      'lesson start',
    );
    const links = (await (
      await expectOk(await fetch(`${url}/api/lessons/${id}/links`, { headers: json }), 'join links')
    ).json()) as { links: { classroomId: string; url: string }[] };
    const tokens = classroomIds.map((cid) => {
      const link = links.links.find((l) => l.classroomId === cid);
      if (!link) throw new Error(`fixture: no join link for ${cid}`);
      return new URL(link.url).searchParams.get('t')!;
    });
    live.push({ id, teacher: i, hostClassroomId, classroomIds, tokens });
  }
  const laterLessonId = await schedule({
    title: '语文',
    subject: '语文',
    grade: '五年级',
    hostClassroomId: live[0]!.hostClassroomId,
    hostTeacherId: teachers[0]!.id,
    startsAt: new Date(now + 26 * 3600_000).toISOString(),
    endsAt: new Date(now + 27 * 3600_000).toISOString(),
    invite: { classroomIds: [live[0]!.classroomIds[0]!] },
  });
  // A courseware file (a PNG's signature is all the server checks).
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.alloc(64),
  ]);
  const uploaded = await expectOk(
    await fetch(`${url}/api/lessons/${live[0]!.id}/courseware`, {
      method: 'POST',
      headers: { cookie: teachers[0]!.cookie, 'content-type': 'image/png' },
      body: png,
    }),
    'courseware upload',
  );
  const { fileId } = (await uploaded.json()) as { fileId: string };
  return {
    coordinatorCookie,
    teachers,
    lessons: live,
    laterLessonId,
    schoolIds: [...new Set(classrooms.map((c) => c.schoolId))],
    codes: classrooms.map((c) => c.code),
    fileId,
    forgedTokens: forge(live[0]!.tokens[0]!, live[1]?.classroomIds[0] ?? 'someone-else'),
  };
}

const b64url = (s: string | Buffer): string => Buffer.from(s).toString('base64url');

/** Tokens made from a real one without the server's key. */
function forge(genuine: string, otherClassroomId: string): string[] {
  const [header, payload, signature] = genuine.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const sign = (h: string, p: string, key: string): string =>
    `${h}.${p}.${createHmac('sha256', key).update(`${h}.${p}`).digest('base64url')}`;
  const tampered = b64url(JSON.stringify({ ...claims, classroomId: otherClassroomId }));
  const longLived = b64url(JSON.stringify({ ...claims, exp: 4_102_444_800 }));
  return [
    sign(header, payload, 'not-the-server-secret'),
    `${b64url('{"alg":"none","typ":"JWT"}')}.${payload}.`,
    `${header}.${tampered}.${signature}`,
    `${header}.${longLived}.${signature}`,
    sign(b64url('{"alg":"HS256"}'), b64url(JSON.stringify({ ...claims, aud: 'cloudschool:calendar' })), ''),
    'not.a.jwt',
  ];
}

// ---------------------------------------------------------------- the store as the API shows it

/**
 * Roster, accounts, lessons and courseware as a coordinator reads them over HTTP: what a run of hostile
 * inputs must leave exactly as it found.
 */
export async function snapshot(url: string, f: Fixture): Promise<Record<string, string>> {
  const headers = { cookie: f.coordinatorCookie };
  const get = async (p: string): Promise<string> => {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(`${url}${p}`, { headers });
        return `${res.status} ${await res.text()}`;
      } catch (error) {
        // A kept-alive connection the server closed meanwhile (its keep-alive timeout): once more.
        if (attempt >= 3) throw error;
      }
    }
  };
  const now = Date.now();
  const range = `from=${new Date(now - 20 * 86_400_000).toISOString()}&to=${new Date(now + 40 * 86_400_000).toISOString()}`;
  const parts: Record<string, string> = {
    schools: await get('/api/schools'),
    classrooms: await get('/api/classrooms'),
    accounts: await get('/api/accounts'),
    lessons: await get(`/api/lessons?${range}`),
    'roster.csv': await get('/api/roster/export'),
  };
  for (const l of [...f.lessons.map((x) => x.id), f.laterLessonId])
    parts[`courseware ${l}`] = await get(`/api/lessons/${l}/courseware`);
  return parts;
}

// ---------------------------------------------------------------- the process, watched

export interface WatchReport {
  seconds: number;
  health: { polls: number; failed: number; maxMs: number; firstFailure: string | null };
  /** unhandledRejections as /healthz counts them, at the first and last answer. */
  unhandledRejections: { first: number | null; last: number | null };
  rss: { startMiB: number; peakMiB: number; plateauMiB: number; endMiB: number; samples: number };
  workersRssMiB: { start: number; peak: number; end: number };
  /** [seconds since start, MiB] every few seconds, for the report. */
  timeline: [number, number][];
}

/** Polls /healthz every 500 ms and samples the server's RSS (and its mediasoup workers') every 500 ms. */
export class ServerWatch {
  readonly #url: string;
  readonly #pid: number;
  readonly #t0 = performance.now();
  #running = true;
  readonly #rss: { t: number; mib: number; workers: number }[] = [];
  readonly #health = { polls: 0, failed: 0, maxMs: 0, firstFailure: null as string | null };
  readonly #rejections = { first: null as number | null, last: null as number | null };
  readonly #loops: Promise<void>[];
  #hostileFrom = 0;
  #hostileTo = 0;

  constructor(url: string, pid: number) {
    this.#url = url;
    this.#pid = pid;
    this.#loops = [this.#pollHealth(), this.#sampleRss()];
  }

  /** Marks the hostile run (its second half is the plateau). */
  hostileStarted(): void {
    this.#hostileFrom = performance.now();
  }

  hostileEnded(): void {
    this.#hostileTo = performance.now();
  }

  rssNow(): number {
    return rssMiB(this.#pid);
  }

  async #pollHealth(): Promise<void> {
    while (this.#running) {
      const t0 = performance.now();
      let failure: string | null = null;
      try {
        const res = await fetch(`${this.#url}/healthz`, { signal: AbortSignal.timeout(5000) });
        const body = (await res.json()) as { ok?: boolean; unhandledRejections?: number };
        if (res.status !== 200 || body.ok !== true) failure = `status ${res.status}`;
        if (typeof body.unhandledRejections === 'number') {
          this.#rejections.first ??= body.unhandledRejections;
          this.#rejections.last = body.unhandledRejections;
        }
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
      }
      const ms = performance.now() - t0;
      this.#health.polls++;
      this.#health.maxMs = Math.max(this.#health.maxMs, Math.round(ms));
      if (failure !== null) {
        this.#health.failed++;
        this.#health.firstFailure ??= `${Math.round((t0 - this.#t0) / 1000)} s: ${failure}`;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, 500 - ms)));
    }
  }

  async #sampleRss(): Promise<void> {
    while (this.#running) {
      const workers = mediasoupWorkerPids(this.#pid).reduce((s, pid) => s + rssMiB(pid), 0);
      this.#rss.push({ t: performance.now(), mib: rssMiB(this.#pid), workers });
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async stop(): Promise<WatchReport> {
    this.#running = false;
    await Promise.all(this.#loops);
    const samples = this.#rss.filter((s) => s.mib > 0);
    const mib = samples.map((s) => s.mib);
    const half = this.#hostileFrom + (this.#hostileTo - this.#hostileFrom) / 2;
    const plateau = samples.filter((s) => s.t >= half && s.t <= this.#hostileTo).map((s) => s.mib);
    const sorted = [...plateau].sort((a, b) => a - b);
    const step = Math.max(1, Math.floor(samples.length / 40));
    return {
      seconds: Math.round((performance.now() - this.#t0) / 1000),
      health: { ...this.#health },
      unhandledRejections: { ...this.#rejections },
      rss: {
        startMiB: mib[0] ?? 0,
        peakMiB: Math.max(0, ...mib),
        plateauMiB: sorted[Math.floor(sorted.length / 2)] ?? 0,
        endMiB: mib.at(-1) ?? 0,
        samples: mib.length,
      },
      workersRssMiB: {
        start: round1(samples[0]?.workers ?? 0),
        peak: round1(Math.max(0, ...samples.map((s) => s.workers))),
        end: round1(samples.at(-1)?.workers ?? 0),
      },
      timeline: samples
        .filter((_, i) => i % step === 0)
        .map((s) => [Math.round((s.t - this.#t0) / 1000), s.mib]),
    };
  }
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
