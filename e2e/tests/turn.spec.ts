/**
 * Classrooms behind a school firewall get the lesson through TURN. A coturn of the test's own (testkit's
 * startTurn: the districts' infra/turn.sh and infra/turnserver.conf, on loopback) and a CloudSchool server of
 * the test's own that hands pages credentials for it (TURN_URLS over UDP and TCP, TURN_SECRET): the config's
 * main server has no TURN, and should not (every other spec would then depend on coturn). Two classrooms
 * open their link with `?relay=1` (relay candidates only, as where nothing but the TURN server is
 * reachable); one keeps only the UDP URL, the other only the TCP one (as where a firewall lets no UDP out),
 * so both ways to coturn are proven, whichever Chromium would prefer. Each decodes the host's video and
 * hears the host, every one of its peer connections runs over a relay address that coturn's log shows it
 * allocated, and the allocations carry the server's credentials.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import {
  admin,
  liveLessonOverHttp,
  login,
  ROOT,
  serverEnv,
  startServer,
  startTurn,
} from '@cloudschool/testkit';
import type { LiveLesson, TestTurn } from '@cloudschool/testkit';
import { addProbe, iceRoutes } from '@cloudschool/testkit/netlab';
import type { IceRoute } from '@cloudschool/testkit/netlab';
import { classroomStatus as status, test } from './fixtures.ts';
import { expectReceiving } from './media.ts';

const SECRET = randomBytes(24).toString('hex');
/** The server's default TURN_TTL_SECONDS: credentials work for 6 hours. */
const TTL_SECONDS = 6 * 3600;

let turn: TestTurn | undefined;
let server: { url: string; child: ChildProcess } | undefined;
let dataDir: string | undefined;

test.beforeAll(async () => {
  turn = await startTurn({ secret: SECRET });
  dataDir = await mkdtemp(path.join(tmpdir(), 'cs-e2e-turn-'));
  const env = await serverEnv({
    TURN_URLS: `${turn.urls.udp},${turn.urls.tcp}`,
    TURN_SECRET: SECRET,
    DATA_DIR: dataDir,
    // The UI `npm run test:e2e` builds first.
    WEB_HANDLER: path.join(ROOT, 'web/build/handler.js'),
  });
  await admin(env);
  server = await startServer(env);
});

test.afterAll(async () => {
  const child = server?.child;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await turn?.stop();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
});

type TurnTransport = 'udp' | 'tcp';

/**
 * Runs in the page before its scripts: its peer connections keep only the TURN URLs over `transport` (TCP
 * alone: as behind a firewall that lets no UDP out). Wraps the probe's RTCPeerConnection, which still sees
 * every connection.
 */
function keepTurnOver(transport: TurnTransport): void {
  const w = window as unknown as { RTCPeerConnection: typeof RTCPeerConnection };
  w.RTCPeerConnection = new Proxy(w.RTCPeerConnection, {
    construct(target, args: unknown[], newTarget) {
      const config = (args[0] ?? {}) as RTCConfiguration;
      const iceServers = (config.iceServers ?? [])
        .map((s) => ({ ...s, urls: [s.urls].flat().filter((u) => u.endsWith(`?transport=${transport}`)) }))
        .filter((s) => s.urls.length > 0);
      return Reflect.construct(target, [{ ...config, iceServers }, ...args.slice(1)], newTarget) as object;
    },
  });
}

async function openClassroom(
  browser: Browser,
  url: string,
  lesson: LiveLesson,
  token: string,
  transport: TurnTransport,
): Promise<Page> {
  const context = await browser.newContext();
  await addProbe(context);
  await context.addInitScript(keepTurnOver, transport);
  const page = await context.newPage();
  await page.goto(`${url}/classroom/${lesson.lessonId}?t=${encodeURIComponent(token)}&relay=1`);
  return page;
}

/** The page's connected peer connections (its receive and send transports), once it has them. */
async function connectedRoutes(page: Page): Promise<IceRoute[]> {
  let routes: IceRoute[] = [];
  await expect
    .poll(
      async () => {
        routes = (await iceRoutes(page)).filter((r) => r.connectionState === 'connected' && r.local !== null);
        return routes.length;
      },
      { message: 'connected peer connections with a selected candidate pair', intervals: [500] },
    )
    .toBeGreaterThan(0);
  return routes;
}

test('classrooms that reach only the TURN server, over UDP or over TCP, get the lesson through coturn', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const url = server!.url;
  const lesson = await liveLessonOverHttp(url, await login(url), 2);

  const transports: TurnTransport[] = ['udp', 'tcp'];
  const classrooms = await Promise.all(
    transports.map((transport, i) => openClassroom(browser, url, lesson, lesson.tokens[i]!, transport)),
  );

  // The teacher broadcasts from the host console, over the ordinary path (no ?relay=1).
  const hostContext = await browser.newContext();
  const [name, value] = lesson.teacherCookie.split(/=(.*)/s) as [string, string];
  await hostContext.addCookies([{ name, value, url }]);
  const host = await hostContext.newPage();
  await host.goto(`${url}/host/${lesson.lessonId}`);
  await host.getByTestId('start-broadcast').click();
  await expect(host.getByTestId('live-indicator')).toHaveAttribute('data-live', 'true');

  const report: string[] = [];
  for (const [i, page] of classrooms.entries()) {
    const transport = transports[i]!;
    await expect(status(page)).toHaveAttribute('data-status', 'live');
    const enableSound = page.getByTestId('enable-sound');
    if (await enableSound.isVisible()) await enableSound.click();
    await expectReceiving(page);

    // Every connected transport of the page (receiving the host, sending its own camera) runs over a relay
    // candidate of this coturn, to the media server.
    const routes = await connectedRoutes(page);
    for (const route of routes) {
      expect(route.local?.candidateType, JSON.stringify(route)).toBe('relay');
      expect(route.local?.url, JSON.stringify(route)).toBe(turn!.urls[transport]);
      expect(route.local?.relayProtocol, JSON.stringify(route)).toBe(transport);
      expect(route.remote?.address).toBe('127.0.0.1');
      // That relay address is one this coturn allocated.
      expect(turn!.log()).toContain(`Local relay addr: ${route.local?.address}:${route.local?.port}\n`);
    }
    report.push(
      `classroom (${transport} to coturn only): ` +
        routes
          .map(
            (r) =>
              `relay ${r.local?.address}:${r.local?.port} over ${r.local?.relayProtocol} (${r.local?.url}) → ` +
              `media port ${r.remote?.port}`,
          )
          .join('; '),
    );
  }

  // The allocations carry the server's credentials: "<expiry>:<peer id>", valid for TURN_TTL_SECONDS.
  const allocations = turn!.allocations();
  expect(allocations.length).toBeGreaterThanOrEqual(2);
  const now = Date.now() / 1000;
  for (const username of allocations) {
    const [expiry, peer] = username.split(/:(.*)/s);
    expect(peer, username).toBeTruthy();
    expect(Number(expiry), username).toBeGreaterThan(now + TTL_SECONDS - 600);
    expect(Number(expiry), username).toBeLessThanOrEqual(now + TTL_SECONDS + 1);
  }
  process.stdout.write(
    `${report.join('\n')}\n` +
      `coturn: ${allocations.length} allocations (${[...new Set(allocations.map((u) => u.split(':')[1]))].length} pages)\n`,
  );
});
