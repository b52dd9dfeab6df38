import { expect, test as base } from '@playwright/test';
import type { APIRequestContext, Browser, BrowserContext, Page } from '@playwright/test';
import { MAX_LESSON_MS } from '@cloudschool/protocol';

/**
 * Playwright's test, closing every browser context a test opened by hand when it ends: the browser outlives
 * the test, and a classroom page left open keeps encoding its camera through the specs after it.
 */
export const test = base.extend<{ closeContexts: void }>({
  closeContexts: [
    async ({ browser }, use) => {
      await use();
      await Promise.all(browser.contexts().map((context) => context.close()));
    },
    { auto: true },
  ],
});

/** Created by the web server command in playwright.config.ts before the server starts. */
export const COORDINATOR = { username: 'e2e-coord', password: 'coord-pass-123' };
export const TEACHER = { username: 'e2e-teacher', password: 'teacher-pass-123' };

export async function apiLogin(
  request: APIRequestContext,
  who: { username: string; password: string },
): Promise<void> {
  const res = await request.post('/api/auth/login', { data: who });
  expect(res.status(), await res.text()).toBe(200);
}

/** A browser context logged in through the login page, as a person would. */
export async function loggedIn(
  browser: Browser,
  who: { username: string; password: string },
): Promise<BrowserContext> {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Wait for the page's script: a click before hydration would submit the bare HTML form instead.
  await page.goto('/login', { waitUntil: 'networkidle' });
  await page.getByTestId('login-username').fill(who.username);
  await page.getByTestId('login-password').fill(who.password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/(coordinator|teacher)/);
  await page.close();
  return context;
}

let roomSeq = 0;

export interface ScheduledLesson {
  lessonId: string;
  /** In the same order: each invited classroom's id, join link and code. */
  classroomIds: string[];
  joinUrls: string[];
  codes: string[];
}

const DAY_MS = 86_400_000;
const BEIJING_MS = 8 * 3600_000;

/**
 * An hour from now, but not past midnight in Beijing: the lesson form (one date, times in the school's zone)
 * refuses a lesson that ends the next day, and recording.spec edits its lesson there. In a day's last ten
 * minutes the hour is kept (the lesson needs that long).
 */
function lessonEnd(now: number): number {
  const midnight = Math.ceil((now + BEIJING_MS) / DAY_MS) * DAY_MS - BEIJING_MS;
  const end = Math.min(now + 3600_000, midnight - 60_000);
  return end >= now + 600_000 ? end : now + 3600_000;
}

/**
 * An evening lesson running past midnight in Beijing, open now whatever the time of day: the 12 hours from a
 * minute before the last midnight while they have 13 minutes or more left, else the 12 hours up to a minute
 * after the next midnight (an hour from now at least). It started, or starts within the 15 minutes in which a
 * host may start early.
 */
export function acrossMidnight(now: number): { startsAt: number; endsAt: number } {
  const last = Math.floor((now + BEIJING_MS) / DAY_MS) * DAY_MS - BEIJING_MS;
  if (last - 60_000 + MAX_LESSON_MS >= now + 13 * 60_000) {
    return { startsAt: last - 60_000, endsAt: last - 60_000 + MAX_LESSON_MS };
  }
  const endsAt = Math.max(last + DAY_MS + 60_000, now + 3600_000);
  return { startsAt: endsAt - MAX_LESSON_MS, endsAt };
}

/**
 * Through the API as a coordinator: a fresh school with a host classroom and `count` remote classrooms, and a
 * lesson for them that is open now (it starts in a minute unless told; `overMidnight`: acrossMidnight's).
 */
export async function scheduleLessonNow(
  request: APIRequestContext,
  count: number,
  { startsInMs = 60_000, overMidnight = false }: { startsInMs?: number; overMidnight?: boolean } = {},
): Promise<ScheduledLesson> {
  await apiLogin(request, COORDINATOR);
  const tag = `${Date.now()}-${roomSeq++}`;
  const rows = [
    'school,province,city,district,classroom,kind,notes',
    `主讲学校${tag},四川,成都,武侯,主讲室,host,`,
  ];
  for (let i = 1; i <= count; i++) rows.push(`听课学校${tag},四川,凉山,昭觉,${i}班,remote,`);
  const imported = await request.post('/api/roster/import', {
    headers: { 'content-type': 'text/csv' },
    data: rows.join('\n'),
  });
  expect(imported.status(), await imported.text()).toBe(200);
  const { classrooms } = (await (await request.get('/api/classrooms')).json()) as {
    classrooms: { id: string; name: string; kind: string; schoolId: string; code: string }[];
  };
  const { schools } = (await (await request.get('/api/schools')).json()) as {
    schools: { id: string; name: string }[];
  };
  const hostSchool = schools.find((s) => s.name === `主讲学校${tag}`)!;
  const remoteSchool = schools.find((s) => s.name === `听课学校${tag}`)!;
  const host = classrooms.find((c) => c.schoolId === hostSchool.id)!;
  const { accounts } = (await (await request.get('/api/accounts')).json()) as {
    accounts: { id: string; username: string }[];
  };
  const teacher = accounts.find((a) => a.username === TEACHER.username)!;
  const now = Date.now();
  const times = overMidnight ? acrossMidnight(now) : { startsAt: now + startsInMs, endsAt: lessonEnd(now) };
  const created = await request.post('/api/lessons', {
    data: {
      title: `直播课 ${tag}`,
      subject: '数学',
      grade: '六年级',
      hostClassroomId: host.id,
      hostTeacherId: teacher.id,
      startsAt: new Date(times.startsAt).toISOString(),
      endsAt: new Date(times.endsAt).toISOString(),
      invite: { schoolIds: [remoteSchool.id] },
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const lessonId = ((await created.json()) as { lessons: { id: string }[] }).lessons[0]!.id;
  const { links } = (await (await request.get(`/api/lessons/${lessonId}/links`)).json()) as {
    links: { classroomId: string; url: string; code: string }[];
  };
  return {
    lessonId,
    classroomIds: links.map((l) => l.classroomId),
    joinUrls: links.map((l) => l.url),
    codes: links.map((l) => l.code),
  };
}

export const classroomStatus = (page: Page) => page.getByTestId('classroom-status');
