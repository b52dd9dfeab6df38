/**
 * The coordinators' wall (一张图): two live lessons of three classrooms each. In lesson A the host broadcasts,
 * one classroom is on `lan`, one on the network lab's `bad` link, one never comes; lesson B was started with
 * no host page, two of its classrooms are simulated in Node, one never comes. The wall shows both lessons
 * pushed as they change, the absent classrooms as absent with an alert once the (shortened, 10 s) delay after
 * the start is over, the bad classroom at a worse level than the lan one, lesson A's host camera decoded small
 * on its card; an alert's link opens the patrol, its
 * other one writes to the classroom's tutor (the host teacher sees the conversation).
 */
import { expect } from '@playwright/test';
import type { Browser, Locator, Page } from '@playwright/test';
import { addBarcodeCamera, applyProfile } from '@cloudschool/testkit/netlab';
import type { LinkProfileName } from '@cloudschool/testkit/netlab';
import {
  apiLogin,
  classroomStatus as status,
  COORDINATOR,
  loggedIn,
  scheduleLessonNow,
  TEACHER,
  test,
} from './fixtures.ts';
import { simulateClassroom } from './simulatedClassrooms.ts';

/** The lessons start this soon after they are made: the absent alerts come 10 s after that. */
const STARTS_IN_MS = 5_000;
/** Measured levels, best first ('unknown' is not measured yet: not comparable). */
const RANK: Record<string, number> = { good: 0, fair: 1, poor: 2, bad: 3, dark: 4 };

async function openClassroom(browser: Browser, url: string, profile: LinkProfileName): Promise<Page> {
  const context = await browser.newContext();
  // A small camera of its own: what the classroom sends is not under test, and it saves the 2 cores.
  await addBarcodeCamera(context, { width: 320, height: 180, fps: 10, tilesPerSecond: 10, movingBlocks: 1 });
  const page = await context.newPage();
  await applyProfile(page, profile);
  await page.goto(url);
  return page;
}

const cellOf = (wall: Page, lessonId: string, classroomId: string): Locator =>
  wall.locator(
    `[data-testid="wall-lesson"][data-lesson-id="${lessonId}"] [data-classroom-id="${classroomId}"]`,
  );

test('the wall shows two live lessons, their absent classrooms with alerts and the bad link worse; an alert opens the patrol or writes to the tutor', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(300_000);
  const a = await scheduleLessonNow(request, 3, { startsInMs: STARTS_IN_MS });
  const b = await scheduleLessonNow(request, 3, { startsInMs: STARTS_IN_MS });

  const coordinator = await (await loggedIn(browser, COORDINATOR)).newPage();
  await coordinator.goto('/coordinator/wall');
  await expect(coordinator.getByTestId('wall')).toHaveAttribute('data-link', 'live');
  for (const lesson of [a, b]) {
    await expect(
      coordinator.locator(`[data-testid="wall-lesson"][data-lesson-id="${lesson.lessonId}"]`),
    ).toBeVisible();
    for (const classroomId of lesson.classroomIds) {
      await expect(cellOf(coordinator, lesson.lessonId, classroomId)).toHaveAttribute('data-look', 'absent');
    }
  }

  // Lesson A: the host broadcasts, a lan and a bad classroom come.
  const hostContext = await loggedIn(browser, TEACHER);
  const host = await hostContext.newPage();
  await host.goto(`/host/${a.lessonId}`);
  await host.getByTestId('start-lesson').click();
  await host.getByTestId('start-broadcast').click();
  await expect(host.getByTestId('live-indicator')).toHaveAttribute('data-live', 'true');
  const [lan, bad] = await Promise.all([
    openClassroom(browser, a.joinUrls[0]!, 'lan'),
    openClassroom(browser, a.joinUrls[1]!, 'bad'),
  ]);
  for (const page of [lan, bad])
    await expect(status(page)).toHaveAttribute('data-status', 'live', { timeout: 60_000 });

  // Lesson B: started by its teacher without a page; two classrooms simulated in Node.
  await apiLogin(request, TEACHER);
  const started = await request.post(`/api/lessons/${b.lessonId}/start`);
  expect(started.status(), await started.text()).toBe(200);
  const simulated = await Promise.all(b.joinUrls.slice(0, 2).map((url) => simulateClassroom(baseURL!, url)));

  try {
    for (const lesson of [a, b]) {
      const wallLesson = coordinator.locator(
        `[data-testid="wall-lesson"][data-lesson-id="${lesson.lessonId}"]`,
      );
      await expect(wallLesson).toHaveAttribute('data-status', 'live');
      for (const classroomId of lesson.classroomIds.slice(0, 2)) {
        await expect(cellOf(coordinator, lesson.lessonId, classroomId)).not.toHaveAttribute(
          'data-look',
          'absent',
        );
      }
      const absentId = lesson.classroomIds[2]!;
      await expect(cellOf(coordinator, lesson.lessonId, absentId)).toHaveAttribute('data-look', 'absent');
      await expect(
        coordinator.locator(
          `[data-testid="wall-alert"][data-kind="absent"][data-lesson-id="${lesson.lessonId}"][data-classroom-id="${absentId}"]`,
        ),
      ).toBeVisible({ timeout: 60_000 });
    }
    await expect(
      coordinator.locator(
        `[data-testid="wall-lesson"][data-lesson-id="${a.lessonId}"] [data-testid="wall-host"]`,
      ),
    ).toHaveAttribute('data-live', 'true');
    await expect(coordinator.getByTestId('wall-trouble')).not.toHaveText('0');

    // Lesson A's card shows its host's camera, decoded, at the lowest layer; lesson B's host does not broadcast.
    const picture = (lessonId: string) =>
      coordinator.locator(
        `[data-testid="wall-lesson"][data-lesson-id="${lessonId}"] [data-testid="wall-host-video"]`,
      );
    // Only a card on screen receives its picture.
    await expect(picture(a.lessonId)).toHaveAttribute('data-playing', 'false');
    await picture(a.lessonId).scrollIntoViewIfNeeded();
    await expect(picture(a.lessonId)).toHaveAttribute('data-playing', 'true');
    const decoded = () =>
      picture(a.lessonId).evaluate((v: HTMLVideoElement) => ({
        frames: v.getVideoPlaybackQuality().totalVideoFrames,
        height: v.videoHeight,
      }));
    const first = await decoded();
    await expect
      .poll(async () => (await decoded()).frames, { timeout: 30_000 })
      .toBeGreaterThan(first.frames + 5);
    const shown = await decoded();
    expect(shown.height).toBeGreaterThan(0);
    expect(shown.height, 'the lowest simulcast layer').toBeLessThanOrEqual(180);
    await picture(b.lessonId).scrollIntoViewIfNeeded();
    await expect(picture(b.lessonId)).toHaveAttribute('data-playing', 'false');

    // The bad classroom ends up at a worse level than the lan one (both measured by their pages' reports).
    const look = (classroomId: string) =>
      cellOf(coordinator, a.lessonId, classroomId).getAttribute('data-look');
    await expect
      .poll(
        async () => {
          const [l, w] = [await look(a.classroomIds[0]!), await look(a.classroomIds[1]!)];
          const [rl, rw] = [RANK[l ?? ''], RANK[w ?? '']];
          return rl !== undefined && rw !== undefined && rw > rl
            ? `${l} < ${w}`
            : `not yet: lan ${l}, bad ${w}`;
        },
        { timeout: 120_000, intervals: [1_000] },
      )
      .toMatch(/ < /);

    // The absent classroom's alert opens lesson A's patrol.
    await coordinator
      .locator(`[data-testid="wall-alert"][data-kind="absent"][data-lesson-id="${a.lessonId}"]`)
      .getByTestId('wall-alert-patrol')
      .click();
    await expect(coordinator).toHaveURL(new RegExp(`/coordinator/patrol/${a.lessonId}$`));
    await expect(coordinator.getByTestId('patrol')).toBeVisible();

    // Its other action writes to that classroom's tutor from the patrol, as the host side: the host
    // teacher's console gets the conversation too.
    await coordinator.goto('/coordinator/wall');
    const absentId = a.classroomIds[2]!;
    await coordinator
      .locator(`[data-testid="wall-alert"][data-kind="absent"][data-classroom-id="${absentId}"]`)
      .getByTestId('wall-alert-chat')
      .click();
    const thread = coordinator.getByTestId('chat-thread');
    await expect(thread).toHaveAttribute('data-classroom-id', absentId);
    await thread.getByTestId('chat-input').fill('教务处：请尽快打开教室电脑');
    await thread.getByTestId('chat-send').click();
    await expect(thread.getByTestId('chat-message')).toContainText(['教务处：请尽快打开教室电脑']);
    await expect(
      host.locator(`[data-testid="chat-conversation"][data-classroom-id="${absentId}"]`),
    ).toBeVisible();
  } finally {
    for (const s of simulated) s.close();
  }
});
