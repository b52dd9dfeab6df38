/**
 * Issue acceptance, a lesson across nodes: three CloudSchool nodes on loopback sharing one Redis (started by
 * infra/cluster.ts from playwright.config.ts). The host teaches on node 1; real Chromium classrooms join on
 * nodes 2 and 3 and receive the host's video and audio (getStats); a question, the whiteboard and an
 * on-stage classroom's media cross nodes; node 1 sends one copy of each host track per edge node.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, request as playwrightRequest } from '@playwright/test';
import type { APIRequestContext, Browser, BrowserContext, Page } from '@playwright/test';
import { CLUSTER_NODE_URLS, CLUSTER_REDIS_URL } from '../cluster.ts';
import { board, drag, expectSameBoard, show, tool } from './board.ts';
import { classroomStatus, COORDINATOR, scheduleLessonNow, TEACHER, test } from './fixtures.ts';
import { expectReceiving, expectReceivingStage } from './media.ts';

const [NODE1, NODE2, NODE3] = CLUSTER_NODE_URLS as [string, string, string];
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Link {
  node: string;
  direction: 'in' | 'out';
  tracks: number;
  bytesSent: number;
}

/** The cluster has a store of its own (its Redis): the same accounts as the single-node server. */
test.beforeAll(() => {
  for (const [command, who, name] of [
    ['create-coordinator', COORDINATOR, 'E2E协调员'],
    ['create-teacher', TEACHER, 'E2E王老师'],
  ] as const) {
    execFileSync(
      process.execPath,
      [
        'signaling/src/cli.ts',
        command,
        '--username',
        who.username,
        '--password',
        who.password,
        '--name',
        name,
      ],
      { cwd: ROOT, env: { ...process.env, REDIS_URL: CLUSTER_REDIS_URL }, stdio: 'pipe' },
    );
  }
});

/** A browser context on one node, logged in through its login page. */
async function loggedInAt(browser: Browser, baseURL: string, who: typeof TEACHER): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto('/login', { waitUntil: 'networkidle' });
  await page.getByTestId('login-username').fill(who.username);
  await page.getByTestId('login-password').fill(who.password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/teacher/);
  await page.close();
  return context;
}

/** A classroom's join link, opened on the given node instead of the one that made the link. */
async function classroomAt(browser: Browser, node: string, joinUrl: string): Promise<Page> {
  const url = new URL(joinUrl);
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${node}${url.pathname}${url.search}${url.hash}`);
  return page;
}

async function links(api: APIRequestContext, lessonId: string): Promise<Link[]> {
  const res = await api.get(`/api/lessons/${lessonId}/media`);
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { links: Link[] }).links;
}

test('host on node 1, classrooms on nodes 2 and 3: media, questions, board and stage cross nodes', async ({
  browser,
}) => {
  const api = await playwrightRequest.newContext({ baseURL: NODE1 });
  const lesson = await scheduleLessonNow(api, 3);
  const ids = lesson.classroomIds as [string, string, string];

  const host = await (await loggedInAt(browser, NODE1, TEACHER)).newPage();
  await host.goto(`/host/${lesson.lessonId}`);
  await host.getByTestId('start-lesson').click();
  await host.getByTestId('start-broadcast').click();
  await expect(host.getByTestId('live-indicator')).toHaveAttribute('data-live', 'true');

  // Two classrooms on node 2, one on node 3.
  const rooms = [
    await classroomAt(browser, NODE2, lesson.joinUrls[0]!),
    await classroomAt(browser, NODE3, lesson.joinUrls[1]!),
    await classroomAt(browser, NODE2, lesson.joinUrls[2]!),
  ];
  for (const room of rooms) await expect(classroomStatus(room)).toHaveAttribute('data-status', 'live');
  await expect(host.getByTestId('classroom-count')).toHaveText('3');
  for (const room of rooms) await expectReceiving(room);

  // One copy per host track per edge node: node 2 (two classrooms) gets as many tracks as node 3 (one
  // classroom), and over the same few seconds about as many bytes — compared within this run, not against a rate.
  const out = async (): Promise<Record<string, Link>> =>
    Object.fromEntries(
      (await links(api, lesson.lessonId)).filter((l) => l.direction === 'out').map((l) => [l.node, l]),
    );
  await expect.poll(async () => (await out())['node-2']?.tracks).toBe(2);
  const before = await out();
  expect(before['node-3']?.tracks).toBe(2);
  let after = before;
  const sentSince = (node: string): number => after[node]!.bytesSent - before[node]!.bytesSent;
  await expect
    .poll(
      async () => {
        after = await out();
        return sentSince('node-3');
      },
      { message: 'a few hundred kB of the host to node 3' },
    )
    .toBeGreaterThan(200_000);
  expect(sentSince('node-2') / sentSince('node-3')).toBeLessThan(1.5);

  // A question asked on node 3 reaches the host (node 1) and the classrooms on node 2.
  await rooms[1]!.getByTestId('question-input').fill('这个公式在别的题里也能用吗？');
  await rooms[1]!.getByTestId('question-submit').click();
  await expect(host.getByTestId('host-question')).toHaveCount(1);
  await expect(rooms[0]!.getByTestId('question-item')).toHaveCount(1);

  // The whiteboard: strokes drawn on node 1 arrive identical on nodes 2 and 3.
  await show(host, 'board');
  await tool(host, 'pen');
  await drag(host, [0.1, 0.2], [0.4, 0.3]);
  await tool(host, 'rect');
  await drag(host, [0.5, 0.2], [0.8, 0.5]);
  await expect.poll(async () => (await board(host)).headSeq).toBeGreaterThanOrEqual(2);
  await expectSameBoard(host, rooms[0]!);
  await expectSameBoard(host, rooms[1]!);

  // On stage: classroom 1 (node 2) is seen and heard on node 1 (host) and node 3 (classroom 2).
  await rooms[0]!.getByTestId('raise-hand').click();
  await show(host, 'floor');
  await host
    .locator(`[data-testid="hand-item"][data-classroom-id="${ids[0]}"] [data-testid="hand-invite"]`)
    .click();
  await expect(rooms[0]!.getByTestId('on-stage-banner')).toBeVisible();
  await expectReceivingStage(host, ids[0]);
  await expectReceivingStage(rooms[1]!, ids[0]);
  await expectReceivingStage(rooms[2]!, ids[0]);

  await api.dispose();
});
