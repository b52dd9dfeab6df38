/**
 * The recording of a live lesson over the real protocol: a real mediasoup worker, the host's (and an
 * on-stage classroom's) real VP8 + Opus from ffmpeg, the real recorder's ffmpeg, and ffprobe on what it
 * wrote. Who may start and stop, what a reload and the stage do to it, a disk that fills up, the lesson's end.
 */
import dgram from 'node:dgram';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LessonRecordingState, LessonRecordings, LessonView } from '@cloudschool/protocol';
import {
  audioRtpParameters,
  FfmpegRtpSender,
  latestState,
  ok,
  request,
  videoRtpParameters,
  waitFor,
} from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import type { DiskStats } from '../../src/recording/diskSpace.ts';
import { ffprobe, joined, kindsOf, nextRun, sleep } from '../recording/support.ts';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { serverPerTest } from '../support/server.ts';

/** The disk the recorder sees: plenty of room until a test fills it (1 MiB blocks). */
const disk = { freeMb: 100_000 };
const statfs = async (): Promise<DiskStats> => ({ bavail: disk.freeMb, bsize: 1024 * 1024 });
const MIN_FREE_MB = 500;

const live = serverPerTest(1, { recording: { minFreeMb: MIN_FREE_MB, diskCheckMs: 500, statfs } });

const refusal = async (p: Promise<{ ok: boolean; error?: { code: string } }>): Promise<string> => {
  const res = await p;
  return res.ok ? 'ok' : (res.error?.code ?? '?');
};

/** A page publishing a real camera and microphone (ffmpeg) over two plain transports, as the recorder's tests do. */
async function publishReal(socket: ClientSocket): Promise<{ sender: FfmpegRtpSender; ids: string[] }> {
  const video = await ok(socket, 'media:createPlainTransport', { direction: 'send' });
  const audio = await ok(socket, 'media:createPlainTransport', { direction: 'send' });
  const camera = await ok(socket, 'media:produce', {
    transportId: video.id,
    kind: 'video',
    source: 'camera',
    rtpParameters: videoRtpParameters,
  });
  const mic = await ok(socket, 'media:produce', {
    transportId: audio.id,
    kind: 'audio',
    source: 'mic',
    rtpParameters: audioRtpParameters,
  });
  const sender = new FfmpegRtpSender();
  live.cleanups.push(() => void sender.stop());
  sender.start({ ip: video.ip, videoPort: video.port, audioPort: audio.port });
  return { sender, ids: [camera.producerId, mic.producerId] };
}

async function lessonWithHost(): Promise<{ seeded: SeededLesson; host: ClientSocket }> {
  disk.freeMb = 100_000;
  const seeded = await seedLiveLesson(live.server, 2);
  const host = await live.client(seeded.teacherCookie);
  await ok(host, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
  return { seeded, host };
}

async function recordingsOf(seeded: SeededLesson): Promise<LessonRecordings['recordings']> {
  const res = await fetch(`${live.server.url}/api/lessons/${seeded.lessonId}/recordings`, {
    headers: { cookie: seeded.coordinatorCookie },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as LessonRecordings).recordings;
}

function directory(seeded: SeededLesson, recordingId: string): string {
  return live.server.app.recorder.directory(seeded.lessonId, recordingId);
}

// Real ffmpeg runs on a loaded 2-core machine: a test waits for files of each run, not for a deadline.
describe('a live lesson’s recording', { timeout: 240_000 }, () => {
  it('the host starts and stops it: one recording, VP8 + Opus segments as long as it ran, every page told', async () => {
    const { seeded, host } = await lessonWithHost();
    const classroom = await live.client();
    await ok(classroom, 'lesson:join', {
      lessonId: seeded.lessonId,
      role: 'classroom',
      token: seeded.tokens[0],
    });
    const atClassroom = latestState(classroom);
    await publishReal(host);

    const started = await ok(host, 'recording:start', {});
    const t0 = Date.now();
    expect(started).toMatchObject({ status: 'recording', problem: null });
    // Pressing it again changes nothing.
    expect(await ok(host, 'recording:start', {})).toEqual(started);
    await waitFor(() => atClassroom.current?.recording.status === 'recording', 'the classroom sees 录制中');
    expect(atClassroom.current?.recording.startedAt).toBe(started.startedAt);
    await sleep(9_000);
    const ran = Date.now() - t0;
    expect(await ok(host, 'recording:stop', {})).toEqual({ status: 'off', startedAt: null, problem: null });
    await waitFor(() => atClassroom.current?.recording.status === 'off', 'the classroom sees it stopped');

    const [recording, ...others] = await recordingsOf(seeded);
    expect(others).toEqual([]);
    expect(recording).toMatchObject({ status: 'complete' });
    expect(recording!.segments.length).toBeGreaterThanOrEqual(2);
    const dir = directory(seeded, recording!.id);
    for (const segment of recording!.segments) {
      expect(kindsOf(await ffprobe(path.join(dir, segment.file)))).toEqual(['audio/opus', 'video/vp8']);
    }
    const whole = await ffprobe(
      await joined(
        dir,
        recording!.segments.map((s) => s.file),
      ),
    );
    expect(Math.abs(Number(whole.format.duration) * 1000 - ran)).toBeLessThan(1_500);
    expect(Math.abs(recording!.durationMs - ran)).toBeLessThan(1_500);
  });

  it('classrooms may not start or stop it; a coordinator on patrol may (district staff run recordings)', async () => {
    const { seeded, host } = await lessonWithHost();
    const classroom = await live.client();
    await ok(classroom, 'lesson:join', {
      lessonId: seeded.lessonId,
      role: 'classroom',
      token: seeded.tokens[0],
    });
    const observer = await live.client(seeded.coordinatorCookie);
    await ok(observer, 'lesson:join', { lessonId: seeded.lessonId, role: 'observer' });
    // The teacher of another lesson cannot even be this lesson's host.
    const other = await live.client(seeded.otherTeacherCookie);
    expect(await refusal(request(other, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' }))).toBe(
      'forbidden',
    );
    expect(await refusal(request(other, 'recording:start', {}))).toBe('not_joined');
    await publishReal(host);

    expect(await refusal(request(classroom, 'recording:start', {}))).toBe('forbidden');
    expect(await recordingsOf(seeded)).toEqual([]);
    expect((await ok(observer, 'recording:start', {})).status).toBe('recording');
    expect(await refusal(request(classroom, 'recording:stop', {}))).toBe('forbidden');
    expect((await recordingsOf(seeded)).map((r) => r.status)).toEqual(['recording']);
    // Bad input changes nothing.
    expect(await refusal(request(host, 'recording:stop', { force: true } as never))).toBe('bad_request');
    expect((await ok(observer, 'recording:stop', {})).status).toBe('off');
    expect((await recordingsOf(seeded)).map((r) => r.status)).toEqual(['complete']);
  });

  it('a host reload (new producers) and a classroom on and off stage continue the same recording', async () => {
    const { seeded, host } = await lessonWithHost();
    const classroom = await live.client();
    await ok(classroom, 'lesson:join', {
      lessonId: seeded.lessonId,
      role: 'classroom',
      token: seeded.tokens[0],
    });
    await publishReal(host);
    await ok(host, 'recording:start', {});
    const id = live.server.app.lessons.get(seeded.lessonId)!.recording.recording!.id;
    const store = live.server.store;
    await sleep(5_000);

    // The host reloads: a new page takes over (the old one is replaced, its producers close) and publishes.
    const reloaded = await live.client(seeded.teacherCookie);
    await ok(reloaded, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
    await publishReal(reloaded);
    // Each change goes on once ffmpeg closed a file of the run that followed it.
    let run = await nextRun(store, id, 0);

    // A classroom with a camera and a microphone goes on stage, then off.
    await publishReal(classroom);
    await ok(reloaded, 'stage:invite', { classroomId: seeded.classroomIds[0]! });
    run = await nextRun(store, id, run);
    await ok(reloaded, 'stage:remove', { classroomId: seeded.classroomIds[0]! });
    await nextRun(store, id, run);
    await ok(reloaded, 'recording:stop', {});

    const recordings = await recordingsOf(seeded);
    expect(recordings.map((r) => [r.id, r.status])).toEqual([[id, 'complete']]);
    const stored = await store.listRecordingSegments(id);
    const runs = [...new Set(stored.map((s) => s.run))];
    // The first host, the reloaded host, the host with the stage, the host alone again: four runs at least.
    expect(runs.length).toBeGreaterThanOrEqual(4);
    const dir = directory(seeded, id);
    const streamsPerRun = new Map<number, string[]>();
    for (const segment of stored) {
      streamsPerRun.set(segment.run, kindsOf(await ffprobe(path.join(dir, segment.file))));
    }
    const layouts = [...streamsPerRun.values()].map((kinds) => kinds.join(' '));
    // The stage run records both cameras and both microphones; the others the host's two tracks.
    expect(layouts).toContain('audio/opus audio/opus video/vp8 video/vp8');
    expect(layouts.filter((l) => l === 'audio/opus video/vp8').length).toBeGreaterThanOrEqual(3);
    // One timeline: each run starts after the one before it started.
    const firstOfRun = runs.map((run) => stored.find((s) => s.run === run)!.startedAt);
    expect(firstOfRun).toEqual([...firstOfRun].sort((a, b) => a - b));
  });

  it('the host’s shared screen joins the recording as a second video track, in the same recording', async () => {
    const { seeded, host } = await lessonWithHost();
    await publishReal(host);
    await ok(host, 'recording:start', {});
    const id = live.server.app.lessons.get(seeded.lessonId)!.recording.recording!.id;
    await sleep(5_000);
    const screen = await ok(host, 'media:createPlainTransport', { direction: 'send' });
    await ok(host, 'media:produce', {
      transportId: screen.id,
      kind: 'video',
      source: 'screen',
      rtpParameters: videoRtpParameters,
    });
    // The screen sender's tone goes to a port nobody reads.
    const nowhere = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => nowhere.bind(0, '127.0.0.1', resolve));
    live.cleanups.push(() => nowhere.close());
    const sender = new FfmpegRtpSender();
    live.cleanups.push(() => void sender.stop());
    sender.start({ ip: screen.ip, videoPort: screen.port, audioPort: nowhere.address().port });
    await nextRun(live.server.store, id, 0);
    await ok(host, 'recording:stop', {});

    const [recording, ...others] = await recordingsOf(seeded);
    expect(others).toEqual([]);
    const dir = directory(seeded, recording!.id);
    const stored = await live.server.store.listRecordingSegments(id);
    const layouts = new Set<string>();
    for (const segment of stored) layouts.add(kindsOf(await ffprobe(path.join(dir, segment.file))).join(' '));
    expect([...layouts].sort()).toEqual(['audio/opus video/vp8', 'audio/opus video/vp8 video/vp8']);
  });

  it('the lesson closing on this node stops its recording (twice: once), kept as complete', async () => {
    const { seeded, host } = await lessonWithHost();
    await publishReal(host);
    await ok(host, 'recording:start', {});
    await sleep(5_000);
    const lesson = live.server.app.lessons.get(seeded.lessonId)!;
    await Promise.all([lesson.close(), lesson.close()]);
    expect(lesson.recording.state).toEqual({ status: 'off', startedAt: null, problem: null });
    const [recording, ...others] = await recordingsOf(seeded);
    expect(others).toEqual([]);
    expect(recording!.status).toBe('complete');
    expect(recording!.segments.length).toBeGreaterThanOrEqual(1);
    expect(await live.server.store.listOpenRecordings('test')).toEqual([]);
  });

  it('does not start below the disk floor, stops when the disk fills up — the lesson goes on', async () => {
    const { seeded, host } = await lessonWithHost();
    const lesson = live.server.app.lessons.get(seeded.lessonId)!;
    const alerts: LessonRecordingState[] = [];
    lesson.observer.on('recording', (state) => alerts.push(state));
    const atHost = latestState(host);
    await publishReal(host);

    disk.freeMb = MIN_FREE_MB - 1;
    expect(await refusal(request(host, 'recording:start', {}))).toBe('disk_full');
    expect(await recordingsOf(seeded)).toEqual([]);
    await waitFor(() => atHost.current?.recording.problem === 'disk_full', 'the host told why');

    disk.freeMb = 100_000;
    expect((await ok(host, 'recording:start', {})).status).toBe('recording');
    await sleep(5_000);
    disk.freeMb = MIN_FREE_MB - 1;
    await waitFor(() => lesson.recording.state.status === 'off', 'the recording stopped', 10_000);
    expect(lesson.recording.state).toEqual({ status: 'off', startedAt: null, problem: 'disk_full' });
    expect(alerts.at(-1)).toEqual({ status: 'off', startedAt: null, problem: 'disk_full' });
    await waitFor(() => atHost.current?.recording.problem === 'disk_full', 'the host sees why it stopped');

    // The lesson is still live, the host still broadcasting; what was recorded is kept and plays.
    expect(lesson.closed).toBe(false);
    expect(lesson.state().lesson.status).toBe('live');
    expect(lesson.state().host.live).toBe(true);
    const [recording] = await recordingsOf(seeded);
    expect(recording!.status).toBe('complete');
    expect(recording!.durationMs).toBeGreaterThan(3_000);
  });

  it('a lesson marked “record automatically” records from the host’s broadcast; its end stops the recording', async () => {
    disk.freeMb = 100_000;
    const seeded = await seedLiveLesson(live.server, 2, false);
    const url = `${live.server.url}/api/lessons/${seeded.lessonId}`;
    const json = { cookie: seeded.coordinatorCookie, 'content-type': 'application/json' };
    const { lesson: view } = (await (await fetch(url, { headers: json })).json()) as { lesson: LessonView };
    expect(view.recordAutomatically).toBe(false);
    // The coordinator marks it on the lesson's page (the whole lesson is sent, as the form does).
    const edit = {
      title: view.title,
      subject: view.subject,
      grade: view.grade,
      hostClassroomId: view.hostClassroomId,
      hostTeacherId: view.hostTeacherId,
      startsAt: view.startsAt,
      endsAt: view.endsAt,
      invite: { classroomIds: view.invitedClassroomIds },
      recordAutomatically: true,
    };
    const put = await fetch(url, { method: 'PUT', headers: json, body: JSON.stringify(edit) });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { lesson: LessonView }).lesson.recordAutomatically).toBe(true);
    // Left out of a later edit, it stays as it was.
    const { recordAutomatically: _kept, ...without } = edit;
    const again = await fetch(url, { method: 'PUT', headers: json, body: JSON.stringify(without) });
    expect(((await again.json()) as { lesson: LessonView }).lesson.recordAutomatically).toBe(true);
    const started = await fetch(`${live.server.url}/api/lessons/${seeded.lessonId}/start`, {
      method: 'POST',
      headers: { cookie: seeded.teacherCookie },
    });
    expect(started.status).toBe(200);
    const host = await live.client(seeded.teacherCookie);
    await ok(host, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
    const atHost = latestState(host);
    await publishReal(host);
    await waitFor(() => atHost.current?.recording.status === 'recording', 'recording by itself');
    await sleep(5_000);

    const ended = await fetch(`${live.server.url}/api/lessons/${seeded.lessonId}/end`, {
      method: 'POST',
      headers: { cookie: seeded.teacherCookie },
    });
    expect(ended.status).toBe(200);
    await waitFor(() => atHost.current?.recording.status === 'off', 'the end stopped the recording', 20_000);
    const [recording, ...others] = await recordingsOf(seeded);
    expect(others).toEqual([]);
    expect(recording!.status).toBe('complete');
    expect(recording!.segments.length).toBeGreaterThanOrEqual(1);
  });
});
