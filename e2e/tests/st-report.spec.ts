/**
 * The S-T analysis on the report page: a lesson the teacher starts, in which a classroom asks a question
 * within the first 30 s, shows its type, Rt and Ch, and the S-T curve drawn from its samples.
 */
import { expect } from '@playwright/test';
import type { LessonReport } from '@cloudschool/protocol';
import { connectClient, ok } from '@cloudschool/testkit';
import { apiLogin, COORDINATOR, loggedIn, scheduleLessonNow, TEACHER, test } from './fixtures.ts';

const KIND_ZH = { practice: '练习型', lecture: '讲授型', dialogue: '对话型', mixed: '混合型' } as const;

test('the report shows the lesson’s S-T analysis and curve', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const coordinatorContext = await loggedIn(browser, COORDINATOR);
  const lesson = await scheduleLessonNow(coordinatorContext.request, 1);
  const teacher = await browser.newContext();
  await apiLogin(teacher.request, TEACHER);
  const startedBefore = Date.now();
  const started = await teacher.request.post(`/api/lessons/${lesson.lessonId}/start`);
  expect(started.status(), await started.text()).toBe(200);

  const url = new URL(lesson.joinUrls[0]!);
  const socket = await connectClient(baseURL!);
  try {
    await ok(socket, 'lesson:join', {
      lessonId: lesson.lessonId,
      role: 'classroom',
      token: url.searchParams.get('t')!,
    });
    await ok(socket, 'question:ask', { text: '老师，这一步为什么这样做？' });
    // One whole 30-s window after the start: the question makes it S.
    const wait = startedBefore + 32_000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));

    const page = await coordinatorContext.newPage();
    await page.goto(`/coordinator/lessons/${lesson.lessonId}/report`);
    const section = page.getByTestId('report-st');
    await expect(section).toBeVisible();
    const { st } = (await (
      await page.request.get(`/api/lessons/${lesson.lessonId}/report`)
    ).json()) as LessonReport;
    if (!st) throw new Error('no S-T analysis in the report');
    expect(st.samples[0]).toBe('S');
    expect(st.evidence.question).toBe(1);
    // What the page shows, by its own figures (a window may have closed between the page and the request).
    const kind = (await section.getAttribute('data-kind')) as keyof typeof KIND_ZH;
    const n = Number(await section.getAttribute('data-n'));
    const rt = Number(await section.getAttribute('data-rt'));
    expect(n).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('report-st-kind')).toHaveText(KIND_ZH[kind]);
    await expect(section).toContainText(`Rt = ${rt.toFixed(2)}`);
    // The curve: the origin and one point per sample, its first step up (an S).
    const points = (await page.getByTestId('report-st-curve').getAttribute('points'))!.split(' ');
    expect(points).toHaveLength(n + 1);
    const [x0, y0] = points[0]!.split(',').map(Number);
    const [x1, y1] = points[1]!.split(',').map(Number);
    expect(x1).toBe(x0);
    expect(y1).toBeLessThan(y0!);
    await expect(section).toContainText('平台不记录教师语音');
  } finally {
    socket.disconnect();
  }
});
