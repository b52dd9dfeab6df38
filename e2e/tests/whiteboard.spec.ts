/**
 * Issue acceptance, the shared whiteboard: the host draws strokes, a shape
 * and text, uploads a 3-page PDF, turns to page 2 and draws; a classroom
 * joining afterwards has exactly the same board (same operations, same
 * exported images); a classroom offline for 10 s catches up to the identical
 * state; a classroom with the pen can draw, one without is refused. Once the
 * lesson ended, the coordinator's report exports the pages as the same PNG
 * files the live board made, and the whole board as a PDF (a lesson nobody
 * drew in: nothing to export). The lesson runs across midnight in Beijing, as evening lessons do, at any
 * time of day: its two dates give the console's header a second line, which put the board's lower part below
 * the window (canvasPoints scrolls it into view; pressed there, the text tool once found nothing).
 */
import { readFile } from 'node:fs/promises';
import { expect } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { io } from 'socket.io-client';
import { COORDINATOR, loggedIn, scheduleLessonNow, TEACHER, test } from './fixtures.ts';
import { makePdf } from './pdf.ts';
import {
  board,
  boardPng as png,
  canvasPoints,
  classroomWithBoard as classroom,
  drag,
  expectSameBoard,
  show,
  tool,
} from './board.ts';

/** The export buttons' resolution (web's EXPORT_SCALE): a 1600 × 900 page becomes 2400 × 1350 pixels. */
const EXPORT_SCALE = 1.5;

/** Clicks a button that downloads a file; answers the file's name and bytes. */
async function downloaded(page: Page, button: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { name: download.suggestedFilename(), bytes: await readFile(await download.path()) };
}

/** A PNG's size from its IHDR chunk, and the share of its pixels unlike the top-left one (the page). */
async function pngFacts(
  page: Page,
  bytes: Buffer,
): Promise<{ width: number; height: number; inked: number }> {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const inked = await page.evaluate(async (base64) => {
    const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([data], { type: 'image/png' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const context = canvas.getContext('2d')!;
    context.drawImage(bitmap, 0, 0);
    const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let unlike = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      if (pixels[i] !== pixels[0] || pixels[i + 1] !== pixels[1] || pixels[i + 2] !== pixels[2]) unlike++;
    }
    return unlike / (pixels.length / 4);
  }, bytes.toString('base64'));
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), inked };
}

test('the board converges for late joiners and reconnects, and only the pen writes', async ({
  browser,
  request,
  baseURL,
}) => {
  const lesson = await scheduleLessonNow(request, 3, { overMidnight: true });
  const ids = lesson.classroomIds as [string, string, string];
  const host = await (await loggedIn(browser, TEACHER)).newPage();
  await host.goto(`/host/${lesson.lessonId}`);
  await host.getByTestId('start-lesson').click();
  await host.getByTestId('start-broadcast').click();
  await show(host, 'board');
  await expect(host.getByTestId('whiteboard')).toBeVisible();

  const offline = await classroom(browser, lesson.joinUrls[1]!);
  const stager = await classroom(browser, lesson.joinUrls[2]!);

  // Page 1: strokes, a rectangle and a text.
  await tool(host, 'pen');
  await drag(host, [0.1, 0.2], [0.4, 0.3]);
  await drag(host, [0.1, 0.4], [0.4, 0.5]);
  await tool(host, 'rect');
  await drag(host, [0.5, 0.2], [0.8, 0.5]);
  await tool(host, 'text');
  await expect(host.locator('[data-testid="board-tool"][data-tool="text"]')).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  const at = await canvasPoints(host);
  await host.mouse.move(...at([0.2, 0.7]));
  await host.mouse.down();
  const typing = host.getByTestId('whiteboard').locator('textarea');
  await expect(typing).toBeVisible();
  await host.mouse.up();
  await typing.fill('分数的意义');
  await typing.press('Enter');
  await expect.poll(async () => (await board(host)).headSeq).toBeGreaterThanOrEqual(4);

  // A 3-page PDF becomes three pages; turn to its second page and draw on it.
  await host.getByTestId('courseware-input').setInputFiles({
    name: '分数.pdf',
    mimeType: 'application/pdf',
    buffer: makePdf(['Page 1', 'Page 2', 'Page 3']),
  });
  await expect(host.getByTestId('courseware-status')).toContainText('3');
  await host.getByTestId('board-page-next').click();
  await tool(host, 'pen');
  await drag(host, [0.3, 0.3], [0.7, 0.6]);
  const drawn = await expectSameBoard(host, offline);
  expect(drawn.state.pages).toHaveLength(4);

  // A classroom joining now shows exactly the same board: same state, same images of every page.
  const late = await classroom(browser, lesson.joinUrls[0]!);
  const state = await expectSameBoard(host, late);
  for (const { id } of state.state.pages) expect(await png(late, id)).toBe(await png(host, id));

  // A classroom offline for 10 s while the host keeps drawing catches up to the identical state.
  const cdp = await offline.context().newCDPSession(offline);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: true,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  await drag(host, [0.2, 0.7], [0.6, 0.8]);
  await tool(host, 'ellipse');
  await drag(host, [0.6, 0.1], [0.9, 0.3]);
  await host.waitForTimeout(10_000);
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  await expectSameBoard(host, offline);

  // The pen: granted to an on-stage classroom, it draws; a classroom without it is refused by the server.
  await show(host, 'floor');
  await stager.getByTestId('raise-hand').click();
  await host
    .locator(`[data-testid="hand-item"][data-classroom-id="${ids[2]}"] [data-testid="hand-invite"]`)
    .click();
  await expect(stager.getByTestId('on-stage-banner')).toBeVisible();
  await host.locator(`[data-testid="pen-toggle"][data-classroom-id="${ids[2]}"]`).click();
  await expect(stager.getByTestId('pen-holder-banner')).toBeVisible();
  // Without the host's picture the classroom says so above the board, without covering the pen's tools.
  await host.getByTestId('stop-broadcast').click();
  await expect(stager.getByTestId('classroom-status')).toHaveAttribute('data-status', 'host-offline');
  const before = (await board(host)).headSeq;
  await tool(stager, 'pen');
  await drag(stager, [0.4, 0.4], [0.5, 0.6]);
  await expect.poll(async () => (await board(host)).headSeq).toBeGreaterThan(before);
  const after = await expectSameBoard(host, stager);
  expect(JSON.stringify(after.state)).toContain(`classroom:${ids[2]}`);

  // Classroom 0's own PC (the late joiner's credential): a join as a new PC would wait for the host instead.
  const device = await late.evaluate(
    (id) => JSON.parse(localStorage.getItem(`cloudschool:device:${id}`) ?? 'null') as unknown,
    ids[0],
  );
  expect(device).toMatchObject({ id: expect.any(String), secret: expect.any(String) });
  const url = new URL(lesson.joinUrls[0]!);
  const socket = io(baseURL!, { transports: ['websocket'], reconnection: false, forceNew: true });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const ask = (event: string, payload: object) => socket.timeout(10_000).emitWithAck(event, payload);
    const joined = await ask('lesson:join', {
      lessonId: lesson.lessonId,
      role: 'classroom',
      token: url.searchParams.get('t'),
      device,
    });
    expect(joined).toMatchObject({ ok: true });
    const refused = await ask('board:stroke:end', {
      strokeId: 'no-pen',
      pageId: state.state.pages[0]!.id,
      tool: 'pen',
      color: '#ff0000',
      width: 4,
      points: [
        [10, 10, 0.5],
        [20, 20, 0.5],
      ],
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await board(host)).headSeq).toBe(after.headSeq);
  } finally {
    socket.disconnect();
  }

  // After the lesson, the report: page 1 (drawn on a blank page) and page 2 (the PDF's first page behind
  // it) as the very PNG files the live board made of them, and the whole board as one PDF.
  const pageIds = after.state.pages.map((p) => p.id);
  expect(after.state.pages.map((p) => p.background !== null)).toEqual([false, true, true, true]);
  const live = [await png(host, pageIds[0]!, EXPORT_SCALE), await png(host, pageIds[1]!, EXPORT_SCALE)];
  await host.getByTestId('end-lesson').click();
  await host.getByTestId('end-lesson-confirm').click();
  await expect(stager.getByTestId('classroom-status')).toHaveAttribute('data-status', 'ended');
  const coordinator = await (await loggedIn(browser, COORDINATOR)).newPage();
  await coordinator.goto(`/coordinator/lessons/${lesson.lessonId}/report`);
  const section = coordinator.getByTestId('report-board');
  await expect(section.locator('[data-testid^="report-board-png-"]')).toHaveCount(pageIds.length);
  for (const [i, livePng] of live.entries()) {
    const file = await downloaded(coordinator, section.getByTestId(`report-board-png-${i + 1}`));
    expect(file.name).toMatch(new RegExp(`第${i + 1}页\\.png$`));
    const facts = await pngFacts(coordinator, file.bytes);
    expect(facts).toMatchObject({ width: 2400, height: 1350 });
    expect(facts.inked).toBeGreaterThan(0.002);
    expect(file.bytes.equals(Buffer.from(livePng.split(',')[1]!, 'base64'))).toBe(true);
  }
  const pdf = await downloaded(coordinator, section.getByTestId('report-board-pdf'));
  expect(pdf.name).toMatch(/白板\.pdf$/);
  const text = pdf.bytes.toString('latin1');
  expect(text.startsWith('%PDF-')).toBe(true);
  expect(text.match(/\/Type\s*\/Page\b/g)).toHaveLength(pageIds.length);

  // A lesson nobody drew in has nothing to export.
  const untouched = await scheduleLessonNow(request, 1);
  await coordinator.goto(`/coordinator/lessons/${untouched.lessonId}/report`);
  await expect(coordinator.getByTestId('report-board-empty')).toBeVisible();
  await expect(coordinator.getByTestId('report-board').getByRole('button')).toHaveCount(0);
});
