import { expect } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { classroomStatus as status, loggedIn, scheduleLessonNow, TEACHER, test } from './fixtures.ts';
import { expectReceiving } from './media.ts';

async function openClassroom(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

/** A tutor clicks "enable sound" where the browser blocked autoplay with sound. */
async function enableSoundIfAsked(page: Page): Promise<void> {
  const button = page.getByTestId('enable-sound');
  if (await button.isVisible()) await button.click();
}

test('a host broadcast reaches three classrooms; stop shows host offline; restart plays again', async ({
  browser,
  request,
}) => {
  const lesson = await scheduleLessonNow(request, 3);
  const classrooms = await Promise.all(lesson.joinUrls.map((url) => openClassroom(browser, url)));
  for (const page of classrooms) await expect(status(page)).toHaveAttribute('data-status', 'scheduled');

  const host = await (await loggedIn(browser, TEACHER)).newPage();
  await host.goto(`/host/${lesson.lessonId}`);
  await host.getByTestId('start-lesson').click();
  for (const page of classrooms) await expect(status(page)).toHaveAttribute('data-status', 'waiting');
  await expect(host.getByTestId('classroom-count')).toHaveText('3');
  await host.getByTestId('start-broadcast').click();
  await expect(host.getByTestId('live-indicator')).toHaveAttribute('data-live', 'true');

  for (const page of classrooms) {
    await expect(status(page)).toHaveAttribute('data-status', 'live');
    await enableSoundIfAsked(page);
    await expectReceiving(page);
  }
  await classrooms[0]!.screenshot({ path: test.info().outputPath('classroom-live.png') });

  await host.getByTestId('stop-broadcast').click();
  await expect(host.getByTestId('live-indicator')).toHaveAttribute('data-live', 'false');
  for (const page of classrooms) await expect(status(page)).toHaveAttribute('data-status', 'host-offline');

  await host.getByTestId('start-broadcast').click();
  for (const page of classrooms) {
    await expect(status(page)).toHaveAttribute('data-status', 'live');
    await expectReceiving(page);
  }
});

test('the classroom page is Chinese by default and switches to English', async ({ browser, request }) => {
  const lesson = await scheduleLessonNow(request, 1);
  const page = await openClassroom(browser, lesson.joinUrls[0]!);
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByTestId('waiting-room')).toContainText('直播课');
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('waiting-room')).toContainText(/start/i);
});
