/**
 * The usage page (使用统计) in Chromium: reached from the coordinator's navigation, it shows a lesson a
 * classroom attended today in its school's row, the chart, the legend; regroups by county; exports CSV with a
 * BOM; says in Chinese why it will not ask for a backwards range.
 */
import { expect } from '@playwright/test';
import { connectClient, ok } from '@cloudschool/testkit';
import { apiLogin, COORDINATOR, loggedIn, scheduleLessonNow, TEACHER, test } from './fixtures.ts';

test('usage: a held lesson in the tables, the chart and the CSV', async ({ browser, baseURL }) => {
  test.setTimeout(90_000);
  const coordinator = await loggedIn(browser, COORDINATOR);
  const lesson = await scheduleLessonNow(coordinator.request, 1);
  const teacher = await browser.newContext();
  await apiLogin(teacher.request, TEACHER);
  const started = await teacher.request.post(`/api/lessons/${lesson.lessonId}/start`);
  expect(started.status(), await started.text()).toBe(200);
  const socket = await connectClient(baseURL!);
  try {
    await ok(socket, 'lesson:join', {
      lessonId: lesson.lessonId,
      role: 'classroom',
      token: new URL(lesson.joinUrls[0]!).searchParams.get('t')!,
    });

    const page = await coordinator.newPage();
    await page.goto('/coordinator');
    await page.getByRole('link', { name: '使用统计' }).click();
    await expect(page).toHaveURL(/\/coordinator\/usage$/);
    await expect(page.getByRole('heading', { name: '使用统计', level: 1 })).toBeVisible();

    // The classroom joined as soon as the teacher started: present, on time, its school's one row.
    const { classrooms } = (await (await coordinator.request.get('/api/classrooms')).json()) as {
      classrooms: { id: string; schoolId: string }[];
    };
    const { schools } = (await (await coordinator.request.get('/api/schools')).json()) as {
      schools: { id: string; name: string }[];
    };
    const schoolId = classrooms.find((c) => c.id === lesson.classroomIds[0])!.schoolId;
    const school = schools.find((s) => s.id === schoolId)!;
    const row = page.locator(`[data-testid="usage-row"][data-group="${school.id}"]`);
    await expect(row).toContainText(school.name);
    await expect(row).toContainText('1 / 1');
    await expect(row).toContainText('100.0%');
    // The chart's last bar is this week, all schools together (other specs' lessons count too).
    const thisWeek = page.getByTestId('usage-bar').last();
    await expect(thisWeek).toBeVisible();
    expect(Number(await thisWeek.getAttribute('data-attended'))).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('usage-legend')).toContainText('准时率：开课后 5 分钟内进入的课堂次');

    await page.getByTestId('usage-group').selectOption('county');
    await page.getByTestId('usage-show').click();
    await expect(page).toHaveURL(/group=county/);
    await expect(page.getByTestId('usage-table')).toContainText('昭觉');
    await expect(page.getByRole('columnheader', { name: '区县' })).toBeVisible();

    const href = (await page.getByTestId('usage-export').getAttribute('href'))!;
    const csv = await page.request.get(href);
    expect(csv.status()).toBe(200);
    const bytes = await csv.body();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('昭觉');

    const url = page.url();
    await page.getByTestId('usage-from').fill('2026-12-31');
    await page.getByTestId('usage-to').fill('2026-12-01');
    await page.getByTestId('usage-show').click();
    await expect(page.getByTestId('usage-bad-query')).toHaveText('结束日期不能早于开始日期。');
    expect(page.url()).toBe(url);
  } finally {
    socket.disconnect();
  }
});
