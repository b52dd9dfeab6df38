/**
 * The pages of `npm run bench:networks`, in Debian's Chromium: the host teacher's console broadcasting the
 * network lab's barcode camera (3 simulcast layers, or one encoding with `?layers=1`: adaptation off), and
 * classroom pages each on its own shaped link (the profile applied before the page loads, as the lab needs).
 *
 * A classroom's own camera is a small still-ish canvas (320 × 180, 10 fps): every classroom page sends its
 * camera, and five pages encoding a 720p fake camera in three layers would take the CPU the host's encoder
 * and the decoders need on a 2-core machine. What a classroom sends is not what this benchmark measures.
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { addBarcodeCamera, addProbe, applyProfile } from '@cloudschool/testkit/netlab';
import type { BarcodeCameraOptions, LinkProfile } from '@cloudschool/testkit/netlab';

export const CLASSROOM_CAMERA: Partial<BarcodeCameraOptions> = {
  width: 320,
  height: 180,
  fps: 10,
  tilesPerSecond: 10,
  movingBlocks: 1,
};

/** The console's console errors and warnings, and uncaught exceptions (the first few). */
export interface PageProblems {
  count: number;
  first: string[];
}

function watchProblems(page: Page): PageProblems {
  const problems: PageProblems = { count: 0, first: [] };
  const note = (text: string): void => {
    problems.count++;
    if (problems.first.length < 10) problems.first.push(`${new Date().toISOString()} ${text}`.slice(0, 300));
  };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') note(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => note(`exception: ${e.message}`));
  return problems;
}

export interface HostConsole {
  page: Page;
  context: BrowserContext;
  layers: 1 | 3;
  problems: PageProblems;
}

/** The host's console, logged in by cookie, broadcasting the barcode camera; resolves once it is live. */
export async function openHost(
  browser: Browser,
  o: {
    url: string;
    lessonId: string;
    teacherCookie: string;
    layers: 1 | 3;
    camera?: Partial<BarcodeCameraOptions>;
    prepare?: (context: BrowserContext) => Promise<void>;
  },
): Promise<HostConsole> {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const [name, ...value] = o.teacherCookie.split('=');
  await context.addCookies([{ name: name!, value: value.join('='), url: o.url }]);
  await addBarcodeCamera(context, o.camera);
  await addProbe(context);
  await o.prepare?.(context);
  const page = await context.newPage();
  const problems = watchProblems(page);
  await page.goto(`${o.url}/host/${o.lessonId}${o.layers === 1 ? '?layers=1' : ''}`);
  // The lesson was started over HTTP; the button is enabled once camera and microphone are open.
  await page.getByTestId('start-broadcast').click({ timeout: 60_000 });
  await page.locator('[data-testid="live-indicator"][data-live="true"]').waitFor({ timeout: 60_000 });
  return { page, context, layers: o.layers, problems };
}

export interface ClassroomPage {
  page: Page;
  context: BrowserContext;
  problems: PageProblems;
}

/**
 * A classroom page on a shaped link: probe and small camera installed, the profile's link applied before the
 * page loads (a profile's scheduled outage is left to the caller: pass the link without it).
 */
export async function openClassroom(
  browser: Browser,
  joinUrl: string,
  profile: LinkProfile,
  prepare?: (context: BrowserContext) => Promise<void>,
): Promise<ClassroomPage> {
  // A small window: with no GPU here, Chromium composites every frame in software, a cost of this machine's
  // that a classroom PC's GPU carries (what the page asks of the server does not depend on its size).
  const context = await browser.newContext({
    permissions: ['camera', 'microphone'],
    viewport: { width: 640, height: 360 },
  });
  await addBarcodeCamera(context, CLASSROOM_CAMERA);
  await addProbe(context);
  await prepare?.(context);
  const page = await context.newPage();
  const problems = watchProblems(page);
  await applyProfile(page, profile);
  await page.goto(joinUrl);
  return { page, context, problems };
}
