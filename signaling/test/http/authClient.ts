/** HTTP calls the auth, account and audit tests make, as from a given client address (X-Forwarded-For). */
import type { TestServer } from '../support/server.ts';

export interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; retryAfter?: number } };
  cookie: string | undefined;
  retryAfter: string | null;
}

/**
 * A JSON request from `from` (the test server trusts loopback as its proxy, so the forwarded address is
 * the client's `req.ip`), with a session cookie if given.
 */
export async function call(
  server: TestServer,
  method: string,
  path: string,
  options: { body?: unknown; cookie?: string; from?: string; userAgent?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.cookie) headers.cookie = options.cookie;
  if (options.from) headers['x-forwarded-for'] = options.from;
  if (options.userAgent) headers['user-agent'] = options.userAgent;
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  const cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('cs_session='))
    ?.split(';')[0];
  return {
    status: res.status,
    body: text.startsWith('{') ? (JSON.parse(text) as Answer['body']) : { text },
    cookie,
    retryAfter: res.headers.get('retry-after'),
  };
}

/** POST /api/auth/login from an address. */
export function loginFrom(server: TestServer, from: string, username: string, password: string) {
  return call(server, 'POST', '/api/auth/login', { body: { username, password }, from });
}
