/**
 * Nothing is lost: the real server process, killed with SIGKILL and started
 * again, still has its roster, lessons and login sessions — with the embedded
 * store, and with Redis (Redis killed and restarted too).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { login, scheduleLessonOverHttp } from '@cloudschool/testkit';
import { DURABLE_STORES, startDurableServer, teardown } from './support/durable.ts';

afterEach(teardown);

/** Writes a roster, a teacher and a weekly series; returns what a restart must give back. */
async function writeState(url: string, cookie: string): Promise<{ classrooms: unknown; lessons: unknown }> {
  const start = Date.now() + 86_400_000;
  await scheduleLessonOverHttp(url, cookie, 2, {
    startsAt: start,
    endsAt: start + 45 * 60_000,
    repeatWeeklyUntil: new Date(start + 15 * 86_400_000).toISOString().slice(0, 10),
  });
  return readState(url, cookie);
}

async function readState(url: string, cookie: string): Promise<{ classrooms: unknown; lessons: unknown }> {
  const from = new Date().toISOString();
  const to = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const classrooms = await (await fetch(`${url}/api/classrooms`, { headers: { cookie } })).json();
  const lessons = await (
    await fetch(`${url}/api/lessons?from=${from}&to=${to}`, { headers: { cookie } })
  ).json();
  return { classrooms, lessons };
}

describe('state survives kill -9 of the server', () => {
  it.each(DURABLE_STORES)('$name', async ({ store }) => {
    const server = await startDurableServer(store);
    const cookie = await login(server.url);
    const before = await writeState(server.url, cookie);
    expect((before.lessons as { lessons: unknown[] }).lessons).toHaveLength(3);

    await server.crash();
    // The same session cookie still works: sessions are durable too.
    expect(await readState(server.url, cookie)).toEqual(before);
  });
});
