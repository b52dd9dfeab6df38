/** The whiteboard as a page has it, and driving the board with the mouse, for the e2e specs. */
import { expect } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';

export interface BoardSnapshot {
  headSeq: number;
  state: { pages: { id: string; background: unknown }[] } & Record<string, unknown>;
}

export const board = (page: Page): Promise<BoardSnapshot> =>
  page.evaluate(() => {
    // Declared in web/src/app.d.ts; this project's tsconfig does not see web's globals.
    const hook = (window as { __cloudschool?: { board?: () => BoardSnapshot } }).__cloudschool;
    if (!hook?.board) throw new Error('no board on this page');
    return hook.board();
  });

/** A page of the board as its export draws it (courseware behind, strokes on top), as a PNG data URL. */
export const boardPng = (page: Page, pageId: string, scale?: number): Promise<string> =>
  page.evaluate(
    async ([id, scale]) => {
      const hook = (
        window as {
          __cloudschool?: { boardPng?: (pageId?: string, scale?: number) => Promise<string> };
        }
      ).__cloudschool;
      if (!hook?.boardPng) throw new Error('no board export on this page');
      return hook.boardPng(id, scale);
    },
    [pageId, scale] as const,
  );

/** A classroom opened from its join link in a browser context of its own, once its board has loaded. */
export async function classroomWithBoard(browser: Browser, url: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  await expect
    .poll(async () => (await board(page).catch(() => null)) !== null, { message: 'board loaded' })
    .toBe(true);
  return page;
}

/**
 * The board canvas scrolled to the middle of the window, and where a point given as fractions of it is in the
 * viewport. The mouse presses at viewport coordinates and does not scroll: a press below the window's bottom
 * lands on nothing. The canvas's lower part is often there (under a 720-pixel window, the more so when the
 * header takes a second line, as it does for a lesson across midnight with its two dates).
 */
export async function canvasPoints(page: Page): Promise<(at: [number, number]) => [number, number]> {
  const canvas = page.getByTestId('board-canvas');
  await canvas.evaluate((element) => element.scrollIntoView({ block: 'center', inline: 'center' }));
  const box = (await canvas.boundingBox())!;
  const viewport = page.viewportSize()!;
  return ([x, y]) => {
    const point: [number, number] = [box.x + x * box.width, box.y + y * box.height];
    expect(point[1], 'a point of the board in the window').toBeGreaterThanOrEqual(0);
    expect(point[1], 'a point of the board in the window').toBeLessThan(viewport.height);
    return point;
  };
}

/** A drag on the board canvas between two points given as fractions of the canvas. */
export async function drag(page: Page, from: [number, number], to: [number, number]): Promise<void> {
  const at = await canvasPoints(page);
  await page.mouse.move(...at(from));
  await page.mouse.down();
  await page.mouse.move(...at([(from[0] + to[0]) / 2, (from[1] + to[1]) / 2 + 0.05]), { steps: 8 });
  await page.mouse.move(...at(to), { steps: 8 });
  await page.mouse.up();
}

export async function tool(page: Page, name: string): Promise<void> {
  await page.locator(`[data-testid="board-tool"][data-tool="${name}"]`).click();
}

/** Waits until `page` has applied every operation the host has, then checks the states are identical. */
export async function expectSameBoard(host: Page, page: Page): Promise<BoardSnapshot> {
  // The host may still have an operation in flight: wait until both ends agree on the head.
  await expect
    .poll(async () => (await board(page)).headSeq === (await board(host)).headSeq, { message: 'caught up' })
    .toBe(true);
  const [a, b] = [await board(host), await board(page)];
  expect(b).toEqual(a);
  return a;
}

/** The host console shows either the classrooms (floor) or the board in its main column. */
export async function show(host: Page, view: 'floor' | 'board'): Promise<void> {
  await host.locator(`[data-testid="floor-view"][data-view="${view}"]`).click();
}
