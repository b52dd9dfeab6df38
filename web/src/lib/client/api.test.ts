import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, conflictsOf, importRoster, logout, me, onSessionExpired, startLesson } from './api.ts';

function answer(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}

function stubFetch(response: Response | Error): ReturnType<typeof vi.fn> {
  const fake = vi.fn(async () => {
    if (response instanceof Error) throw response;
    return response;
  });
  vi.stubGlobal('fetch', fake);
  return fake;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('api', () => {
  it('unwraps the answer', async () => {
    const account = { id: 'a1', username: 'li', displayName: '李老师', role: 'teacher' };
    const fake = stubFetch(answer(200, { account }));
    await expect(me()).resolves.toEqual(account);
    expect(fake).toHaveBeenCalledWith('/api/auth/me', expect.objectContaining({ method: 'GET' }));
  });

  it('turns an error body into an ApiError with its details', async () => {
    const conflict = {
      classroomId: 'c1',
      classroomName: '一班',
      schoolName: '实验小学',
      lessonId: 'l9',
      lessonTitle: '数学',
      startsAt: '2026-11-28T06:00:00Z',
      endsAt: '2026-11-28T06:45:00Z',
    };
    stubFetch(
      answer(409, { error: { code: 'conflict', message: 'booked', conflicts: [conflict, { bogus: 1 }] } }),
    );
    const error = await caught(startLesson('l1'));
    expect(error.code).toBe('conflict');
    expect(error.status).toBe(409);
    expect(error.message).toBe('booked');
    expect(conflictsOf(error)).toEqual([conflict]);
  });

  it('sends CSV as text and keeps the refused lines in the details', async () => {
    const fake = stubFetch(
      answer(400, { error: { code: 'bad_csv', message: 'bad', lines: [{ line: 3, message: 'kind?' }] } }),
    );
    const error = await caught(importRoster('school,province\n'));
    expect(error.details.lines).toEqual([{ line: 3, message: 'kind?' }]);
    expect(fake).toHaveBeenCalledWith(
      '/api/roster/import',
      expect.objectContaining({
        method: 'POST',
        body: 'school,province\n',
        headers: expect.objectContaining({ 'content-type': 'text/csv; charset=utf-8' }),
      }),
    );
  });

  it('reports no answer as network and a foreign answer as bad_response', async () => {
    stubFetch(new TypeError('Failed to fetch'));
    expect((await caught(me())).code).toBe('network');
    stubFetch(new Response('<html>502</html>', { status: 502 }));
    const error = await caught(me());
    expect(error.code).toBe('internal');
    expect(error.status).toBe(502);
    stubFetch(answer(500, { oops: true }));
    expect((await caught(me())).code).toBe('bad_response');
  });

  it('takes 204 as done', async () => {
    stubFetch(new Response(null, { status: 204 }));
    await expect(logout()).resolves.toBeUndefined();
  });

  it('tells the page once a session has expired, but not for who-am-I', async () => {
    const expired = vi.fn();
    const off = onSessionExpired(expired);
    stubFetch(answer(401, { error: { code: 'unauthenticated', message: 'log in' } }));
    await caught(me());
    expect(expired).not.toHaveBeenCalled();
    stubFetch(answer(401, { error: { code: 'unauthenticated', message: 'log in' } }));
    await caught(startLesson('l1'));
    expect(expired).toHaveBeenCalledOnce();
    off();
  });
});
