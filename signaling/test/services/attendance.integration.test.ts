/** Presence and attendance over the real protocol: join, heartbeat-backed presence, leave, the report. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LessonReport, LiveLessonView } from '@cloudschool/protocol';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { connectClient, ok, waitFor } from '@cloudschool/testkit';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

let server: TestServer;
let seeded: SeededLesson;
beforeAll(async () => {
  server = await startTestServer(1);
  seeded = await seedLiveLesson(server, 3);
});
afterAll(() => server.close());

const get = async <T>(path: string, cookie: string): Promise<T> =>
  (await (await fetch(`${server.url}${path}`, { headers: { cookie } })).json()) as T;

describe('attendance', () => {
  it('counts connected classrooms live, and minutes present after the lesson', async () => {
    const a = await connectClient(server.url);
    const b = await connectClient(server.url);
    await ok(a, 'lesson:join', { lessonId: seeded.lessonId, role: 'classroom', token: seeded.tokens[0] });
    await ok(b, 'lesson:join', { lessonId: seeded.lessonId, role: 'classroom', token: seeded.tokens[1] });
    const live = await get<{ lessons: LiveLessonView[] }>('/api/live', seeded.coordinatorCookie);
    expect(live.lessons.find((l) => l.lesson.id === seeded.lessonId)).toMatchObject({
      invited: 3,
      connected: 2,
    });

    await new Promise((r) => setTimeout(r, 3500));
    b.disconnect();
    await waitFor(() => server.app.lessons.get(seeded.lessonId)?.state().classroomCount === 1, 'b to leave');
    const ended = await fetch(`${server.url}/api/lessons/${seeded.lessonId}/end`, {
      method: 'POST',
      headers: { cookie: seeded.teacherCookie },
    });
    expect(ended.status).toBe(200);
    const report = await get<LessonReport>(
      `/api/lessons/${seeded.lessonId}/report`,
      seeded.coordinatorCookie,
    );
    const byId = new Map(report.rows.map((r) => [r.classroomId, r]));
    expect(byId.get(seeded.classroomIds[0]!)).toMatchObject({ attendance: 'on_time' });
    expect(byId.get(seeded.classroomIds[0]!)!.minutesPresent).toBeGreaterThan(0);
    expect(byId.get(seeded.classroomIds[1]!)!.lastLeaveAt).not.toBeNull();
    expect(byId.get(seeded.classroomIds[2]!)).toMatchObject({
      attendance: 'absent',
      minutesPresent: 0,
      firstJoinAt: null,
    });
    a.disconnect();
  });
});
