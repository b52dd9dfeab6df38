/**
 * The board survives the server: the real server process, killed with SIGKILL and started again, gives
 * a classroom that joins afterwards exactly the board it had — a compacted snapshot and the operations
 * after it — with the embedded store, and with Redis (Redis killed and restarted too); so does the report's
 * read of it over HTTP. Courseware files stay in DATA_DIR.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { applyOps } from '@cloudschool/board';
import type { CoursewareFile, LessonBoard } from '@cloudschool/protocol';
import type { BoardState } from '@cloudschool/board';
import { openBoardPage, strokeOf } from '../support/board.ts';
import type { BoardPage } from '../support/board.ts';
import { liveLessonOverHttp, login, ok, waitFor } from '@cloudschool/testkit';
import type { LiveLesson as Live } from '@cloudschool/testkit';
import { DURABLE_STORES, startDurableServer, teardown } from '../support/durable.ts';

/** Pages that stay open until the end of the test. */
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) c();
  await teardown();
});

const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');

/** Draws, leaves (the board compacts when the lesson empties), comes back and draws more (not compacted). */
async function draw(url: string, live: Live): Promise<{ board: BoardState; file: CoursewareFile }> {
  const upload = await fetch(`${url}/api/lessons/${live.lessonId}/courseware`, {
    method: 'POST',
    headers: { cookie: live.teacherCookie, 'content-type': 'application/pdf' },
    body: new Uint8Array(PDF),
  });
  expect(upload.status).toBe(201);
  const file = (await upload.json()) as CoursewareFile;

  let host: BoardPage = await openBoardPage(url, live, { role: 'host' });
  await host.sync();
  await ok(host.socket, 'board:op', {
    op: { type: 'background', pageId: 'p0', background: { fileId: file.fileId, page: 1 } },
  });
  for (let i = 0; i < 6; i++) await ok(host.socket, 'board:stroke:end', strokeOf('p0', i * 10));
  await ok(host.socket, 'board:op', { op: { type: 'erase', pageId: 'p0', objectIds: ['o3'] } });
  host.close();
  await new Promise((r) => setTimeout(r, 1000)); // the last page left: the board stores its snapshot

  // From now on a classroom stays: the lesson never empties, so the last operations are only in the log.
  const watcher = await openBoardPage(url, live, { role: 'classroom', index: 0 });
  cleanups.push(() => watcher.close());
  host = await openBoardPage(url, live, { role: 'host' }, host.replica);
  await host.sync();
  await ok(host.socket, 'board:op', {
    op: { type: 'page:add', after: null, background: { fileId: file.fileId, page: 2 } },
  });
  await ok(host.socket, 'board:stroke:end', strokeOf('p9', 5));
  await ok(host.socket, 'board:op', { op: { type: 'undo', target: 8 } });
  await ok(host.socket, 'board:op', { op: { type: 'view', zoom: 1.5, x: 700, y: 400 } });
  await waitFor(() => host.replica.lastSeq === 12, 'the host’s own operations');
  const board = host.replica.state;
  host.close();
  return { board, file };
}

/**
 * After the restart: the report's read of the board (nobody has joined: straight from the store) and a
 * classroom that joins get the same board; the courseware is still there.
 */
async function check(
  url: string,
  live: Live,
  before: { board: BoardState; file: CoursewareFile },
): Promise<void> {
  for (const cookie of [live.coordinatorCookie, live.teacherCookie]) {
    const res = await fetch(`${url}/api/lessons/${live.lessonId}/board`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as LessonBoard).board).toEqual(before.board);
  }
  const room = await openBoardPage(url, live, { role: 'classroom', index: 0 });
  try {
    const res = await ok(room.socket, 'board:sync', {});
    expect(res.snapshot?.seq).toBe(8);
    expect(res.ops.map((op) => op.seq)).toEqual([9, 10, 11, 12]);
    expect(applyOps(res.snapshot!, res.ops)).toEqual(before.board);
    const pdf = await fetch(
      `${url}/api/lessons/${live.lessonId}/courseware/${before.file.fileId}?t=${live.tokens[0]}`,
    );
    expect(Buffer.from(await pdf.arrayBuffer())).toEqual(PDF);
  } finally {
    room.close();
  }
}

describe('the board survives kill -9 of the server', () => {
  it.each(DURABLE_STORES)('$name', async ({ store }) => {
    const server = await startDurableServer(store);
    const live = await liveLessonOverHttp(server.url, await login(server.url), 1);
    const before = await draw(server.url, live);

    await server.crash();
    await check(server.url, live, before);
  });
});
