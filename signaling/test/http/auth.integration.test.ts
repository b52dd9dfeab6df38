/**
 * Logins over HTTP: limits per source and per account (addresses from X-Forwarded-For, which the test
 * server trusts from loopback), disabled accounts, changing and resetting passwords, ending sessions and
 * the connections they opened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, waitFor } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import { createAccount } from '../../src/http/authRoutes.ts';
import { COORDINATOR, seedRoster } from '../support/fixtures.ts';
import type { Seeded } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';
import { call, loginFrom } from './authClient.ts';

let server: TestServer;
let seeded: Seeded;
const sockets: ClientSocket[] = [];
let nextAccount = 0;

beforeAll(async () => {
  server = await startTestServer(1);
  seeded = await seedRoster(server, 1);
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server.close();
});

/** A fresh teacher for one test, so that no test's failures count against another's. */
async function teacher(password = 'right-password-1') {
  const username = `t${nextAccount++}`;
  const account = await createAccount(server.store, {
    username,
    displayName: username,
    role: 'teacher',
    password,
  });
  return { id: account.id, username, password };
}

async function socket(cookie: string): Promise<ClientSocket> {
  const s = await connectClient(server.url, cookie);
  sockets.push(s);
  return s;
}

const coordinator = (method: string, path: string, body?: unknown) =>
  call(server, method, path, { body, cookie: seeded.coordinatorCookie });

describe('failed logins', () => {
  it('5 bad logins from address A do not stop the right password from address B', async () => {
    const t = await teacher();
    for (let i = 0; i < 5; i++) {
      const bad = await loginFrom(server, '203.0.113.1', t.username, 'wrong-password');
      expect([bad.status, bad.body.error?.code]).toEqual([401, 'invalid_credentials']);
    }
    const fromA = await loginFrom(server, '203.0.113.1', t.username, t.password);
    expect([fromA.status, fromA.body.error?.code, fromA.retryAfter]).toEqual([429, 'rate_limited', '1']);
    const fromB = await loginFrom(server, '198.51.100.1', t.username, t.password);
    expect(fromB.status).toBe(200);
    expect(fromB.cookie).toBeDefined();
  });

  it('backs A off: the wait doubles with each failure after it', async () => {
    const t = await teacher();
    for (let i = 0; i < 5; i++) await loginFrom(server, '203.0.113.2', t.username, 'nope');
    expect((await loginFrom(server, '203.0.113.2', t.username, 'nope')).body.error?.retryAfter).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await loginFrom(server, '203.0.113.2', t.username, 'nope')).status).toBe(401);
    const next = await loginFrom(server, '203.0.113.2', t.username, t.password);
    expect([next.status, next.body.error?.retryAfter, next.retryAfter]).toEqual([429, 2, '2']);
  });

  it('answers an unknown username exactly like a wrong password', async () => {
    const t = await teacher();
    const unknown = await loginFrom(server, '203.0.113.3', 'no-such-user', 'whatever-1');
    const wrong = await loginFrom(server, '203.0.113.3', t.username, 'whatever-1');
    expect(unknown.status).toBe(wrong.status);
    expect(unknown.body).toEqual(wrong.body);
  });
});

describe('disabled accounts', () => {
  it('refuses the login, ends the sessions and closes their connections; enabled again, it logs in', async () => {
    const t = await teacher();
    const first = (await loginFrom(server, '192.0.2.10', t.username, t.password)).cookie!;
    const second = (await loginFrom(server, '192.0.2.11', t.username, t.password)).cookie!;
    const [a, b] = [await socket(first), await socket(second)];
    const disabled = await coordinator('POST', `/api/accounts/${t.id}/disable`);
    expect(disabled.body).toMatchObject({ account: { id: t.id, disabled: true } });
    await waitFor(() => a.disconnected && b.disconnected, 'both connections close');
    expect((await call(server, 'GET', '/api/auth/me', { cookie: first })).status).toBe(401);
    const refused = await loginFrom(server, '192.0.2.10', t.username, t.password);
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'account_disabled']);
    // A wrong password says nothing about the account being disabled.
    expect((await loginFrom(server, '192.0.2.10', t.username, 'wrong-password')).body.error?.code).toBe(
      'invalid_credentials',
    );
    expect((await coordinator('POST', `/api/accounts/${t.id}/enable`)).body).toMatchObject({
      account: { disabled: false },
    });
    expect((await loginFrom(server, '192.0.2.10', t.username, t.password)).status).toBe(200);
  });

  it('keeps the last enabled coordinator: neither disabled nor demoted', async () => {
    const me = (await server.store.getAccountByUsername(COORDINATOR.username))!;
    const lastOne = await coordinator('POST', `/api/accounts/${me.id}/disable`);
    expect([lastOne.status, lastOne.body.error?.code]).toEqual([409, 'last_coordinator']);
    const demoted = await coordinator('PUT', `/api/accounts/${me.id}`, { displayName: 'x', role: 'teacher' });
    expect(demoted.body.error?.code).toBe('last_coordinator');
    const t = await teacher();
    const promoted = await coordinator('PUT', `/api/accounts/${t.id}`, {
      displayName: '新教务',
      role: 'coordinator',
    });
    expect(promoted.body).toMatchObject({ account: { role: 'coordinator', displayName: '新教务' } });
    expect((await coordinator('POST', `/api/accounts/${t.id}/disable`)).status).toBe(200);
    expect((await coordinator('POST', `/api/accounts/${me.id}/disable`)).body.error?.code).toBe(
      'last_coordinator',
    );
    expect((await coordinator('POST', `/api/accounts/${t.id}/enable`)).status).toBe(200);
    expect(
      (await coordinator('PUT', `/api/accounts/${t.id}`, { displayName: 't', role: 'teacher' })).status,
    ).toBe(200);
  });
});

describe('passwords and sessions', () => {
  it('a password change needs the current one, keeps this session and ends the others', async () => {
    const t = await teacher();
    const here = (await loginFrom(server, '192.0.2.20', t.username, t.password)).cookie!;
    const there = (await loginFrom(server, '192.0.2.21', t.username, t.password)).cookie!;
    const [mine, theirs] = [await socket(here), await socket(there)];
    const change = (currentPassword: string) =>
      call(server, 'POST', '/api/auth/password', {
        cookie: here,
        body: { currentPassword, newPassword: 'brand-new-pass-2' },
      });
    expect((await change('not-it')).body.error?.code).toBe('invalid_credentials');
    expect((await change(t.password)).status).toBe(204);
    await waitFor(() => theirs.disconnected, 'the other session’s connection closes');
    expect(mine.disconnected).toBe(false);
    expect((await call(server, 'GET', '/api/auth/me', { cookie: here })).status).toBe(200);
    expect((await call(server, 'GET', '/api/auth/me', { cookie: there })).status).toBe(401);
    expect((await loginFrom(server, '192.0.2.20', t.username, t.password)).status).toBe(401);
    expect((await loginFrom(server, '192.0.2.20', t.username, 'brand-new-pass-2')).status).toBe(200);
  });

  it('a coordinator lists an account’s sessions, ends them all, and resets its password', async () => {
    const t = await teacher();
    const first = (await loginFrom(server, '192.0.2.30', t.username, t.password)).cookie!;
    await call(server, 'POST', '/api/auth/login', {
      body: { username: t.username, password: t.password },
      from: '192.0.2.31',
      userAgent: 'Mozilla/5.0 (classroom PC)',
    });
    const listed = await coordinator('GET', `/api/accounts/${t.id}/sessions`);
    expect(listed.body.sessions).toEqual([
      expect.objectContaining({ source: '192.0.2.30', current: false }),
      expect.objectContaining({ source: '192.0.2.31', userAgent: 'Mozilla/5.0 (classroom PC)' }),
    ]);
    const s = await socket(first);
    expect((await coordinator('POST', `/api/accounts/${t.id}/sessions/revoke`)).body).toEqual({ ended: 2 });
    await waitFor(() => s.disconnected, 'the ended session’s connection closes');
    expect((await coordinator('GET', `/api/accounts/${t.id}/sessions`)).body.sessions).toEqual([]);

    const again = (await loginFrom(server, '192.0.2.30', t.username, t.password)).cookie!;
    const reset = await coordinator('POST', `/api/accounts/${t.id}/password`, { password: 'set-by-coord-3' });
    expect(reset.status).toBe(200);
    expect((await call(server, 'GET', '/api/auth/me', { cookie: again })).status).toBe(401);
    expect((await loginFrom(server, '192.0.2.30', t.username, 'set-by-coord-3')).status).toBe(200);
    expect((await coordinator('POST', `/api/accounts/${t.id}/password`, { password: 'short' })).status).toBe(
      400,
    );
    expect((await coordinator('POST', '/api/accounts/nobody/disable')).status).toBe(404);
  });
});
