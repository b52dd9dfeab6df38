/**
 * The S-T analysis in the lesson report, end to end over HTTP on a real server and store: a scripted
 * 10-minute lesson whose records (questions, a quiz and its answers, the host's board work) are written with
 * known times, then GET /api/lessons/:id/report gives Rt, Ch, the type and the curve computed by hand below.
 */
import { describe, expect, it } from 'vitest';
import type { LessonReport } from '@cloudschool/protocol';
import type { BoardOpBody } from '@cloudschool/board';
import { seedLiveLesson } from '../support/fixtures.ts';
import { serverPerTest } from '../support/server.ts';

const live = serverPerTest(1);
const S = 1000;

const stroke = (pageId = 'p0'): BoardOpBody => ({
  type: 'stroke',
  strokeId: `s${Math.random().toString(36).slice(2, 10)}`,
  pageId,
  tool: 'pen',
  color: '#000000',
  width: 2,
  points: [
    [10, 10, 0.5],
    [20, 20, 0.5],
  ],
});

/**
 * The lesson, from its start T0 (seconds):
 *   host board strokes at 40, 70, 250, 280, and 370 (during the quiz)
 *   host zoom/pan ('view') and a pen grant at 220 and 225: neither writing nor courseware, not counted
 *   a classroom's stroke at 130 (with the pen): not the teacher's, not counted
 *   questions at 185, 215, 545
 *   a quiz open 360 → 480, answered at 400 and 410
 *   a new courseware page by the host at 580
 *   ended at 600: the host is taken as broadcasting 0 → 600.
 */
async function scriptedLesson() {
  const seeded = await seedLiveLesson(live.server, 2, false);
  const { store } = live.server;
  const lesson = (await store.getLesson(seeded.lessonId))!;
  const t0 = lesson.startsAt;
  const at = (seconds: number): number => t0 + seconds * S;
  await store.putLessons([{ ...lesson, status: 'ended', startedAt: t0, endedAt: at(600) }]);
  const [a, b] = seeded.classroomIds as [string, string];
  for (const [s, op, by] of [
    [40, stroke(), 'host'],
    [70, stroke(), 'host'],
    [130, stroke(), `classroom:${a}`],
    [220, { type: 'view', zoom: 2, x: 100, y: 100 }, 'host'],
    [225, { type: 'pen', classroomId: a, on: true }, 'server'],
    [250, stroke(), 'host'],
    [280, stroke(), 'host'],
    [370, stroke(), 'host'],
    [580, { type: 'page:add', after: null, background: null }, 'host'],
  ] as const) {
    await store.appendBoardOp(lesson.id, { at: at(s), by, op });
  }
  for (const [i, s] of [185, 215, 545].entries()) {
    await store.putQuestion({
      id: `q${i}`,
      lessonId: lesson.id,
      classroomId: i === 1 ? b : a,
      text: `问题${i}`,
      createdAt: at(s),
      state: 'open',
    });
  }
  await store.putQuiz({
    id: 'quiz1',
    lessonId: lesson.id,
    question: '2 + 3 = ?',
    kind: 'single',
    options: ['4', '5'],
    startedAt: at(360),
    closesAt: at(480),
    closedAt: at(480),
    revealed: true,
  });
  for (const [classroomId, s] of [
    [a, 400],
    [b, 410],
  ] as const) {
    await store.putQuizAnswer({
      lessonId: lesson.id,
      quizId: 'quiz1',
      classroomId,
      choices: [1],
      counts: null,
      at: at(s),
    });
  }
  return seeded;
}

async function report(lessonId: string, cookie: string, query = ''): Promise<Response> {
  return fetch(`${live.server.url}/api/lessons/${lessonId}/report${query}`, { headers: { cookie } });
}

describe('the S-T analysis in the lesson report', () => {
  it('codes a scripted lesson every 30 s: Rt 0.65, Ch 0.3, mixed (混合型)', async () => {
    const seeded = await scriptedLesson();
    const res = await report(seeded.lessonId, seeded.coordinatorCookie);
    expect(res.status).toBe(200);
    const { st } = (await res.json()) as LessonReport;
    // 20 windows of 30 s (window k = [30k, 30k + 30)):
    //   0–5   T: strokes at 40 and 70 (windows 1, 2), else the broadcast
    //   6, 7  S: questions at 185, 215 (the view and pen at 220, 225 count for nobody)
    //   8–11  T: strokes at 250, 280; then the broadcast (the classroom's stroke at 130 was in window 4: T anyway)
    //   12–15 S: the quiz open 360 → 480 fills them (the stroke at 370 weighs 5 s against 30)
    //   16,17 T: the broadcast
    //   18    S: the question at 545
    //   19    T: the new page at 580
    // TTTTTT SS TTTT SSSS TT S T: N = 20, N_T = 13, g = 7 → Rt = 13/20 = 0.65, Ch = 6/20 = 0.3 → mixed.
    expect(st).toMatchObject({
      intervalSeconds: 30,
      samples: 'TTTTTTSSTTTTSSSSTTST',
      n: 20,
      t: 13,
      runs: 7,
      kind: 'mixed',
      evidence: {
        question: 3,
        quiz_open: 1,
        quiz_answer: 2,
        hand_raised: 0,
        host_board: 5,
        host_courseware: 1,
      },
      notRecorded: ['teacher_voice', 'stage_speech'],
      boardComplete: true,
    });
    expect(st!.rt).toBeCloseTo(0.65, 12);
    expect(st!.ch).toBeCloseTo(0.3, 12);
    expect(st!.curve).toHaveLength(20);
    expect(st!.curve[5]).toEqual({ n: 6, t: 6 });
    expect(st!.curve[7]).toEqual({ n: 8, t: 6 });
    expect(st!.curve[19]).toEqual({ n: 20, t: 13 });

    // The host teacher sees the same.
    const teacher = await report(seeded.lessonId, seeded.teacherCookie);
    expect(((await teacher.json()) as LessonReport).st?.samples).toBe('TTTTTTSSTTTTSSSSTTST');
  });

  it('samples at another interval on request: every 60 s the same lesson is a dialogue (对话型)', async () => {
    const seeded = await scriptedLesson();
    const res = await report(seeded.lessonId, seeded.coordinatorCookie, '?st_interval=60');
    const { st } = (await res.json()) as LessonReport;
    // 10 windows of 60 s:
    //   [0,60) stroke 40: T   [60,120) stroke 70: T   [120,180) broadcast: T
    //   [180,240) questions 185, 215: S                [240,300) strokes 250, 280: T   [300,360): T
    //   [360,420) quiz: S     [420,480) quiz: S         [480,540): T
    //   [540,600) question 545 (5 s) against the new page 580 (5 s): a tie, S
    // TTT S TT SS T S: N = 10, N_T = 6, g = 6 → Rt = 0.6, Ch = 5/10 = 0.5 → dialogue.
    expect(st).toMatchObject({ intervalSeconds: 60, samples: 'TTTSTTSSTS', n: 10, t: 6, runs: 6 });
    expect(st!.rt).toBeCloseTo(0.6, 12);
    expect(st!.ch).toBeCloseTo(0.5, 12);
    expect(st!.kind).toBe('dialogue');
  });

  it('has none before the lesson starts, and refuses an interval out of range', async () => {
    const seeded = await seedLiveLesson(live.server, 1, false);
    const res = await report(seeded.lessonId, seeded.coordinatorCookie);
    expect(res.status).toBe(200);
    expect(((await res.json()) as LessonReport).st).toBeNull();
    for (const bad of ['1', '601', 'x', '30.5']) {
      const refused = await report(seeded.lessonId, seeded.coordinatorCookie, `?st_interval=${bad}`);
      expect(refused.status, bad).toBe(400);
    }
  });
});
