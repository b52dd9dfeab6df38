/**
 * "Ready before 8:00": before the lesson starts, each classroom page checks itself and the coordinators' wall,
 * the patrol and the host console show which classrooms are ready and why the others are not. One classroom
 * has no camera, one a muted microphone, one is fine.
 */
import { expect } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { COORDINATOR, loggedIn, scheduleLessonNow, TEACHER, test } from './fixtures.ts';

/** getUserMedia as on a PC without a camera: every request for video fails (the microphone works). */
const NO_CAMERA = `(() => {
  const devices = navigator.mediaDevices;
  const original = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    if (constraints && constraints.video) throw new DOMException('Requested device not found', 'NotFoundError');
    return original(constraints);
  };
})();`;

/** getUserMedia as with a microphone muted at its switch: its tracks say muted (the fake one would beep). */
const MUTED_MICROPHONE = `(() => {
  const devices = navigator.mediaDevices;
  const original = devices.getUserMedia.bind(devices);
  devices.getUserMedia = async (constraints) => {
    const stream = await original(constraints);
    for (const track of stream.getAudioTracks()) Object.defineProperty(track, 'muted', { get: () => true });
    return stream;
  };
})();`;

async function openClassroom(browser: Browser, url: string, script: string | null): Promise<Page> {
  const context = await browser.newContext();
  if (script) await context.addInitScript({ content: script });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

/** The check has run (and, where Chromium refused sound without a click, the tutor clicked "re-check"). */
async function checked(page: Page): Promise<void> {
  const panel = page.getByTestId('readiness');
  await expect(panel).toHaveAttribute('data-running', 'false');
  await expect(panel).not.toHaveAttribute('data-state', 'checking');
  const sound = panel.locator('[data-check="sound"]');
  if ((await sound.getAttribute('data-result')) === 'blocked') {
    await page.getByTestId('readiness-recheck').click();
    await expect(sound).toHaveAttribute('data-result', 'ok');
    await expect(panel).toHaveAttribute('data-running', 'false');
  }
}

test('before the lesson, a classroom without a camera and one with a muted microphone are not ready, with the reason; a normal one is ready', async ({
  browser,
  request,
}) => {
  const lesson = await scheduleLessonNow(request, 3);
  const [noCamera, muted, fine] = await Promise.all([
    openClassroom(browser, lesson.joinUrls[0]!, NO_CAMERA),
    openClassroom(browser, lesson.joinUrls[1]!, MUTED_MICROPHONE),
    openClassroom(browser, lesson.joinUrls[2]!, null),
  ]);
  for (const page of [noCamera, muted, fine]) {
    await expect(page.getByTestId('classroom-status')).toHaveAttribute('data-status', 'scheduled');
    await checked(page);
  }

  // On each classroom's own screen, in the tutor's words.
  await expect(noCamera.getByTestId('readiness')).toHaveAttribute('data-state', 'not_ready');
  await expect(noCamera.locator('[data-check="camera"]')).toHaveAttribute('data-result', 'not_found');
  await expect(noCamera.locator('[data-check="camera"]')).toContainText('未找到摄像头');
  await expect(muted.getByTestId('readiness')).toHaveAttribute('data-state', 'not_ready');
  await expect(muted.locator('[data-check="microphone"]')).toHaveAttribute('data-result', 'muted');
  await expect(muted.locator('[data-check="microphone"]')).toContainText('麦克风被静音');
  await expect(fine.getByTestId('readiness')).toHaveAttribute('data-state', 'ready');
  await expect(fine.locator('[data-check="camera"]')).toHaveAttribute('data-result', 'ok');
  await expect(fine.locator('[data-check="microphone"]')).toHaveAttribute('data-result', 'ok');
  // Headless, the tone never reaches the fake microphone: a warning, not a reason to hold the lesson back.
  await expect(fine.locator('[data-check="speaker"]')).toHaveAttribute('data-result', 'not_heard');
  await expect(fine.locator('[data-check="speaker"]')).toContainText('未检测到扬声器声音');
  await noCamera.screenshot({ path: test.info().outputPath('classroom-no-camera.png') });
  await fine.screenshot({ path: test.info().outputPath('classroom-ready.png') });

  const [a, b, c] = lesson.classroomIds as [string, string, string];
  const expectRows = async (page: Page): Promise<void> => {
    const row = (id: string) => page.locator(`[data-testid="readiness-row"][data-classroom-id="${id}"]`);
    await expect(row(a)).toHaveAttribute('data-state', 'not_ready');
    await expect(row(a).locator('[data-check="camera"]')).toHaveAttribute('data-reason', 'not_found');
    await expect(row(a)).toContainText('未找到摄像头');
    await expect(row(b)).toHaveAttribute('data-state', 'not_ready');
    await expect(row(b).locator('[data-check="microphone"]')).toHaveAttribute('data-reason', 'muted');
    await expect(row(b)).toContainText('麦克风被静音');
    await expect(row(c)).toHaveAttribute('data-state', 'ready');
    await expect(row(c).getByTestId('readiness-badge')).toHaveText('已就绪');
    await expect(row(c).locator('[data-check="speaker"]')).toHaveAttribute('data-reason', 'not_heard');
    await expect(page.getByTestId('readiness-counts')).toHaveText(
      '已就绪 1 · 未就绪 2 · 自检中 0 · 未连接 0',
    );
  };

  // Where a coordinator sees it: the wall (一张图), every lesson at once...
  const coordinator = await loggedIn(browser, COORDINATOR);
  const wall = await coordinator.newPage();
  await wall.goto('/coordinator/wall');
  const cell = (id: string) =>
    wall.locator(
      `[data-testid="wall-lesson"][data-lesson-id="${lesson.lessonId}"] [data-classroom-id="${id}"]`,
    );
  await expect(cell(a)).toHaveAttribute('data-look', 'not_ready');
  await expect(cell(a)).toHaveAttribute('data-failures', 'camera:not_found');
  await expect(cell(a).getByTestId('wall-cell-failures')).toHaveText('摄像头');
  await expect(cell(b)).toHaveAttribute('data-look', 'not_ready');
  await expect(cell(b)).toHaveAttribute('data-failures', 'microphone:muted');
  await expect(cell(b).getByTestId('wall-cell-failures')).toHaveText('麦克风');
  await expect(cell(c)).toHaveAttribute('data-look', 'ready');
  await expect(cell(c)).toContainText('已就绪');
  await wall.screenshot({ path: test.info().outputPath('wall-readiness.png'), fullPage: true });

  // ...and the lesson's patrol.
  const patrol = await coordinator.newPage();
  await patrol.goto(`/coordinator/patrol/${lesson.lessonId}`);
  await expectRows(patrol);
  await patrol.screenshot({ path: test.info().outputPath('patrol-readiness.png') });

  // And the host console before the teacher starts.
  const host = await (await loggedIn(browser, TEACHER)).newPage();
  await host.goto(`/host/${lesson.lessonId}`);
  await expect(host.getByTestId('host-console')).toHaveAttribute('data-lesson-status', /scheduled|open/);
  await expectRows(host);
});
