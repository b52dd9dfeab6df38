/**
 * A recorded lesson's replay over HTTP: the timeline a lesson's hands, stage, questions, quiz and board made
 * through the real socket handlers (kept with their times: LessonEventStore, the board's history), each
 * ffmpeg run served as one joined WebM with Range requests, and who may read it (lessonReaders.ts).
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lessonReplay } from '@cloudschool/protocol';
import type { LessonReplay } from '@cloudschool/protocol';
import { connectClient, ok } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import { seedLiveLesson } from '../support/fixtures.ts';
import { recordRun } from '../support/recordedRun.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

const run = promisify(execFile);

let server: TestServer;
let seeded: SeededLesson;
const sockets: ClientSocket[] = [];
/** The recording's zero: its first segment's wall-clock start. */
let t0 = 0;
const RECORDING = 'rec-replay';

async function open(role: 'host' | 'classroom'): Promise<ClientSocket> {
  const socket = await connectClient(server.url, role === 'host' ? seeded.teacherCookie : undefined);
  sockets.push(socket);
  await ok(socket, 'lesson:join', {
    lessonId: seeded.lessonId,
    role,
    ...(role === 'classroom' ? { token: seeded.tokens[0] } : {}),
  });
  return socket;
}

/** Two runs of real WebM segments (VP8 + Opus, 4 s each, as the recorder writes them), stored as segments. */
async function recordMedia(): Promise<void> {
  const dir = server.app.recorder.directory(seeded.lessonId, RECORDING);
  mkdirSync(dir, { recursive: true });
  await server.store.putRecording({
    id: RECORDING,
    lessonId: seeded.lessonId,
    nodeId: 'node-x',
    startedAt: t0,
    endedAt: t0 + 14_000,
    status: 'complete',
  });
  for (const [runNumber, startMs, seconds] of [
    [0, 0, 9],
    [1, 10_000, 4],
  ] as const) {
    await recordRun({
      store: server.store,
      dir,
      recordingId: RECORDING,
      run: runNumber,
      startedAt: t0 + startMs,
      seconds,
      inputs: ['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-f', 'lavfi', '-i', 'sine'],
    });
  }
}

beforeAll(async () => {
  server = await startTestServer(1);
  seeded = await seedLiveLesson(server, 2);
  t0 = Date.now();
  const host = await open('host');
  const room = await open('classroom');
  const classroomId = seeded.classroomIds[0]!;
  await ok(host, 'board:stroke:end', {
    strokeId: 's1',
    pageId: 'p0',
    tool: 'pen',
    color: '#ff0000',
    width: 4,
    points: [
      [10, 10, 0.5],
      [200, 150, 0.5],
    ],
  });
  await ok(room, 'hand:raise', {});
  await ok(host, 'stage:invite', { classroomId });
  const question = await ok(room, 'question:ask', { text: '为什么天是蓝的？' });
  await ok(host, 'question:mark', { questionId: question.id, state: 'answered' });
  const { quizId } = await ok(host, 'quiz:start', {
    question: '1 + 1 = ?',
    kind: 'single',
    options: ['1', '2'],
  });
  await ok(host, 'board:op', { op: { type: 'page:add', after: null, background: null } });
  await ok(host, 'quiz:reveal', { quizId });
  await ok(host, 'stage:remove', { classroomId });
  await recordMedia();
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server.close();
});

const replayPath = () => `/api/lessons/${seeded.lessonId}/replay`;

async function replayAs(query: string, cookie?: string): Promise<Response> {
  return fetch(`${server.url}${replayPath()}${query}`, { headers: cookie ? { cookie } : {} });
}

describe('GET /api/lessons/:id/replay', () => {
  it('gives the parts, the board history and the marks of the lesson at their times', async () => {
    const res = await replayAs('', seeded.coordinatorCookie);
    expect(res.status).toBe(200);
    const replay: LessonReplay = lessonReplay.parse(await res.json());
    const { name } = (await server.store.getClassroom(seeded.classroomIds[0]!))!;
    expect(replay.recordingId).toBe(RECORDING);
    expect(replay.parts.map((p) => [p.run, p.startedAt - t0])).toEqual([
      [0, 0],
      [1, 10_000],
    ]);
    expect(replay.parts[0]!.durationMs).toBeGreaterThanOrEqual(8_900);
    expect(replay.startedAt).toBe(t0);
    expect(replay.endedAt).toBe(replay.parts[1]!.startedAt + replay.parts[1]!.durationMs);
    expect(replay.board.map((op) => op.op.type)).toEqual(['stroke', 'page:add']);
    const none = { page: null, coursewarePage: null, name: null, text: null };
    expect(replay.marks.map(({ at: _at, ...mark }) => mark)).toEqual([
      { ...none, kind: 'hand', name },
      { ...none, kind: 'stage:on', name },
      { ...none, kind: 'question', name, text: '为什么天是蓝的？' },
      { ...none, kind: 'quiz', text: '1 + 1 = ?' },
      { ...none, kind: 'page', page: 2 },
      { ...none, kind: 'quiz:reveal' },
      { ...none, kind: 'stage:off', name },
    ]);
    const pageTurn = replay.marks.find((m) => m.kind === 'page')!;
    expect(pageTurn.at).toBe(replay.board[1]!.at);
    expect(replay.chapters).toEqual([
      { at: t0, pageId: 'p0', page: 1, coursewarePage: null },
      { at: pageTurn.at, pageId: 'p2', page: 2, coursewarePage: null },
    ]);
    const events = await server.store.listLessonEvents(seeded.lessonId);
    expect(events.map((e) => [e.kind, e.subject, e.value])).toEqual([
      ['hand:up', seeded.classroomIds[0], null],
      ['stage:on', seeded.classroomIds[0], null],
      ['question:mark', expect.any(String), 'answered'],
      ['quiz:reveal', expect.any(String), null],
      ['stage:off', seeded.classroomIds[0], null],
    ]);
  });

  it("serves each run as one WebM of the run's length, with Range requests", async () => {
    const replay = lessonReplay.parse(await (await replayAs('', seeded.teacherCookie)).json());
    const url = `${server.url}${replay.parts[0]!.url}`;
    const whole = await fetch(url, { headers: { cookie: seeded.teacherCookie } });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/webm');
    const bytes = Buffer.from(await whole.arrayBuffer());
    const range = await fetch(url, { headers: { cookie: seeded.teacherCookie, range: 'bytes=100-199' } });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer())).toEqual(bytes.subarray(100, 200));
    const dir = server.app.recorder.directory(seeded.lessonId, RECORDING);
    const { stdout } = await run(
      'ffprobe',
      [
        '-v',
        'error',
        '-show_entries',
        'stream=codec_name:format=duration',
        '-of',
        'json',
        'replay-v2-r0-3.webm',
      ],
      { cwd: dir },
    );
    const probe = JSON.parse(stdout) as { streams: { codec_name: string }[]; format: { duration: string } };
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['opus', 'vp8']);
    expect(Math.abs(Number(probe.format.duration) * 1000 - replay.parts[0]!.durationMs)).toBeLessThan(200);
  });

  it("is read by the lesson's staff and its classrooms by their token, nobody else", async () => {
    const token = seeded.tokens[0]!;
    expect((await replayAs('')).status).toBe(401);
    expect((await replayAs('', seeded.otherTeacherCookie)).status).toBe(403);
    const classroom = await replayAs(`?t=${token}`);
    expect(classroom.status).toBe(200);
    const part = lessonReplay.parse(await classroom.json()).parts[1]!;
    expect(part.url).toContain(`?t=${token}`);
    expect((await fetch(`${server.url}${part.url}`)).status).toBe(200);
    expect((await fetch(`${server.url}${part.url.split('?')[0]!}`)).status).toBe(401);
    const missing = await replayAs('?recording=nope', seeded.coordinatorCookie);
    expect(missing.status).toBe(404);
  });
});
