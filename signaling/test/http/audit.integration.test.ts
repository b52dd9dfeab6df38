/** The audit log over HTTP: what gets written, who may read it, paging, and the CSV export. */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntryView, AuditPage } from '@cloudschool/protocol';
import { COORDINATOR, seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { call, loginFrom } from './authClient.ts';

let server: TestServer;
let seeded: SeededLesson;
let from: string;
const to = () => new Date(Date.now() + 60_000).toISOString();

beforeAll(async () => {
  from = new Date(Date.now() - 60_000).toISOString();
  server = await startTestServer(1);
  seeded = await seedLiveLesson(server, 1);
});
afterAll(async () => {
  await server.close();
});

const coordinator = (method: string, path: string, body?: unknown) =>
  call(server, method, path, { body, cookie: seeded.coordinatorCookie, from: '192.0.2.99' });

async function entries(query = ''): Promise<AuditEntryView[]> {
  const res = await coordinator('GET', `/api/audit?from=${from}&to=${to()}&limit=200${query}`);
  expect(res.status).toBe(200);
  return (res.body as unknown as AuditPage).entries;
}

describe('audit log', () => {
  it('records logins, failed logins with their source, accounts and the lesson’s start', async () => {
    await loginFrom(server, '203.0.113.50', COORDINATOR.username, 'wrong-password');
    await loginFrom(server, '203.0.113.51', 'ghost', 'wrong-password');
    const created = await coordinator('POST', '/api/accounts', {
      username: 'zhao',
      displayName: '赵老师',
      role: 'teacher',
      password: 'zhao-pass-123',
    });
    const id = (created.body.account as { id: string }).id;
    await coordinator('PUT', `/api/accounts/${id}`, { displayName: '赵老师', role: 'coordinator' });
    await coordinator('POST', `/api/accounts/${id}/disable`);
    await coordinator('POST', `/api/accounts/${id}/enable`);
    await coordinator('POST', `/api/accounts/${id}/password`, { password: 'zhao-pass-456' });
    await coordinator('POST', `/api/accounts/${id}/sessions/revoke`);

    const log = await entries();
    const kinds = log.map((e) => e.kind);
    for (const kind of [
      'login',
      'login_failed',
      'account_created',
      'role_changed',
      'account_disabled',
      'account_enabled',
      'password_reset',
      'sessions_revoked',
      'lesson_started',
    ] as const)
      expect(kinds).toContain(kind);
    expect(log.find((e) => e.kind === 'login_failed' && e.source === '203.0.113.50')).toMatchObject({
      actor: null,
      subject: { type: 'account', name: COORDINATOR.username },
    });
    expect(log.find((e) => e.source === '203.0.113.51')).toMatchObject({
      kind: 'login_failed',
      subject: null,
      details: { username: 'ghost' },
    });
    expect(log.find((e) => e.kind === 'role_changed')).toMatchObject({
      actor: { username: COORDINATOR.username },
      source: '192.0.2.99',
      subject: { type: 'account', id, name: 'zhao' },
      details: { from: 'teacher', to: 'coordinator' },
    });
    expect(log.find((e) => e.kind === 'lesson_started')).toMatchObject({
      actor: { id: seeded.teacherId },
      subject: { type: 'lesson', id: seeded.lessonId },
    });
    // Newest first.
    const times = log.map((e) => Date.parse(e.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('filters by kind and pages to the end', async () => {
    const failed = await entries('&kind=login_failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((e) => e.kind === 'login_failed')).toBe(true);
    const all = await entries();
    const paged: string[] = [];
    let cursor = '';
    for (let i = 0; i < 100; i++) {
      const res = await coordinator('GET', `/api/audit?from=${from}&to=${to()}&limit=3${cursor}`);
      const page = res.body as unknown as AuditPage;
      paged.push(...page.entries.map((e) => e.id));
      if (page.next === null) break;
      cursor = `&cursor=${page.next}`;
    }
    expect(paged).toEqual(all.map((e) => e.id));
  });

  it('refuses malformed queries', async () => {
    for (const query of [
      `from=${from}`,
      `from=${to()}&to=${from}`,
      `from=${from}&to=${to()}&kind=nope`,
      `from=${from}&to=${to()}&limit=1000`,
      `from=${from}&to=${to()}&cursor=abc`,
      `from=${from}&to=${to()}&cursor=99999999999999999999`,
    ]) {
      expect([query, (await coordinator('GET', `/api/audit?${query}`)).status]).toEqual([query, 400]);
    }
  });

  it('is read by coordinators only', async () => {
    const path = `/api/audit?from=${from}&to=${to()}`;
    expect((await call(server, 'GET', path)).status).toBe(401);
    expect((await call(server, 'GET', path, { cookie: seeded.teacherCookie })).status).toBe(403);
    expect(
      (await call(server, 'GET', `/api/audit.csv?from=${from}&to=${to()}`, { cookie: seeded.teacherCookie }))
        .status,
    ).toBe(403);
  });

  it('exports CSV with a BOM, formulas written as text', async () => {
    await coordinator('POST', '/api/accounts', {
      username: '-cmd.calc',
      displayName: '@SUM(A1)',
      role: 'teacher',
      password: 'formula-pass-1',
    });
    const res = await fetch(`${server.url}/api/audit.csv?from=${from}&to=${to()}&kind=account_created`, {
      headers: { cookie: seeded.coordinatorCookie },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(new TextDecoder().decode(bytes.slice(3))) as string[][];
    expect(rows[0]).toEqual([
      'time_utc',
      'time_local',
      'kind',
      'actor',
      'source',
      'subject_type',
      'subject',
      'details',
    ]);
    const subjects = rows.slice(1).map((row) => row[6]);
    expect(subjects).toContain("'-cmd.calc");
    expect(subjects).toContain('zhao');
    expect(rows.slice(1).every((row) => row[2] === 'account_created')).toBe(true);
    expect(rows.slice(1).every((row) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(row[1] ?? ''))).toBe(true);
  });
});
