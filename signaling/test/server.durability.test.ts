/**
 * Nothing is lost: the real server process, killed with SIGKILL and started
 * again, still has its roster, lessons and login sessions — with the embedded
 * store, and with Redis (Redis killed and restarted too).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { admin, kill9, login, serverEnv, startRedis, startServer } from '@cloudschool/testkit';
import type { TestRedis } from '@cloudschool/testkit';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Writes a roster, a teacher and a weekly series; returns what a restart must give back. */
async function writeState(url: string, cookie: string): Promise<{ classrooms: unknown; lessons: unknown }> {
  const headers = { cookie, 'content-type': 'application/json' };
  const csv = [
    '学校,省,市,区县,教室,类型',
    '一中,四川,成都,武侯,主讲教室,主讲',
    '二小,四川,凉山,昭觉,一班,听课',
    '二小,四川,凉山,昭觉,二班,听课',
  ];
  const imported = await fetch(`${url}/api/roster/import`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'text/csv' },
    body: csv.join('\n'),
  });
  expect(imported.status).toBe(200);
  const teacher = await fetch(`${url}/api/accounts`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      username: 'wang',
      displayName: '王老师',
      role: 'teacher',
      password: 'teacher-pass-1',
    }),
  });
  expect(teacher.status).toBe(201);
  const { account } = (await teacher.json()) as { account: { id: string } };
  const { classrooms } = (await (await fetch(`${url}/api/classrooms`, { headers })).json()) as {
    classrooms: { id: string; kind: string }[];
  };
  const start = Date.now() + 86_400_000;
  const created = await fetch(`${url}/api/lessons`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      title: '数学',
      subject: '数学',
      grade: '六年级',
      hostClassroomId: classrooms.find((c) => c.kind === 'host')!.id,
      hostTeacherId: account.id,
      startsAt: new Date(start).toISOString(),
      endsAt: new Date(start + 45 * 60_000).toISOString(),
      invite: { all: true },
      repeatWeeklyUntil: new Date(start + 15 * 86_400_000).toISOString().slice(0, 10),
    }),
  });
  expect(created.status).toBe(201);
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
  it('with the embedded store', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cs-durable-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = await serverEnv({ DATA_DIR: dataDir });
    await admin(env);
    let server = await startServer(env);
    cleanups.push(() => kill9(server.child));
    const cookie = await login(server.url);
    const before = await writeState(server.url, cookie);
    expect((before.lessons as { lessons: unknown[] }).lessons).toHaveLength(3);

    await kill9(server.child);
    server = await startServer(env);
    // The same session cookie still works: sessions are durable too.
    expect(await readState(server.url, cookie)).toEqual(before);
  });

  it('with Redis, Redis restarted too', async () => {
    const redis: TestRedis = await startRedis();
    cleanups.push(() => redis.stop());
    const env = await serverEnv({ REDIS_URL: redis.url });
    await admin(env);
    let server = await startServer(env);
    cleanups.push(() => kill9(server.child));
    const cookie = await login(server.url);
    const before = await writeState(server.url, cookie);

    await kill9(server.child);
    await new Promise((r) => setTimeout(r, 1200)); // appendfsync everysec
    await redis.restart({ kill9: true });
    server = await startServer(env);
    expect(await readState(server.url, cookie)).toEqual(before);
  });
});
