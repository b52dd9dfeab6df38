/**
 * A classroom on a real school network: it measures and reports its link, shows its level to the tutor, the
 * host sees it on the classroom's tile, a coordinator in the live overview; and a classroom whose network is
 * cut for 10 s comes back as the same page (same peer id, one tile, not reconnecting) with its picture
 * decoding again, the board identical and its question shown answered (the host answered it meanwhile).
 * Closing its tab then leaves the lesson at once, not after the wait for a dropped connection.
 */
import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { applyProfile, cut } from '@cloudschool/testkit/netlab';
import { board, drag, expectSameBoard, show, tool } from './board.ts';
import {
  classroomStatus as status,
  COORDINATOR,
  loggedIn,
  scheduleLessonNow,
  TEACHER,
  test,
} from './fixtures.ts';
import { expectReceiving } from './media.ts';

/** A level the server judged from measurements (not `unknown`, not `reconnecting`). */
const MEASURED = /^(good|fair|poor|bad)$/;
const CUT_MS = 10_000;

interface SessionInfo {
  peerId: string | null;
  phase: string;
  joins: number;
  resumes: number;
  iceRestarts: number;
  recoveries: {
    how: string;
    lostAt: number;
    reconnectedAt: number;
    readyAt: number;
    mediaAt: number | null;
  }[];
}

interface QualityInfo {
  level: string;
  verdict: { level: string; hint: string } | null;
  report: { intervalMs: number; received: { video: { fps: number; height: number } | null } | null } | null;
  reports: number;
}

// Declared in web/src/app.d.ts; this project's tsconfig does not see web's globals.
type Hooks = { __cloudschool?: { session(): SessionInfo; quality(): QualityInfo } };

const session = (page: Page): Promise<SessionInfo> =>
  page.evaluate(() => (window as Hooks).__cloudschool!.session());
const quality = (page: Page): Promise<QualityInfo> =>
  page.evaluate(() => (window as Hooks).__cloudschool!.quality());

test('a classroom shows its level, the host sees it, a 10 s cut ends with the same page back, a closed tab leaves', async ({
  browser,
  request,
}) => {
  test.setTimeout(240_000);
  const lesson = await scheduleLessonNow(request, 1);
  const classroomId = lesson.classroomIds[0]!;
  const classroom = await (await browser.newContext()).newPage();
  // Shaped before it connects, or Chromium would not cut its WebRTC (testkit/src/netlab.ts).
  await applyProfile(classroom, 'lan');
  await classroom.goto(lesson.joinUrls[0]!);

  const host = await (await loggedIn(browser, TEACHER)).newPage();
  await host.goto(`/host/${lesson.lessonId}`);
  await host.getByTestId('start-lesson').click();
  await host.getByTestId('start-broadcast').click();
  await expect(status(classroom)).toHaveAttribute('data-status', 'live');
  await expectReceiving(classroom);

  // The classroom reports (every 5 s) what it receives of the host and shows the server's verdict; the host
  // sees it on the classroom's tile.
  await expect
    .poll(async () => (await quality(classroom)).report?.received?.video?.fps ?? 0, {
      message: "a report with the host's picture",
    })
    .toBeGreaterThan(0);
  const measured = await quality(classroom);
  expect(measured.verdict?.level).toMatch(MEASURED);
  await expect(classroom.getByTestId('quality-indicator')).toHaveAttribute('data-level', measured.level);
  const hint = classroom.getByTestId('quality-hint');
  if ((await hint.count()) > 0)
    await expect(hint).toHaveAttribute('data-hint', /^(lowered|weak|bad|uplink)$/);
  const tiles = host.locator(`[data-testid="tile"][data-classroom-id="${classroomId}"]`);
  await expect(tiles).toHaveAttribute('data-quality', MEASURED);
  await expect(host.getByTestId('host-quality')).toHaveAttribute('data-level', MEASURED);
  // A coordinator sees it in the live overview: the lesson's classrooms by level.
  const coordinator = await (await loggedIn(browser, COORDINATOR)).newPage();
  await coordinator.goto('/coordinator');
  const levels = coordinator
    .locator(`[data-testid="live-lesson"][data-lesson-id="${lesson.lessonId}"]`)
    .getByTestId('live-quality')
    .locator('[data-level]');
  await expect(levels).toHaveCount(1);
  await expect(levels).toHaveAttribute('data-level', MEASURED);
  await expect(levels).toHaveAttribute('data-count', '1');
  await coordinator.close();

  // A question before the cut (answered while the classroom is away), and something on the board.
  await classroom.getByTestId('question-input').fill('分母为什么不能是0？');
  await classroom.getByTestId('question-submit').click();
  const question = host.getByTestId('host-question');
  await expect(question).toHaveCount(1);
  const questionId = (await question.getAttribute('data-question-id'))!;
  await show(host, 'board');
  await tool(host, 'pen');
  await drag(host, [0.1, 0.2], [0.4, 0.3]);
  await expectSameBoard(host, classroom);
  const before = await session(classroom);
  expect(before.peerId).not.toBeNull();

  // 10 s without a network; the host draws meanwhile.
  const cutting = cut(classroom, CUT_MS);
  await host.waitForTimeout(2_000);
  await drag(host, [0.2, 0.6], [0.7, 0.8]);
  await show(host, 'floor');
  await question.getByTestId('question-answered').click();
  // Its level from before the cut is forgotten: the page says nothing of its link until a report on the link
  // it has now is answered.
  await expect.poll(async () => (await quality(classroom)).verdict, { intervals: [250] }).toBeNull();
  await expect(classroom.getByTestId('quality-indicator')).not.toHaveAttribute('data-level', MEASURED);
  await cutting;
  const backAt = Date.now();

  // The same page is back: same peer id, no join from scratch, one tile for the classroom, not reconnecting.
  await expect.poll(async () => (await session(classroom)).phase, { intervals: [250] }).toBe('ready');
  await expect(status(classroom)).toHaveAttribute('data-status', 'live');
  const after = await session(classroom);
  expect(after.peerId).toBe(before.peerId);
  expect(after.joins).toBe(before.joins);
  await show(host, 'floor');
  await expect(tiles).toHaveCount(1);
  await expect(tiles).toHaveAttribute('data-connected', 'true');
  await expect(tiles).not.toHaveAttribute('data-quality', 'reconnecting');
  // Frames decode again, and the board is the host's.
  await expectReceiving(classroom);
  const pictureAt = Date.now();
  await expectSameBoard(host, classroom);
  expect((await board(classroom)).headSeq).toBeGreaterThanOrEqual(2);
  // The Q&A too: the one question, answered while the classroom was away.
  const asked = classroom.getByTestId('question-item');
  await expect(asked).toHaveCount(1);
  await expect(asked).toHaveAttribute('data-question-id', questionId);
  await expect(asked).toHaveAttribute('data-state', 'answered');
  await expect(classroom.getByTestId('quality-indicator')).toHaveAttribute('data-level', MEASURED);

  const last = (await session(classroom)).recoveries.at(-1);
  process.stdout.write(
    `10 s cut: ${after.resumes} resume(s), ${after.iceRestarts} ICE restart(s), ` +
      (last
        ? `socket back ${last.reconnectedAt - last.lostAt} ms after it dropped, media ${
            last.mediaAt === null ? '-' : last.mediaAt - last.reconnectedAt
          } ms after the reconnect; `
        : 'the socket never dropped; ') +
      `frames rising ${pictureAt - backAt} ms after the network came back (test's poll)\n`,
  );

  // The tutor closes the tab: the classroom leaves there and then, where a dropped connection is waited for
  // (2 min, shown as reconnecting).
  await classroom.close();
  await expect(tiles).toHaveAttribute('data-connected', 'false');
  await expect(tiles).not.toHaveAttribute('data-quality', 'reconnecting');
});
