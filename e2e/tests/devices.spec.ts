/**
 * Issue acceptance, classroom PCs (issue 12 "Classroom devices"): a second PC that enters a live
 * classroom's code waits for the host teacher; refused, it never receives or sends media; admitted, it
 * takes the classroom over (it decodes the host's video) and the first PC's page says it was replaced. A
 * rotated code no longer finds the lesson, the new one does, and the admitted PC takes its page back with
 * it without asking. A PC pre-approved by a coordinator enrols through its link, joins without waiting,
 * and closes when the coordinator revokes it; a classroom the host removes and blocks must be let in again.
 */
import { expect } from '@playwright/test';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { classroomStatus, COORDINATOR, loggedIn, scheduleLessonNow, TEACHER, test } from './fixtures.ts';
import { expectReceiving, inboundStats } from './media.ts';

/**
 * Counts the RTCPeerConnections a page makes and sums what they carried (getStats: inbound-rtp and
 * outbound-rtp bytes): the proof that a PC that never got in never sent or received media.
 */
const countPeerConnections = (): void => {
  const made: RTCPeerConnection[] = [];
  const Native = window.RTCPeerConnection;
  const Counted = function (this: unknown, ...args: ConstructorParameters<typeof RTCPeerConnection>) {
    const pc = new Native(...args);
    made.push(pc);
    return pc;
  } as unknown as typeof RTCPeerConnection;
  Counted.prototype = Native.prototype;
  Object.setPrototypeOf(Counted, Native);
  window.RTCPeerConnection = Counted;
  (
    window as unknown as { __peerConnections: () => Promise<{ made: number; bytes: number }> }
  ).__peerConnections = async () => {
    let bytes = 0;
    for (const pc of made) {
      (await pc.getStats()).forEach(
        (report: { type: string; bytesReceived?: number; bytesSent?: number }) => {
          if (report.type === 'inbound-rtp') bytes += report.bytesReceived ?? 0;
          if (report.type === 'outbound-rtp') bytes += report.bytesSent ?? 0;
        },
      );
    }
    return { made: made.length, bytes };
  };
};

function peerConnections(page: Page): Promise<{ made: number; bytes: number }> {
  return page.evaluate(() =>
    (
      window as unknown as { __peerConnections: () => Promise<{ made: number; bytes: number }> }
    ).__peerConnections(),
  );
}

/** A PC of its own (a fresh browser context: its own localStorage), counting its peer connections. */
async function newPc(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.addInitScript(countPeerConnections);
  return context;
}

/** A tutor types the classroom code on /join; answers the page (on the classroom page, or still on /join). */
async function typeCode(context: BrowserContext, code: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/join', { waitUntil: 'networkidle' });
  await page.getByTestId('join-code').fill(code);
  await page.getByTestId('join-submit').click();
  return page;
}

async function enterByCode(context: BrowserContext, lessonId: string, code: string): Promise<Page> {
  const page = await typeCode(context, code);
  await page.waitForURL(new RegExp(`/classroom/${lessonId}`));
  return page;
}

/** The host teacher's console with the lesson started and the camera broadcast. */
async function liveHost(browser: Browser, lessonId: string): Promise<Page> {
  const host = await (await loggedIn(browser, TEACHER)).newPage();
  await host.goto(`/host/${lessonId}`);
  await host.getByTestId('start-lesson').click();
  await host.getByTestId('start-broadcast').click();
  await expect(host.getByTestId('live-indicator')).toHaveAttribute('data-live', 'true');
  return host;
}

const requestOf = (host: Page, classroomId: string) =>
  host.locator(`[data-testid="device-request"][data-classroom-id="${classroomId}"]`);

test('a second PC waits for the host: refused it gets no media, admitted it takes over; a rotated code stops working', async ({
  browser,
  request,
}) => {
  const lesson = await scheduleLessonNow(request, 1);
  const [classroomId] = lesson.classroomIds as [string];
  const [oldCode] = lesson.codes as [string];
  const host = await liveHost(browser, lesson.lessonId);

  // --- The classroom's first PC enters by code and plays; the token leaves its address bar, a reload still works.
  const first = await enterByCode(await newPc(browser), lesson.lessonId, oldCode);
  await expect(classroomStatus(first)).toHaveAttribute('data-status', 'live');
  await expect(first).not.toHaveURL(/[?&]t=/);
  await first.reload();
  await expect(classroomStatus(first)).toHaveAttribute('data-status', 'live');
  await expect(host.locator(`[data-testid="tile"][data-classroom-id="${classroomId}"]`)).toHaveAttribute(
    'data-connected',
    'true',
  );

  // --- A second PC enters the same code: it waits, and the host sees its request.
  const strangerContext = await newPc(browser);
  const stranger = await enterByCode(strangerContext, lesson.lessonId, oldCode);
  await expect(classroomStatus(stranger)).toHaveAttribute('data-status', 'pending');
  await expect(classroomStatus(stranger)).toContainText('正在等待主讲老师允许这台电脑进入');
  await expect(requestOf(host, classroomId)).toContainText('：新设备请求进入');
  await stranger.screenshot({ path: test.info().outputPath('pc-pending.png') });
  await host.screenshot({ path: test.info().outputPath('host-device-request.png') });

  // --- Refused: it says so, and never made a peer connection (so it neither received nor sent media).
  await requestOf(host, classroomId).getByTestId('device-refuse').click();
  await expect(classroomStatus(stranger)).toHaveAttribute('data-status', 'refused');
  await expect(classroomStatus(stranger)).toContainText('主讲老师没有允许这台电脑进入');
  await stranger.screenshot({ path: test.info().outputPath('pc-refused.png') });
  await expect(requestOf(host, classroomId)).toHaveCount(0);
  await stranger.waitForTimeout(3_000);
  expect(await peerConnections(stranger)).toEqual({ made: 0, bytes: 0 });
  expect(await inboundStats(stranger)).toMatchObject({ video: null, audio: null });
  await expect(classroomStatus(first)).toHaveAttribute('data-status', 'live');
  await strangerContext.close();

  // --- Another PC is admitted: it takes over and decodes the host's video; the first page was replaced.
  const newcomerContext = await newPc(browser);
  const newcomer = await enterByCode(newcomerContext, lesson.lessonId, oldCode);
  await expect(classroomStatus(newcomer)).toHaveAttribute('data-status', 'pending');
  expect((await peerConnections(newcomer)).made).toBe(0);
  await requestOf(host, classroomId).getByTestId('device-admit').click();
  await expect(classroomStatus(newcomer)).toHaveAttribute('data-status', 'live');
  await expectReceiving(newcomer);
  await expect(classroomStatus(first)).toHaveAttribute('data-status', 'replaced');
  await expect(classroomStatus(first)).toContainText('另一台电脑');
  await first.context().close();

  // --- The coordinator gives the classroom a new code on the roster page.
  const coordinator = await (await loggedIn(browser, COORDINATOR)).newPage();
  await coordinator.goto('/coordinator/roster');
  const row = coordinator.locator(`[data-testid="classroom-row"][data-classroom-id="${classroomId}"]`);
  await expect(row.getByTestId('classroom-code')).toHaveText(oldCode);
  await row.getByTestId('rotate-code').click();
  await expect(coordinator.getByTestId('rotate-panel')).toContainText('旧教室码');
  await coordinator.screenshot({ path: test.info().outputPath('roster-rotate.png'), fullPage: true });
  await coordinator.getByTestId('rotate-confirm').click();
  await expect(row.getByTestId('classroom-code')).not.toHaveText(oldCode);
  const newCode = (await row.getByTestId('classroom-code').textContent())!.trim();
  expect(newCode).toMatch(/^[A-Z0-9]{6}$/);
  await expect(coordinator.getByTestId('roster-notice')).toContainText(newCode);

  // The old code finds no lesson any more, said in Chinese on /join.
  const tutor = await typeCode(await newPc(browser), oldCode);
  await expect(tutor.locator('#join-help')).toContainText('这个教室今天没有课程');
  await expect(tutor).toHaveURL(/\/join/);

  // The new code works: the admitted PC enters with it and takes its page back without asking.
  const again = await enterByCode(newcomerContext, lesson.lessonId, newCode);
  await expect(classroomStatus(again)).toHaveAttribute('data-status', 'live');
  await expect(classroomStatus(newcomer)).toHaveAttribute('data-status', 'replaced');
  await expect(requestOf(host, classroomId)).toHaveCount(0);
  await expectReceiving(again);
});

test('a pre-approved PC joins without waiting and closes when revoked; a removed and blocked classroom must be let in', async ({
  browser,
  request,
}) => {
  const lesson = await scheduleLessonNow(request, 1);
  const [classroomId] = lesson.classroomIds as [string];
  const [code] = lesson.codes as [string];
  const host = await liveHost(browser, lesson.lessonId);
  const first = await enterByCode(await newPc(browser), lesson.lessonId, code);
  await expect(classroomStatus(first)).toHaveAttribute('data-status', 'live');

  // --- The coordinator pre-approves the projector PC and hands it the enrol link.
  const coordinator = await (await loggedIn(browser, COORDINATOR)).newPage();
  await coordinator.goto('/coordinator/roster');
  const row = coordinator.locator(`[data-testid="classroom-row"][data-classroom-id="${classroomId}"]`);
  await row.getByTestId('classroom-devices').click();
  const panel = coordinator.getByTestId('devices-panel');
  await expect(panel.getByTestId('device-row')).toHaveCount(1);
  await panel.getByTestId('device-label-input').fill('多媒体教室讲台电脑');
  await panel.getByTestId('device-approve').click();
  const enrollUrl = await panel.getByTestId('enroll-url').inputValue();
  expect(enrollUrl).toMatch(new RegExp(`/enroll#${classroomId}\\.`));
  await expect(panel.getByTestId('device-row')).toHaveCount(2);
  await coordinator.screenshot({ path: test.info().outputPath('roster-devices.png'), fullPage: true });

  // --- On that PC: enrolled (the secret leaves the address bar), then it enters without waiting.
  const projectorContext = await newPc(browser);
  const enrol = await projectorContext.newPage();
  await enrol.goto(enrollUrl);
  await expect(enrol.getByTestId('enroll')).toHaveAttribute('data-outcome', 'done');
  await expect(enrol.getByTestId('enroll')).toContainText('这台电脑已登记为上课电脑');
  await expect.poll(() => new URL(enrol.url()).hash).toBe('');
  const projector = await enterByCode(projectorContext, lesson.lessonId, code);
  await expect(classroomStatus(projector)).toHaveAttribute('data-status', 'live');
  await expect(classroomStatus(first)).toHaveAttribute('data-status', 'replaced');
  await expect(requestOf(host, classroomId)).toHaveCount(0);
  await first.context().close();

  // --- The coordinator revokes it: its page closes.
  const approved = panel.locator('[data-testid="device-row"][data-revoked="false"]', {
    hasText: '多媒体教室讲台电脑',
  });
  await approved.getByTestId('device-revoke').click();
  await approved.getByTestId('device-revoke-confirm').click();
  await expect(classroomStatus(projector)).toHaveAttribute('data-status', 'removed');
  await expect(panel.locator('[data-testid="device-row"][data-revoked="true"]')).toHaveCount(1);

  // --- A PC enters again (the classroom is not open: no need to ask); the host removes it and blocks it.
  const thirdContext = await newPc(browser);
  const third = await enterByCode(thirdContext, lesson.lessonId, code);
  await expect(classroomStatus(third)).toHaveAttribute('data-status', 'live');
  const tile = host.locator(`[data-testid="tile"][data-classroom-id="${classroomId}"]`);
  await expect(tile).toHaveAttribute('data-connected', 'true');
  await tile.getByTestId('tile-remove').click();
  await expect(host.getByTestId('remove-page-dialog')).toBeVisible();
  await host.screenshot({ path: test.info().outputPath('host-remove-dialog.png') });
  await host.getByTestId('remove-page-block').click();
  await expect(classroomStatus(third)).toHaveAttribute('data-status', 'removed');
  await expect(classroomStatus(third)).toContainText('主讲老师已将本页面移出课堂');

  // Blocked: the same PC coming back waits for the host, who lets it in again.
  const back = await enterByCode(thirdContext, lesson.lessonId, code);
  await expect(classroomStatus(back)).toHaveAttribute('data-status', 'pending');
  await requestOf(host, classroomId).getByTestId('device-admit').click();
  await expect(classroomStatus(back)).toHaveAttribute('data-status', 'live');

  // --- New codes for the ticked classrooms at once (slips to reprint): each code changes.
  const otherId = await coordinator
    .locator(`[data-testid="classroom-row"]:not([data-classroom-id="${classroomId}"])`)
    .first()
    .getAttribute('data-classroom-id');
  const ticked = [row, coordinator.locator(`[data-testid="classroom-row"][data-classroom-id="${otherId}"]`)];
  const before = await Promise.all(ticked.map((r) => r.getByTestId('classroom-code').textContent()));
  for (const r of ticked) await r.getByTestId('classroom-select').check();
  await expect(coordinator.getByTestId('rotate-codes')).toHaveAttribute('data-count', '2');
  await coordinator.getByTestId('rotate-codes').click();
  await expect(coordinator.getByTestId('rotate-panel')).toContainText('2 个教室');
  await coordinator.getByTestId('rotate-confirm').click();
  await expect(coordinator.getByTestId('roster-notice')).toContainText('已更换 2 个教室的教室码');
  for (const [i, r] of ticked.entries()) {
    await expect(r.getByTestId('classroom-code')).not.toHaveText(before[i]!.trim());
  }
  await expect(coordinator.getByTestId('rotate-panel')).toHaveCount(0);
});
