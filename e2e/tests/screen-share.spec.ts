/**
 * Issue 13, screen share: the host shares a 1920 × 1080 slide of 14 px Chinese and Latin text (a canvas
 * standing in for getDisplayMedia); two classrooms decode it at full width and, 5 s after the share starts,
 * show it with SSIM ≥ 0.95 against the source (both frames drawn to canvases in the page); the host's
 * layout choice reaches both classrooms; stopping the share returns them to the teacher's camera.
 */
import { expect } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { addFakeDisplay, addScreenMeter, measureScreen, screenStats, slidePng } from '@cloudschool/testkit';
import { classroomStatus, COORDINATOR, loggedIn, scheduleLessonNow, TEACHER, test } from './fixtures.ts';
import { expectReceiving } from './media.ts';

async function openClassroom(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext();
  await addScreenMeter(context);
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

const layoutOf = (room: Page) => room.getByTestId('classroom-layout');
const patrolScreenWidth = (patrol: Page) =>
  patrol.getByTestId('patrol-screen').evaluate((v) => (v as HTMLVideoElement).videoWidth);

test('a shared slide is readable in two classrooms; the host switches their layout; stopping returns to the camera', async ({
  browser,
  request,
}) => {
  const lesson = await scheduleLessonNow(request, 2);
  const hostContext = await loggedIn(browser, TEACHER);
  await addFakeDisplay(hostContext);
  const host = await hostContext.newPage();
  await host.goto(`/host/${lesson.lessonId}`);
  await host.getByTestId('start-lesson').click();
  await host.getByTestId('start-broadcast').click();
  await expect(host.getByTestId('live-indicator')).toHaveAttribute('data-live', 'true');

  const rooms = [
    await openClassroom(browser, lesson.joinUrls[0]!),
    await openClassroom(browser, lesson.joinUrls[1]!),
  ];
  for (const room of rooms) {
    await expect(classroomStatus(room)).toHaveAttribute('data-status', 'live');
    await expect(layoutOf(room)).toHaveAttribute('data-layout', 'camera');
  }

  // --- Share: Chinese on the button; the classrooms switch to the screen by themselves.
  const share = host.getByTestId('share-screen');
  await expect(share).toHaveText('共享屏幕');
  // Nothing shared yet: the screen layout cannot be chosen.
  await expect(host.getByTestId('layout-screen')).toBeDisabled();
  await share.click();
  const sharedAt = Date.now();
  await expect(host.getByTestId('share-status')).toHaveText('正在共享屏幕');
  const png = await slidePng(host);
  for (const room of rooms) await expect(layoutOf(room)).toHaveAttribute('data-layout', 'screen');

  // Decoded at full width (getStats of the screen consumer), frames still coming.
  for (const room of rooms) {
    await expect
      .poll(async () => (await screenStats(room))?.frameWidth ?? 0, {
        message: 'screen decoded at ≥ 1600 px wide',
        intervals: [250],
      })
      .toBeGreaterThanOrEqual(1600);
  }

  // 5 s after the share started, what each projector shows matches the source slide.
  await host.waitForTimeout(Math.max(0, sharedAt + 5000 - Date.now()));
  for (const [i, room] of rooms.entries()) {
    const measured = await measureScreen(room, png);
    const stats = await screenStats(room);
    const figure =
      `classroom ${i + 1} at 5 s: SSIM ${measured?.ssim.toFixed(4)} (text windows ${measured?.textSsim.toFixed(4)}),` +
      ` ${stats?.frameWidth}×${stats?.frameHeight}, ${stats?.framesPerSecond} fps, ${stats?.framesDecoded} frames`;
    test.info().annotations.push({ type: 'screen', description: figure });
    process.stdout.write(`${figure}\n`);
    expect(measured, 'the classroom shows a decoded screen frame').not.toBeNull();
    expect(measured!.videoWidth).toBeGreaterThanOrEqual(1600);
    expect(measured!.ssim).toBeGreaterThanOrEqual(0.95);
    expect(stats!.framesDecoded).toBeGreaterThan(0);
  }
  // The teacher's camera goes on in the corner (its <video>, decoded frames rising).
  for (const room of rooms) await expectReceiving(room);

  // A coordinator on patrol sees the shared screen too, decoded at full width.
  const patrol = await (await loggedIn(browser, COORDINATOR)).newPage();
  await patrol.goto(`/coordinator/patrol/${lesson.lessonId}`);
  await expect
    .poll(() => patrolScreenWidth(patrol), { message: 'patrol decodes the screen' })
    .toBeGreaterThanOrEqual(1600);
  await expect(patrol.getByTestId('patrol-screen')).toBeVisible();

  // --- Layout: the host's choice, by keyboard and by click, reaches both classrooms.
  await host.getByTestId('layout-board').focus();
  await host.keyboard.press('Enter');
  await expect(host.getByTestId('layout-board')).toHaveAttribute('aria-pressed', 'true');
  for (const room of rooms) await expect(layoutOf(room)).toHaveAttribute('data-layout', 'board');
  await host.getByTestId('layout-camera').click();
  for (const room of rooms) await expect(layoutOf(room)).toHaveAttribute('data-layout', 'camera');
  await host.getByTestId('layout-screen').click();
  for (const room of rooms) await expect(layoutOf(room)).toHaveAttribute('data-layout', 'screen');

  // --- A classroom that reloads comes back to the host's layout.
  await rooms[1]!.reload();
  await expect(classroomStatus(rooms[1]!)).toHaveAttribute('data-status', 'live');
  await expect(layoutOf(rooms[1]!)).toHaveAttribute('data-layout', 'screen');

  // --- Stop: both classrooms back to the camera, the screen consumer gone, the camera still playing.
  await host.getByTestId('stop-share').click();
  await expect(host.getByTestId('share-screen')).toBeVisible();
  for (const room of rooms) {
    await expect(layoutOf(room)).toHaveAttribute('data-layout', 'camera');
    await expect.poll(async () => screenStats(room), { message: 'screen consumer closed' }).toBeNull();
    await expectReceiving(room);
  }
  await expect(patrol.getByTestId('patrol-screen')).toBeHidden();
});
