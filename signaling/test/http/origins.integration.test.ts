/** Another site's page cannot act with a login here, over HTTP or Socket.IO; every answer carries a CSP. */
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { startTestServer } from '../support/server.ts';
import type { TestServer } from '../support/server.ts';

let server: TestServer;
let seeded: SeededLesson;
beforeAll(async () => {
  server = await startTestServer(1);
  seeded = await seedLiveLesson(server, 1);
});
afterAll(async () => {
  await server.close();
});

const endLesson = (headers: Record<string, string>) =>
  fetch(`${server.url}/api/lessons/${seeded.lessonId}/end`, {
    method: 'POST',
    headers: { cookie: seeded.teacherCookie, ...headers },
  });

/** Whether a Socket.IO connection that says it comes from `origin` is let in. */
function socketFrom(origin: string): Promise<boolean> {
  const socket = connect(server.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: { origin, cookie: seeded.teacherCookie },
  });
  return new Promise((resolve) => {
    socket.once('connect', () => (socket.disconnect(), resolve(true)));
    socket.once('connect_error', () => (socket.close(), resolve(false)));
  });
}

describe('origins', () => {
  it('refuses a state-changing request from another site, and changes nothing', async () => {
    const foreign: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { referer: 'http://evil.example/page' },
    ];
    for (const headers of foreign) {
      const res = await endLesson(headers);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    }
    expect((await server.store.getLesson(seeded.lessonId))?.status).toBe('live');
  });

  it('lets the site itself (and scripts that name no origin) act', async () => {
    const self = new URL(server.url).origin;
    const me = await fetch(`${server.url}/api/auth/me`, {
      headers: { cookie: seeded.teacherCookie, origin: self },
    });
    expect(me.status).toBe(200);
    const logout = await fetch(`${server.url}/api/auth/logout`, {
      method: 'POST',
      headers: { origin: self },
    });
    expect(logout.status).toBe(204);
  });

  it('refuses a Socket.IO connection from another site', async () => {
    expect(await socketFrom('http://evil.example')).toBe(false);
    expect(await socketFrom(new URL(server.url).origin)).toBe(true);
  });

  it('answers with a CSP that forbids framing, and no referrer', async () => {
    const res = await fetch(`${server.url}/api/auth/me`);
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
