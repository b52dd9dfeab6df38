import { expect, test } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { expectReceiving } from './media.ts';

async function openClassroom(browser: Browser, lessonId: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`/classroom/${lessonId}`);
  return page;
}

const status = (page: Page) => page.getByTestId('classroom-status');

/** A tutor clicks "enable sound" where the browser blocked autoplay with sound. */
async function enableSoundIfAsked(page: Page): Promise<void> {
  const button = page.getByTestId('enable-sound');
  if (await button.isVisible()) await button.click();
}

test('a host broadcast reaches three classrooms; stop shows host offline; restart plays again', async ({
  browser,
}) => {
  const lessonId = `e2e-${Date.now()}`;
  const classrooms = await Promise.all([1, 2, 3].map(() => openClassroom(browser, lessonId)));
  for (const page of classrooms) await expect(status(page)).toHaveAttribute('data-status', 'waiting');

  const hostContext = await browser.newContext();
  const host = await hostContext.newPage();
  await host.goto(`/host/${lessonId}`);
  await expect(host.getByTestId('classroom-count')).toContainText('3');
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

test('the classroom page is Chinese by default and switches to English', async ({ page }) => {
  await page.goto('/classroom/lang-check');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(status(page)).toContainText('等待');
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(status(page)).toContainText(/waiting/i);
});
