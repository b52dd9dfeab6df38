/**
 * Issue acceptance, the dual-teacher lesson: host + 4 classrooms in real
 * Chromium with fake devices, real mediasoup. Hands, on stage with media
 * proven by getStats and the server's consumer list, Q&A, quiz (with a
 * reload mid-quiz), backchannel, patrol.
 */
import { expect } from '@playwright/test';
import type { APIRequestContext, Browser, Page } from '@playwright/test';
import { classroomStatus, COORDINATOR, loggedIn, scheduleLessonNow, TEACHER, test } from './fixtures.ts';
import { expectReceiving, expectReceivingStage, inboundStats } from './media.ts';

interface MediaReport {
  participants: { role: string; classroomId: string | null; audio: number; video: number }[];
}

async function mediaReport(request: APIRequestContext, lessonId: string): Promise<MediaReport> {
  return (await (await request.get(`/api/lessons/${lessonId}/media`)).json()) as MediaReport;
}

async function openClassroom(browser: Browser, url: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  return page;
}

test('hands, on stage, Q&A, quiz, backchannel and patrol with a host and four classrooms', async ({
  browser,
  request,
}) => {
  const lesson = await scheduleLessonNow(request, 4);
  const ids = lesson.classroomIds as [string, string, string, string];
  const host = await (await loggedIn(browser, TEACHER)).newPage();
  await host.goto(`/host/${lesson.lessonId}`);
  await host.getByTestId('start-lesson').click();
  await host.getByTestId('start-broadcast').click();
  await expect(host.getByTestId('live-indicator')).toHaveAttribute('data-live', 'true');

  const rooms: Page[] = [];
  for (const url of lesson.joinUrls) rooms.push(await openClassroom(browser, url));
  for (const room of rooms) await expect(classroomStatus(room)).toHaveAttribute('data-status', 'live');
  for (const id of ids) {
    await expect(host.locator(`[data-testid="tile"][data-classroom-id="${id}"]`)).toHaveAttribute(
      'data-connected',
      'true',
    );
  }

  // --- Hands: classroom 2 raises first and is first in the host's queue.
  await rooms[1]!.getByTestId('raise-hand').click();
  await rooms[3]!.getByTestId('raise-hand').click();
  await expect(host.getByTestId('hand-item').first()).toHaveAttribute('data-classroom-id', ids[1]);
  await expect(rooms[3]!.getByTestId('hand-place')).toContainText('2');

  // --- On stage: the host invites classroom 2; the host and classrooms 1, 3, 4 see and hear it.
  await host
    .locator(`[data-testid="hand-item"][data-classroom-id="${ids[1]}"] [data-testid="hand-invite"]`)
    .click();
  await expect(rooms[1]!.getByTestId('on-stage-banner')).toBeVisible();
  for (const page of [host, rooms[0]!, rooms[2]!, rooms[3]!]) await expectReceivingStage(page, ids[1]);
  for (const room of rooms) await expectReceiving(room); // the host's own lesson keeps playing everywhere
  // No page receives audio from an off-stage classroom: pages hold only the stage and the host…
  for (const page of [host, ...rooms]) {
    const stage = Object.keys((await inboundStats(page)).stage ?? {});
    expect(stage.filter((id) => id !== ids[1])).toEqual([]);
  }
  // …and the SFU forwards exactly: host ← classroom 2's voice; classrooms 1, 3, 4 ← host + classroom 2; classroom 2 ← host.
  const report = await mediaReport(request, lesson.lessonId);
  const audio = Object.fromEntries(report.participants.map((p) => [p.classroomId ?? p.role, p.audio]));
  expect(audio).toEqual({ host: 1, [ids[0]]: 2, [ids[1]]: 1, [ids[2]]: 2, [ids[3]]: 2 });

  // --- Q&A: two questions; upvotes reorder them; "answered" shows on every classroom.
  await rooms[0]!.getByTestId('question-input').fill('分母为什么不能是0？');
  await rooms[0]!.getByTestId('question-submit').click();
  await rooms[2]!.getByTestId('question-input').fill('能再讲一遍通分吗？');
  await rooms[2]!.getByTestId('question-submit').click();
  await expect(host.getByTestId('host-question')).toHaveCount(2);
  const second = (await host.getByTestId('host-question').nth(1).getAttribute('data-question-id'))!;
  for (const voter of [rooms[1]!, rooms[3]!]) {
    await voter
      .locator(`[data-testid="question-item"][data-question-id="${second}"] [data-testid="question-vote"]`)
      .click();
  }
  await expect(host.getByTestId('host-question').first()).toHaveAttribute('data-question-id', second);
  await host
    .locator(`[data-testid="host-question"][data-question-id="${second}"] [data-testid="question-answered"]`)
    .click();
  for (const room of rooms) {
    await expect(room.locator(`[data-testid="question-item"][data-question-id="${second}"]`)).toHaveAttribute(
      'data-state',
      'answered',
    );
  }

  // --- Quiz: four classrooms answer (two by choice, two by counting students); the host's tally is their sum.
  await host.getByTestId('quiz-question').fill('3/4 和 6/8 哪个大？');
  await host.getByTestId('quiz-option-input').nth(0).fill('3/4 大');
  await host.getByTestId('quiz-option-input').nth(1).fill('6/8 大');
  await host.getByTestId('quiz-add-option').click();
  await host.getByTestId('quiz-option-input').nth(2).fill('一样大');
  await host.getByTestId('quiz-start').click();
  for (const room of rooms) await expect(room.getByTestId('quiz-panel')).toBeVisible();
  const choose = async (room: Page, index: number) => {
    await room.locator(`[data-testid="quiz-option"][data-index="${index}"]`).click();
    await room.getByTestId('quiz-submit').click();
    await expect(room.getByTestId('quiz-my-answer')).toBeVisible();
  };
  const count = async (room: Page, counts: number[]) => {
    await room.getByTestId('quiz-count-mode').click();
    for (const [i, n] of counts.entries())
      await room.locator(`[data-testid="quiz-count"][data-index="${i}"]`).fill(String(n));
    await room.getByTestId('quiz-submit').click();
    await expect(room.getByTestId('quiz-my-answer')).toBeVisible();
  };
  await choose(rooms[0]!, 2);
  await count(rooms[1]!, [3, 5, 30]);
  await choose(rooms[2]!, 0);
  await count(rooms[3]!, [1, 0, 40]);
  const expected = [1 + 3 + 1, 5 + 0, 1 + 30 + 40];
  await expect(host.getByTestId('quiz-answered')).toContainText('4');
  for (const [i, n] of expected.entries()) {
    await expect(
      host.locator(`[data-testid="quiz-tally"] [data-testid="quiz-bar"][data-index="${i}"]`),
    ).toHaveAttribute('data-count', String(n));
  }
  // A classroom page reloaded mid-quiz comes back with the quiz and its own answer.
  await rooms[1]!.reload();
  await expect(rooms[1]!.getByTestId('quiz-panel')).toBeVisible();
  await expect(rooms[1]!.getByTestId('quiz-my-answer')).toContainText('30');
  await host.getByTestId('quiz-reveal').click();
  for (const room of rooms) {
    for (const [i, n] of expected.entries()) {
      await expect(
        room.locator(`[data-testid="quiz-results"] [data-testid="quiz-bar"][data-index="${i}"]`),
      ).toHaveAttribute('data-count', String(n));
    }
  }

  // --- Backchannel: classroom 3 writes; the host side sees it, no other classroom does.
  await rooms[2]!.getByTestId('chat-open').click();
  await rooms[2]!.getByTestId('chat-input').fill('我们这边声音有点小');
  await rooms[2]!.getByTestId('chat-send').click();
  await expect(
    host.locator(`[data-testid="tile"][data-classroom-id="${ids[2]}"] [data-testid="tile-unread"]`),
  ).toContainText('1');
  await host.locator(`[data-testid="tile"][data-classroom-id="${ids[2]}"] [data-testid="tile-chat"]`).click();
  const thread = host.locator(`[data-testid="chat-thread"][data-classroom-id="${ids[2]}"]`);
  await expect(thread.getByTestId('chat-message')).toContainText('我们这边声音有点小');
  await thread.getByTestId('chat-input').fill('收到，已调大');
  await thread.getByTestId('chat-send').click();
  await expect(rooms[2]!.locator('[data-testid="chat-message"][data-from="host"]')).toContainText(
    '收到，已调大',
  );
  for (const other of [rooms[0]!, rooms[1]!, rooms[3]!]) {
    await other.getByTestId('chat-open').click();
    await expect(other.getByTestId('chat-message')).toHaveCount(0);
  }

  // --- Patrol: the coordinator watches the lesson; nobody is told.
  const patrol = await (await loggedIn(browser, COORDINATOR)).newPage();
  await patrol.goto(`/coordinator/patrol/${lesson.lessonId}`);
  await expect(patrol.getByTestId('patrol')).toBeVisible();
  await expect(patrol.getByTestId('tile')).toHaveCount(4);
  await expectReceiving(patrol);
  await expect(host.getByTestId('classroom-count')).toHaveText('4');
  const withObserver = await mediaReport(request, lesson.lessonId);
  expect(withObserver.participants.filter((p) => p.role === 'observer')).toHaveLength(1);
  for (const room of rooms) await expect(room.getByText(/协调员|E2E协调员/)).toHaveCount(0);
});
