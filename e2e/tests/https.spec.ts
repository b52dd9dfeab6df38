/**
 * Browsers give a page the camera only in a secure context, and `localhost` and 127.0.0.1 count as one even
 * over plain HTTP: so the classroom here is opened by a name that is not special, `school.test`, which this
 * spec's own Chromium resolves to 127.0.0.1 (`--host-resolver-rules`), as a school's DNS would resolve the
 * server's name on its LAN.
 *
 * - Over HTTPS, from a server of the spec's own with TLS_CERT and TLS_KEY made by `infra/local-ca.sh` (the
 *   config's main server is plain HTTP): Chromium trusts that throwaway CA as a Linux classroom PC would (in
 *   the NSS database of its HOME, `certutil -A -t C,,`), so it checks the certificate as it would any (name,
 *   dates, usage); the page is a secure context, gets its camera and publishes it: the host's console decodes
 *   the classroom's picture in its grid. Without the CA Chromium refuses the same server
 *   (ERR_CERT_AUTHORITY_INVALID): the CA is what makes it work.
 * - Over plain HTTP, `http://school.test:<port>` of the main server: not a secure context; the page still
 *   follows the lesson, and says that its camera and microphone cannot be used.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, expect } from '@playwright/test';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import {
  admin,
  liveLessonOverHttp,
  login,
  homeTrustingCa,
  makeTestCa,
  ROOT,
  serverEnv,
  startServer,
  trustCa,
} from '@cloudschool/testkit';
import type { TestCa } from '@cloudschool/testkit';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '@cloudschool/testkit/chromium';
import { E2E_PORT } from '../ports.ts';
import { apiLogin, classroomStatus as status, scheduleLessonNow, TEACHER, test } from './fixtures.ts';

const NAME = 'school.test';

let ca: TestCa | undefined;
let untrust: (() => void) | undefined;
let server: { url: string; child: ChildProcess } | undefined;
let dataDir: string | undefined;
/** Debian's Chromium as every spec has it, plus the school's name and, in its HOME, the district's CA. */
let school: Browser | undefined;
/** Its user agent as a classroom's Chrome says it: `Chrome/<n>`, not headless's `HeadlessChrome/<n>`. */
let userAgent: string | undefined;

test.beforeAll(async () => {
  ca = await makeTestCa([NAME, '127.0.0.1']);
  // This process sets the lesson up over HTTPS too (fetch), trusting the same CA.
  untrust = trustCa(ca.caPem);
  dataDir = await mkdtemp(path.join(tmpdir(), 'cs-e2e-https-'));
  const env = await serverEnv({
    TLS_CERT: ca.certFile,
    TLS_KEY: ca.keyFile,
    DATA_DIR: dataDir,
    // The UI `npm run test:e2e` builds first.
    WEB_HANDLER: path.join(ROOT, 'web/build/handler.js'),
  });
  await admin(env);
  server = await startServer(env);
  school = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${NAME} 127.0.0.1`],
    env: { ...process.env, HOME: await homeTrustingCa(ca) },
  });
  // mediasoup-client finds Chromium by its user-agent brands, which only a secure context has, else by the
  // user agent string, where it looks for `Chrome/`: a real PC's Chrome, not headless, passes over plain HTTP.
  const probe = await school.newPage();
  userAgent = (await probe.evaluate(() => navigator.userAgent)).replace('HeadlessChrome/', 'Chrome/');
  await probe.close();
});

test.afterAll(async () => {
  await school?.close();
  const child = server?.child;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  untrust?.();
  await ca?.remove();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

/** A fresh context of the school's Chromium (its own cookies and HSTS), camera and microphone allowed. */
async function schoolContext(): Promise<BrowserContext> {
  return school!.newContext({ permissions: ['camera', 'microphone'], userAgent: userAgent! });
}

const isSecure = (page: Page): Promise<boolean> => page.evaluate(() => window.isSecureContext);

test('over plain HTTP by a LAN name the classroom is no secure context and says its camera cannot be used', async ({
  request,
}) => {
  // The main server (plain HTTP), reached by the school's name rather than 127.0.0.1.
  const lesson = await scheduleLessonNow(request, 1);
  await apiLogin(request, TEACHER);
  const started = await request.post(`/api/lessons/${lesson.lessonId}/start`);
  expect(started.status(), await started.text()).toBe(200);
  const link = new URL(lesson.joinUrls[0]!);
  const context = await schoolContext();
  try {
    const page = await context.newPage();
    await page.goto(`http://${NAME}:${E2E_PORT}${link.pathname}${link.search}`);
    expect(new URL(page.url()).protocol).toBe('http:');
    expect(await isSecure(page)).toBe(false);
    // No camera API at all outside a secure context.
    expect(await page.evaluate(() => typeof navigator.mediaDevices)).toBe('undefined');
    // The lesson itself goes on (it is live, the host has not broadcast yet), and the page says why it sends nothing.
    await expect(status(page)).toHaveAttribute('data-status', 'waiting');
    await expect(page.getByTestId('media-notice')).toBeVisible();
    await expect(page.getByTestId('media-notice')).toHaveText('本教室摄像头/麦克风不可用');
  } finally {
    await context.close();
  }
});

test('over HTTPS by a LAN name the classroom is a secure context, gets its camera and the host sees it', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const port = new URL(server!.url).port;
  const origin = `https://${NAME}:${port}`;

  // Chromium without the district's CA refuses the server: the trust is what makes HTTPS work.
  const untrusting = await browser.newContext();
  const refused = await untrusting
    .newPage()
    .then((page) => page.goto(`${server!.url}/login`).then(() => null, String));
  expect(refused).toContain('ERR_CERT_AUTHORITY_INVALID');
  await untrusting.close();

  const lesson = await liveLessonOverHttp(server!.url, await login(server!.url), 1);
  const classroomContext = await schoolContext();
  const hostContext = await schoolContext();
  try {
    const classroom = await classroomContext.newPage();
    await classroom.goto(`${origin}/classroom/${lesson.lessonId}?t=${encodeURIComponent(lesson.tokens[0]!)}`);
    expect(await isSecure(classroom)).toBe(true);
    await expect(status(classroom)).toHaveAttribute('data-status', 'waiting');

    // The host console, logged in (a Secure cookie: this is HTTPS).
    const [name, value] = lesson.teacherCookie.split(/=(.*)/s) as [string, string];
    await hostContext.addCookies([{ name, value, url: origin, secure: true }]);
    const host = await hostContext.newPage();
    await host.goto(`${origin}/host/${lesson.lessonId}`);
    expect(await isSecure(host)).toBe(true);
    const tile = host.getByTestId('tile');
    await expect(tile).toHaveCount(1);
    await expect(tile).toHaveAttribute('data-connected', 'true');
    const classroomId = (await tile.getAttribute('data-classroom-id'))!;

    // The classroom's camera reaches the host: its tile's frames are decoded, and keep coming.
    const framesDecoded = (): Promise<number> =>
      host.evaluate(async (id) => {
        // Declared in web/src/app.d.ts; this project's tsconfig does not see web's globals.
        type Hooks = {
          __cloudschool?: { inboundStats(): Promise<{ grid: Record<string, { framesDecoded: number }> }> };
        };
        const stats = await (window as Hooks).__cloudschool?.inboundStats();
        return stats?.grid[id]?.framesDecoded ?? 0;
      }, classroomId);
    await expect
      .poll(framesDecoded, { message: "the classroom's camera decoded on the host's grid", intervals: [500] })
      .toBeGreaterThan(10);
    const first = await framesDecoded();
    await expect
      .poll(framesDecoded, { message: 'and it keeps coming', intervals: [500] })
      .toBeGreaterThan(first);
    await expect(classroom.getByTestId('media-notice')).toHaveCount(0);
    await classroom.screenshot({ path: test.info().outputPath('classroom-https.png') });
  } finally {
    await classroomContext.close();
    await hostContext.close();
  }
});
