/**
 * A recording exported as one MP4 (replay/Mp4Export.ts through replayRoutes): the board redrawn at its
 * times, the host's camera in the corner while a run lasts, a shared screen filling the picture, the voice
 * placed at its times — read back from the file by ffprobe and decoded pixels; progress while it is made;
 * who may export (the lesson's host teacher and coordinators only). Also the replay's own join of a run with a
 * classroom on stage (ReplayMedia: the host's picture, not the largest; every voice mixed).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayExport } from '@cloudschool/protocol';
import type { ReplayExport } from '@cloudschool/protocol';
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
let host: ClientSocket;
/** The recording's zero: its first segment's wall-clock start, 3 s before the stroke. */
let t0 = 0;
const RECORDING = 'rec-export';
const LIVE = 'rec-live';

/**
 * Run 0 (0–6 s): the host's camera (all green) and voice (a tone); run 1 (8–12 s): a shared screen (all
 * magenta) and the same camera and voice, in the order a run's tracks file says.
 */
async function recordMedia(): Promise<void> {
  const dir = server.app.recorder.directory(seeded.lessonId, RECORDING);
  mkdirSync(dir, { recursive: true });
  await server.store.putRecording({
    id: RECORDING,
    lessonId: seeded.lessonId,
    nodeId: 'node-x',
    startedAt: t0,
    endedAt: t0 + 12_000,
    status: 'complete',
  });
  const camera = ['-f', 'lavfi', '-i', 'color=c=0x00ff00:size=320x240:rate=15'];
  const screen = ['-f', 'lavfi', '-i', 'color=c=0xff00ff:size=1280x720:rate=5'];
  const voice = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'];
  const host = (id: string) => [
    { source: 'camera', kind: 'video', producerId: `${id}-cam` },
    { source: 'mic', kind: 'audio', producerId: `${id}-mic` },
  ];
  for (const [runNumber, startMs, seconds, inputs, maps, tracks] of [
    [0, 0, 6, [...camera, ...voice], ['0:v', '1:a'], host('a')],
    [
      1,
      8_000,
      4,
      [...screen, ...camera, ...voice],
      ['0:v', '1:v', '2:a'],
      [{ source: 'screen', kind: 'video', producerId: 'b-screen' }, ...host('b')],
    ],
  ] as const) {
    writeFileSync(path.join(dir, `r${runNumber}.tracks.json`), JSON.stringify(tracks));
    await recordRun({
      store: server.store,
      dir,
      recordingId: RECORDING,
      run: runNumber,
      startedAt: t0 + startMs,
      seconds,
      inputs,
      maps,
    });
  }
}

beforeAll(async () => {
  server = await startTestServer(1);
  seeded = await seedLiveLesson(server, 1);
  t0 = Date.now() - 3_000;
  host = await connectClient(server.url, seeded.teacherCookie);
  await ok(host, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
  // A thick red line across the middle of the page (y 450 of 900: 360 of the video's 720).
  await ok(host, 'board:stroke:end', {
    strokeId: 's1',
    pageId: 'p0',
    tool: 'pen',
    color: '#ff0000',
    width: 24,
    points: [
      [200, 450, 0.5],
      [1400, 450, 0.5],
    ],
  });
  await recordMedia();
});
afterAll(async () => {
  host.disconnect();
  await server.close();
});

const exportPath = (recording = RECORDING) => `/api/lessons/${seeded.lessonId}/replay/${recording}/export`;

function call(method: 'GET' | 'POST', cookie?: string, url = exportPath()): Promise<Response> {
  return fetch(`${server.url}${url}`, { method, headers: cookie ? { cookie } : {} });
}

/** The video's pixel (r, g, b) at (x, y), `seconds` in. */
async function pixel(file: string, seconds: number, x: number, y: number): Promise<number[]> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-ss',
      String(seconds),
      '-i',
      file,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 8 * 1024 * 1024 },
  );
  const at = (y * 1280 + x) * 3;
  return [stdout[at]!, stdout[at + 1]!, stdout[at + 2]!];
}

/** The mean loudness (dB) of `seconds` of the file's sound from `from`. */
async function loudness(file: string, from: number, seconds: number): Promise<number> {
  const { stderr } = await run('ffmpeg', [
    ...[
      '-ss',
      String(from),
      '-t',
      String(seconds),
      '-i',
      file,
      '-vn',
      '-af',
      'volumedetect',
      '-f',
      'null',
      '-',
    ],
  ]);
  return Number(/mean_volume: (-?[\d.]+|-inf) dB/.exec(stderr)?.[1] ?? '-inf');
}

const near = (actual: number[], expected: number[]) =>
  actual.every((v, i) => Math.abs(v - expected[i]!) <= 40);

describe('exporting a recording to one MP4', () => {
  it('is made in the background with progress, and composes board, screen, camera and voice at their times', async () => {
    expect(replayExport.parse(await (await call('GET', seeded.teacherCookie)).json()).state).toBe('none');
    const started = await call('POST', seeded.teacherCookie);
    expect(started.status).toBe(202);
    const seen: ReplayExport[] = [replayExport.parse(await started.json())];
    while (seen.at(-1)!.state !== 'done') {
      expect(seen.at(-1)!.state).not.toBe('failed');
      await new Promise((r) => setTimeout(r, 100));
      seen.push(replayExport.parse(await (await call('GET', seeded.teacherCookie)).json()));
    }
    const progress = seen.map((s) => s.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
    // Asking again gives the file made, not another export.
    expect(replayExport.parse(await (await call('POST', seeded.coordinatorCookie)).json()).state).toBe(
      'done',
    );

    const done = seen.at(-1)!;
    const download = await fetch(`${server.url}${done.url!}`, { headers: { cookie: seeded.teacherCookie } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('video/mp4');
    expect(download.headers.get('content-disposition')).toContain('attachment');
    const bytes = Buffer.from(await download.arrayBuffer());
    expect(bytes.length).toBe(done.bytes);
    const file = path.join(server.app.recorder.directory(seeded.lessonId, RECORDING), 'export.mp4');
    expect(readFileSync(file).equals(bytes)).toBe(true);

    const { stdout } = await run('ffprobe', [
      ...[
        '-v',
        'error',
        '-show_entries',
        'stream=codec_name,width,height:format=duration',
        '-of',
        'json',
        file,
      ],
    ]);
    const probe = JSON.parse(stdout) as {
      streams: { codec_name: string; width?: number; height?: number }[];
      format: { duration: string };
    };
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(probe.streams.find((s) => s.codec_name === 'h264')).toMatchObject({ width: 1280, height: 720 });
    expect(Math.abs(Number(probe.format.duration) - 12)).toBeLessThan(0.5);

    const WHITE = [255, 255, 255];
    const RED = [255, 0, 0];
    const GREEN = [0, 255, 0];
    const MAGENTA = [255, 0, 255];
    const line = { x: 640, y: 360 }; // on the stroke
    const corner = { x: 1100, y: 610 }; // in the camera's inset (lower right)
    // 1.5 s: before the stroke (3 s): the page blank; the host's camera in the corner.
    expect(near(await pixel(file, 1.5, line.x, line.y), WHITE)).toBe(true);
    expect(near(await pixel(file, 1.5, corner.x, corner.y), GREEN)).toBe(true);
    // 4.5 s: the stroke drawn.
    expect(near(await pixel(file, 4.5, line.x, line.y), RED)).toBe(true);
    // 7 s, between the runs: the board alone, nothing in the corner.
    expect(near(await pixel(file, 7, corner.x, corner.y), WHITE)).toBe(true);
    // 10 s: the shared screen fills the picture, the camera over it.
    expect(near(await pixel(file, 10, line.x, line.y), MAGENTA)).toBe(true);
    expect(near(await pixel(file, 10, corner.x, corner.y), GREEN)).toBe(true);
    // The tone while the runs last, silence between them.
    expect(await loudness(file, 1, 4)).toBeGreaterThan(-30);
    expect(await loudness(file, 6.4, 1.2)).toBeLessThan(-80);
    expect(await loudness(file, 8.5, 3)).toBeGreaterThan(-30);
  });

  it("replays a run with a classroom on stage as the host's picture and every voice", async () => {
    const STAGE = 'rec-stage';
    const dir = server.app.recorder.directory(seeded.lessonId, STAGE);
    mkdirSync(dir, { recursive: true });
    await server.store.putRecording({
      id: STAGE,
      lessonId: seeded.lessonId,
      nodeId: 'node-x',
      startedAt: t0 + 20_000,
      endedAt: t0 + 24_000,
      status: 'complete',
    });
    // The host's camera (green, small) and a silent microphone; the classroom's camera (blue, larger) and voice.
    writeFileSync(
      path.join(dir, 'r0.tracks.json'),
      JSON.stringify([
        { source: 'camera', kind: 'video', producerId: 'h-cam' },
        { source: 'camera', kind: 'video', producerId: 'c-cam', classroomId: seeded.classroomIds[0] },
        { source: 'mic', kind: 'audio', producerId: 'h-mic' },
        { source: 'mic', kind: 'audio', producerId: 'c-mic', classroomId: seeded.classroomIds[0] },
      ]),
    );
    await recordRun({
      store: server.store,
      dir,
      recordingId: STAGE,
      run: 0,
      startedAt: t0 + 20_000,
      seconds: 4,
      inputs: [
        ...['-f', 'lavfi', '-i', 'color=c=0x00ff00:size=320x240:rate=15'],
        ...['-f', 'lavfi', '-i', 'color=c=0x0000ff:size=1280x720:rate=15'],
        ...['-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo'],
        ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ],
      maps: ['0:v', '1:v', '2:a', '3:a'],
    });
    const replay = (await (
      await fetch(`${server.url}/api/lessons/${seeded.lessonId}/replay?recording=${STAGE}`, {
        headers: { cookie: seeded.teacherCookie },
      })
    ).json()) as { parts: { url: string }[] };
    const media = await fetch(`${server.url}${replay.parts[0]!.url}`, {
      headers: { cookie: seeded.teacherCookie },
    });
    expect(media.status).toBe(200);
    const file = path.join(dir, 'joined-for-test.webm');
    writeFileSync(file, Buffer.from(await media.arrayBuffer()));
    const { stdout } = await run('ffprobe', [
      ...['-v', 'error', '-show_entries', 'stream=codec_name,width', '-of', 'json', file],
    ]);
    const { streams } = JSON.parse(stdout) as { streams: { codec_name: string; width?: number }[] };
    expect(streams.map((s) => [s.codec_name, s.width ?? null])).toEqual([
      ['vp8', 320],
      ['opus', null],
    ]);
    const { stdout: frame } = await run(
      'ffmpeg',
      ['-v', 'error', '-ss', '1', '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
      { encoding: 'buffer' },
    );
    const at = (120 * 320 + 160) * 3;
    expect(near([frame[at]!, frame[at + 1]!, frame[at + 2]!], [0, 255, 0])).toBe(true);
    // The host's microphone is silent: what is heard is the classroom's voice, mixed in.
    expect(await loudness(file, 0.5, 3)).toBeGreaterThan(-30);
  });

  it("is for the lesson's host teacher and coordinators only, of a finished recording", async () => {
    const token = seeded.tokens[0]!;
    expect((await call('GET')).status).toBe(401);
    expect((await call('POST', undefined, `${exportPath()}?t=${token}`)).status).toBe(401);
    expect((await call('POST', seeded.otherTeacherCookie)).status).toBe(403);
    expect((await call('GET', seeded.otherTeacherCookie, `${exportPath()}.mp4`)).status).toBe(403);
    expect((await call('GET', seeded.coordinatorCookie)).status).toBe(200);
    expect((await call('GET', seeded.coordinatorCookie, exportPath('nope'))).status).toBe(404);
    await server.store.putRecording({
      id: LIVE,
      lessonId: seeded.lessonId,
      nodeId: 'node-x',
      startedAt: Date.now(),
      endedAt: null,
      status: 'recording',
    });
    await server.store.appendRecordingSegment({
      recordingId: LIVE,
      run: 0,
      file: 'r0-00000.webm',
      startedAt: Date.now(),
      durationMs: 4_000,
    });
    const refused = await call('POST', seeded.teacherCookie, exportPath(LIVE));
    expect(refused.status).toBe(409);
    expect(
      replayExport.parse(await (await call('GET', seeded.teacherCookie, exportPath(LIVE))).json()).state,
    ).toBe('none');
  });
});
