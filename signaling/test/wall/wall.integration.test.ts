/**
 * The coordinators' wall over the real protocol: who may watch, the lesson with every invited classroom,
 * pushes when a classroom comes, goes dark or stays away, and alerts once a condition held its (shortened)
 * delay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patchWallLesson } from '@cloudschool/protocol';
import type { LessonReport, ReportAlert, WallLesson, WallSnapshot } from '@cloudschool/protocol';
import { connectClient, ok, publish, request, RtpSender, waitFor } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { receivingReport } from '../support/quality.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

let server: TestServer;
let seeded: SeededLesson;
const sockets: ClientSocket[] = [];
const sender = new RtpSender();

beforeAll(async () => {
  server = await startTestServer(1, {
    wallAlerts: { absentMs: 30_000, darkMs: 1_500, poorMs: 1_500, hostMs: 1_000 },
  });
  seeded = await seedLiveLesson(server, 3);
});
afterAll(async () => {
  sender.stop();
  for (const s of sockets) s.disconnect();
  await server.close();
});

async function connect(cookie?: string): Promise<ClientSocket> {
  const socket = await connectClient(server.url, cookie);
  sockets.push(socket);
  return socket;
}

/** A coordinator's page watching the wall: the lesson as last pushed, and how many pushes came. */
async function watch() {
  const socket = await connect(seeded.coordinatorCookie);
  const snapshot: WallSnapshot = await ok(socket, 'wall:watch', {});
  const lessons = new Map(snapshot.lessons.map((l) => [l.lessonId, l]));
  let pushes = 0;
  socket.on('wall:update', (update) => {
    pushes++;
    for (const l of update.lessons) lessons.set(l.lessonId, l);
    for (const p of update.patches) lessons.set(p.lessonId, patchWallLesson(lessons.get(p.lessonId)!, p));
    for (const id of update.gone) lessons.delete(id);
  });
  return { lesson: () => lessons.get(seeded.lessonId), pushes: () => pushes };
}

const cell = (lesson: WallLesson | undefined, i: number) =>
  lesson?.classrooms.find((c) => c.classroomId === seeded.classroomIds[i]);
const alerted = (lesson: WallLesson | undefined, kind: string, i: number | null) =>
  i === null ? Boolean(lesson?.alerts.some((a) => a.kind === kind)) : cell(lesson, i)?.alert?.kind === kind;

describe('the wall', () => {
  it('is for coordinators only', async () => {
    const teacher = await connect(seeded.teacherCookie);
    expect(await request(teacher, 'wall:watch', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const anonymous = await connect();
    expect(await request(anonymous, 'wall:watch', {})).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    const coordinator = await connect(seeded.coordinatorCookie);
    expect(await request(coordinator, 'wall:watch', { extra: 1 } as never)).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
  });

  it('shows a lesson nobody joined with every classroom absent, then pushes what happens', async () => {
    const wall = await watch();
    await waitFor(() => wall.lesson() !== undefined, 'the live lesson is on the wall');
    const first = wall.lesson()!;
    expect(first.status).toBe('live');
    expect(first.classrooms.map((c) => c.classroomId)).toEqual(seeded.classroomIds);
    expect(first.classrooms.every((c) => c.presence === 'absent')).toBe(true);
    expect(first.host).toMatchObject({ connected: false, live: false });

    // The host joins without broadcasting: after its delay, the lesson says so.
    const host = await connect(seeded.teacherCookie);
    await ok(host, 'lesson:join', { lessonId: seeded.lessonId, role: 'host' });
    await waitFor(() => wall.lesson()?.host.connected === true, 'the host shows connected');
    await waitFor(() => alerted(wall.lesson(), 'host_offline', null), 'host not broadcasting alert');

    // It broadcasts; two classrooms come; the third stays away.
    await publish(host, sender);
    await waitFor(() => wall.lesson()?.host.live === true, 'the host shows live');
    expect(alerted(wall.lesson(), 'host_offline', null)).toBe(false);
    const pages = [];
    for (const i of [0, 1]) {
      const socket = await connect();
      await ok(socket, 'lesson:join', {
        lessonId: seeded.lessonId,
        role: 'classroom',
        token: seeded.tokens[i],
      });
      pages.push(socket);
    }
    await waitFor(
      () =>
        cell(wall.lesson(), 0)?.presence === 'connected' && cell(wall.lesson(), 1)?.presence === 'connected',
      'two classrooms connected',
    );
    expect(cell(wall.lesson(), 2)?.presence).toBe('absent');

    // Classroom 0 decodes nothing, classroom 1 decodes on a bad link: dark and poor, then their alerts.
    await ok(pages[0]!, 'quality:report', receivingReport({ fps: 0, kbps: 0 }));
    await ok(
      pages[1]!,
      'quality:report',
      receivingReport({ lossPercent: 20, fps: 5 }, { lossPercent: 20, concealedPercent: 30 }, 400),
    );
    await waitFor(() => cell(wall.lesson(), 0)?.darkSince !== null, 'classroom 0 dark');
    await waitFor(() => alerted(wall.lesson(), 'dark', 0), 'dark alert');
    await waitFor(() => cell(wall.lesson(), 1)?.poorSince !== null, 'classroom 1 poor');
    expect(['poor', 'bad']).toContain(cell(wall.lesson(), 1)?.quality);
    await waitFor(() => alerted(wall.lesson(), 'poor', 1), 'poor alert');
    // The absent one: its delay (30 s from the start) is over, the lesson started a minute ago.
    expect(alerted(wall.lesson(), 'absent', 2)).toBe(true);
    expect(alerted(wall.lesson(), 'absent', 0)).toBe(false);

    // A hand and the stage show on the cells.
    await ok(pages[1]!, 'hand:raise', {});
    await waitFor(() => cell(wall.lesson(), 1)?.hand === true, 'hand shows');

    // Pushed only on change: a quiet second pushes nothing.
    const pushes = wall.pushes();
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(wall.pushes()).toBe(pushes);

    // Classroom 0 sees the picture again: no longer dark, its alert gone.
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // reports come at most every 2 s
    await ok(pages[0]!, 'quality:report', receivingReport());
    await waitFor(() => cell(wall.lesson(), 0)?.darkSince === null, 'classroom 0 decodes again');
    expect(alerted(wall.lesson(), 'dark', 0)).toBe(false);

    // A classroom that leaves is absent again.
    pages[1]!.disconnect();
    await waitFor(() => cell(wall.lesson(), 1)?.presence === 'absent', 'classroom 1 left');

    // The lesson's report keeps the alerts: the host's ended when it broadcast, the dark one when the
    // picture came back; every classroom was absent at first: the first came and stayed, the second came and
    // left (its alert holds again: the same alert, from the start), the third never came.
    const report = async () => {
      const res = await fetch(`${server.url}/api/lessons/${seeded.lessonId}/report`, {
        headers: { cookie: seeded.coordinatorCookie },
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as LessonReport).alerts;
    };
    let alerts: ReportAlert[] = [];
    await expect
      .poll(async () => {
        alerts = await report();
        return alerts.some((a) => a.kind === 'dark' && a.endedAt !== null);
      })
      .toBe(true);
    expect(alerts.find((a) => a.kind === 'host_offline')).toMatchObject({ classroomName: null });
    expect(alerts.find((a) => a.kind === 'host_offline')?.endedAt).not.toBeNull();
    const absent = new Map(
      alerts.filter((a) => a.kind === 'absent').map((a) => [a.classroomName, a.endedAt]),
    );
    const name = async (i: number): Promise<string> => {
      const classroom = (await server.store.getClassroom(seeded.classroomIds[i]!))!;
      return `${(await server.store.getSchool(classroom.schoolId))!.name} ${classroom.name}`;
    };
    expect(absent.size).toBe(3);
    expect(absent.get(await name(0))).not.toBeNull();
    expect(absent.get(await name(1))).toBeNull();
    expect(absent.get(await name(2))).toBeNull();
    const name1 = await name(1);
    expect(alerts.some((a) => a.kind === 'poor' && a.classroomName === name1)).toBe(true);
  });
});
