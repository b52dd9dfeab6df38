/**
 * Issue acceptance, PowerPoint courseware: a 3-slide .pptx made in the test is uploaded by the host, converted
 * by the server's LibreOffice and shown as 3 pages on the host and on a classroom (the same images of each
 * page, each page its own slide), and drawn on; a corrupt .pptx gets a clear Chinese error and leaves the
 * lesson's courseware and board as they were.
 */
import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { corruptPptx, makePptx } from '@cloudschool/testkit/slides';
import { loggedIn, scheduleLessonNow, TEACHER, test } from './fixtures.ts';
import {
  boardPng as pagePng,
  classroomWithBoard as classroom,
  drag,
  expectSameBoard,
  show,
  tool,
} from './board.ts';

const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';

/** The lesson's courseware files, as the host's session lists them. */
const coursewareFiles = (host: Page, lessonId: string): Promise<unknown[]> =>
  host.evaluate(async (id) => {
    const res = await fetch(`/api/lessons/${id}/courseware`);
    return ((await res.json()) as { files: unknown[] }).files;
  }, lessonId);

test('a pptx becomes three board pages on the host and a classroom; a corrupt one changes nothing', async ({
  browser,
  request,
}) => {
  const lesson = await scheduleLessonNow(request, 1);
  const host = await (await loggedIn(browser, TEACHER)).newPage();
  await host.goto(`/host/${lesson.lessonId}`);
  await host.getByTestId('start-lesson').click();
  await show(host, 'board');
  await expect(host.getByTestId('whiteboard')).toBeVisible();
  const room = await classroom(browser, lesson.joinUrls[0]!);

  await host.getByTestId('courseware-input').setInputFiles({
    name: '分数的加法.pptx',
    mimeType: PPTX,
    buffer: await makePptx(3),
  });
  const status = host.getByTestId('courseware-status');
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(status).toHaveText('课件已放入白板，共 3 页。');
  const shown = await expectSameBoard(host, room);
  const pages = shown.state.pages;
  expect(pages.map((p) => p.background)).toEqual(
    [1, 2, 3].map((page) => ({ fileId: expect.any(String), page })),
  );
  expect(new Set(pages.map((p) => (p.background as { fileId: string }).fileId)).size).toBe(1);

  // Each page shows its own slide, the same on the classroom as on the host.
  const images: string[] = [];
  for (const { id } of pages) {
    const image = await pagePng(host, id);
    expect(await pagePng(room, id)).toBe(image);
    images.push(image);
  }
  expect(new Set(images).size).toBe(3);

  // Drawn on: page 2, a pen stroke, on both ends.
  await host.getByTestId('board-page-next').click();
  await tool(host, 'pen');
  await drag(host, [0.3, 0.3], [0.7, 0.6]);
  const drawn = await expectSameBoard(host, room);
  const second = drawn.state.pages[1]!;
  expect(drawn.state.pageId).toBe(second.id);
  expect(JSON.stringify(second)).toContain('"kind":"stroke"');
  expect(await pagePng(room, second.id)).not.toBe(images[1]);

  // A corrupt pptx: said in Chinese, and nothing changes — no file kept, no page added.
  const files = await coursewareFiles(host, lesson.lessonId);
  await host.getByTestId('courseware-input').setInputFiles({
    name: '坏文件.pptx',
    mimeType: PPTX,
    buffer: await corruptPptx(),
  });
  await expect(status).toHaveAttribute('data-status', 'error', { timeout: 60_000 });
  await expect(status).toHaveText(/演示文稿打不开.*课件没有改变/);
  expect(await coursewareFiles(host, lesson.lessonId)).toEqual(files);
  expect(await expectSameBoard(host, room)).toEqual(drawn);
});
