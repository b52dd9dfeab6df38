/**
 * The host teacher's real console in Chromium (/host/<lessonId>), logged in with the teacher's session
 * cookie, broadcasting the fake camera and microphone as a teacher would by clicking "start".
 */
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { outboundSample, trackPeerConnections } from './pageRtcStats.ts';
import type { OutboundSample } from './pageRtcStats.ts';

export interface HostPage {
  page: Page;
  outbound(): Promise<OutboundSample>;
  /** Console errors and warnings and uncaught exceptions of the page, in order (at most 20 kept). */
  problems: { count: number; first: string[] };
}

export async function broadcastFromHostPage(
  browser: Browser,
  baseUrl: string,
  lessonId: string,
  teacherCookie: string,
  options: {
    /** 1 opens the console with `?layers=1` (the camera as one encoding); default the product's 3. */
    layers?: 1 | 3;
    /** Anything more to install in the page's context before it loads (init scripts, a link profile). */
    prepare?: (context: BrowserContext) => Promise<void>;
  } = {},
): Promise<HostPage> {
  const { layers = 3, prepare } = options;
  const context = await browser.newContext({ baseURL: baseUrl, permissions: ['camera', 'microphone'] });
  const [name, ...value] = teacherCookie.split('=');
  await context.addCookies([{ name: name!, value: value.join('='), url: baseUrl }]);
  await context.addInitScript(trackPeerConnections);
  await prepare?.(context);
  const page = await context.newPage();
  const problems = { count: 0, first: [] as string[] };
  const note = (text: string): void => {
    problems.count++;
    if (problems.first.length < 20) problems.first.push(`${new Date().toISOString()} ${text}`.slice(0, 300));
  };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') note(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => note(`exception: ${e.message}`));
  await page.goto(`/host/${lessonId}${layers === 1 ? '?layers=1' : ''}`);
  // The lesson was started over HTTP; the button is enabled once camera and microphone are open.
  await page.getByTestId('start-broadcast').click({ timeout: 60_000 });
  await page.locator('[data-testid="live-indicator"][data-live="true"]').waitFor({ timeout: 60_000 });
  return { page, outbound: () => outboundSample(page), problems };
}
