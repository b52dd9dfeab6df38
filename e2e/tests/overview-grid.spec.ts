/**
 * Issue acceptance: the host's overview of 40 classrooms receives video for at
 * most the visible page — counted on the server, not in the page.
 */
import { expect } from '@playwright/test';
import { loggedIn, scheduleLessonNow, TEACHER, test } from './fixtures.ts';
import { simulateClassroom } from './simulatedClassrooms.ts';
import type { SimulatedClassroom } from './simulatedClassrooms.ts';

test('a 40-classroom overview consumes video only for the page on screen', async ({
  browser,
  request,
  baseURL,
}) => {
  const lesson = await scheduleLessonNow(request, 40);
  const host = await (await loggedIn(browser, TEACHER)).newPage();
  await host.goto(`/host/${lesson.lessonId}`);
  await host.getByTestId('start-lesson').click();

  const classrooms: SimulatedClassroom[] = [];
  try {
    for (const url of lesson.joinUrls) classrooms.push(await simulateClassroom(baseURL!, url));
    await expect(host.locator('[data-testid="tile"][data-connected="true"]')).toHaveCount(16);
    await expect(host.getByTestId('grid')).toHaveAttribute('data-pages', '3');

    const hostVideo = async (): Promise<number> => {
      const report = (await (await request.get(`/api/lessons/${lesson.lessonId}/media`)).json()) as {
        participants: { role: string; video: number }[];
      };
      // -1 while the host page is (re)joining: expect.poll does not retry a thrown error.
      return report.participants.find((p) => p.role === 'host')?.video ?? -1;
    };
    await expect.poll(hostVideo, { message: 'the first page is received' }).toBe(16);
    await host.getByTestId('grid-next').click();
    await expect(host.getByTestId('grid')).toHaveAttribute('data-page', '2');
    await expect.poll(hostVideo, { message: 'the second page replaces the first' }).toBe(16);
    await host.getByTestId('grid-next').click();
    await expect.poll(hostVideo, { message: 'the last page has 8 tiles' }).toBe(8);
    // Across every page turn the host never received more than one page.
    expect(await hostVideo()).toBeLessThanOrEqual(16);
  } finally {
    for (const c of classrooms) c.close();
  }
});
