/**
 * The board of a lesson over HTTP (`GET /api/lessons/:id/board`), which the report's export draws from:
 * the reducer over every operation the host wrote, the same as a classroom's synced board, while the lesson
 * runs, once it ended and once its pages left (the board compacted into a snapshot); for a coordinator and
 * the lesson's host teacher only. After a restart: board.durability.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FIRST_PAGE_ID, applyOps, initialBoard } from '@cloudschool/board';
import type { LessonBoard } from '@cloudschool/protocol';
import { openBoardPage, startBoardServer, strokeOf } from '../support/board.ts';
import type { BoardPage, BoardTestServer } from '../support/board.ts';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { ok, waitFor } from '@cloudschool/testkit';

const P0 = FIRST_PAGE_ID;

let server: BoardTestServer;
let seeded: SeededLesson;
const pages: BoardPage[] = [];

beforeEach(async () => {
  // Compacting every 5 operations: the answer is a snapshot and the operations after it, as in a long lesson.
  server = await startBoardServer({ compactEvery: 5 });
  seeded = await seedLiveLesson(server, 2);
});
afterEach(async () => {
  for (const p of pages.splice(0)) p.close();
  await server.close();
});

function get(
  lessonId: string,
  init: { cookie?: string; query?: string; bearer?: string } = {},
  route: 'board' | 'report' = 'board',
) {
  const headers: Record<string, string> = {};
  if (init.cookie) headers.cookie = init.cookie;
  if (init.bearer) headers.authorization = `Bearer ${init.bearer}`;
  return fetch(`${server.url}/api/lessons/${lessonId}/${route}${init.query ?? ''}`, { headers });
}

async function boardOf(lessonId: string, cookie: string): Promise<LessonBoard['board']> {
  const res = await get(lessonId, { cookie });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as LessonBoard).board;
}

describe('GET /api/lessons/:id/board', () => {
  it('answers the reducer over the host’s operations, live, after the end and once compacted', async () => {
    const host = await openBoardPage(server.url, seeded, { role: 'host' });
    const room = await openBoardPage(server.url, seeded, { role: 'classroom', index: 0 });
    pages.push(host, room);
    await host.sync();
    await room.sync();
    for (let i = 0; i < 3; i++) await ok(host.socket, 'board:stroke:end', strokeOf(P0, i * 20));
    await ok(host.socket, 'board:op', {
      op: { type: 'text', pageId: P0, at: [100, 100], text: '分数的意义', color: '#000000', size: 32 },
    });
    await ok(host.socket, 'board:op', { op: { type: 'erase', pageId: P0, objectIds: ['o2'] } });
    await ok(host.socket, 'board:op', { op: { type: 'page:add', after: null, background: null } });
    await ok(host.socket, 'board:stroke:end', strokeOf('p6', 5));
    await ok(host.socket, 'board:op', { op: { type: 'undo', target: 5 } });
    await ok(host.socket, 'board:op', { op: { type: 'view', zoom: 2, x: 400, y: 300 } });
    const head = 9;
    await waitFor(() => room.replica.lastSeq === head, 'the classroom caught up');

    // The classroom saw every operation from the first: the expected board is the reducer over them.
    expect(room.pushed.map((op) => op.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const expected = applyOps(initialBoard(), room.pushed);
    expect(expected.pages.map((p) => p.objects.length)).toEqual([4, 1]); // the erase was undone
    expect(room.replica.state).toEqual(expected);
    expect(server.boardState(seeded.lessonId)).toEqual(expected);
    expect(server.app.lessons.get(seeded.lessonId)!.board.snapshotSeq).toBeGreaterThan(0);
    expect(await boardOf(seeded.lessonId, seeded.coordinatorCookie)).toEqual(expected);

    const ended = await fetch(`${server.url}/api/lessons/${seeded.lessonId}/end`, {
      method: 'POST',
      headers: { cookie: seeded.teacherCookie },
    });
    expect(ended.status).toBe(200);
    expect(await boardOf(seeded.lessonId, seeded.coordinatorCookie)).toEqual(expected);
    expect(await boardOf(seeded.lessonId, seeded.teacherCookie)).toEqual(expected);

    // Everyone leaves: the board stores its final snapshot, and the answer comes from it alone.
    for (const p of pages.splice(0)) p.close();
    let stored = await server.store.loadBoard(seeded.lessonId);
    for (let i = 0; i < 200 && stored.ops.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      stored = await server.store.loadBoard(seeded.lessonId);
    }
    expect(server.app.lessons.get(seeded.lessonId)).toBeUndefined();
    expect(stored).toMatchObject({ snapshot: { seq: head }, ops: [] });
    expect(await boardOf(seeded.lessonId, seeded.coordinatorCookie)).toEqual(expected);
    expect(await boardOf(seeded.lessonId, seeded.teacherCookie)).toEqual(expected);
  });

  it('answers the empty board of a lesson nobody drew on', async () => {
    const board = await boardOf(seeded.lessonId, seeded.teacherCookie);
    expect(board).toEqual(initialBoard());
    expect(board.seq).toBe(0);
  });

  it('refuses anyone but a coordinator and the lesson’s host teacher, with the report’s own errors', async () => {
    const host = await openBoardPage(server.url, seeded, { role: 'host' });
    pages.push(host);
    await ok(host.socket, 'board:stroke:end', strokeOf(P0, 1));
    const token = seeded.tokens[0]!;
    const callers = {
      anonymous: {},
      classroomTokenInQuery: { query: `?t=${token}` },
      classroomTokenAsBearer: { bearer: token },
      otherTeacher: { cookie: seeded.otherTeacherCookie },
      hostTeacher: { cookie: seeded.teacherCookie },
      coordinator: { cookie: seeded.coordinatorCookie },
    };
    const answer = async (route: 'board' | 'report', init: Parameters<typeof get>[1]) => {
      const res = await get(seeded.lessonId, init, route);
      const body = (await res.json()) as { error?: { code: string } };
      return `${res.status} ${body.error?.code ?? 'ok'}`;
    };
    const board: Record<string, string> = {};
    const report: Record<string, string> = {};
    for (const [who, init] of Object.entries(callers)) {
      board[who] = await answer('board', init);
      report[who] = await answer('report', init);
    }
    expect(board).toEqual({
      anonymous: '401 unauthenticated',
      classroomTokenInQuery: '401 unauthenticated',
      classroomTokenAsBearer: '401 unauthenticated',
      otherTeacher: '403 forbidden',
      hostTeacher: '200 ok',
      coordinator: '200 ok',
    });
    expect(board).toEqual(report);
    expect(await answerFor('no-such-lesson')).toBe('404 not_found');
    expect(await answerFor('x'.repeat(65))).toBe('400 bad_request');
  });
});

async function answerFor(lessonId: string): Promise<string> {
  const res = await get(lessonId, { cookie: seeded.coordinatorCookie });
  return `${res.status} ${((await res.json()) as { error: { code: string } }).error.code}`;
}
