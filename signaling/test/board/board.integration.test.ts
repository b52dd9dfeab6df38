/**
 * The shared whiteboard over the real protocol: the host draws and every page follows, live and
 * sequenced; a late joiner and a reconnecting page get exactly the server's board; only the pen may
 * write; the pen follows the stage.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOARD_LIMITS, FIRST_PAGE_ID, applyOps, initialBoard, undoTarget } from '@cloudschool/board';
import type { LiveLaser, LiveStrokeBegin } from '@cloudschool/protocol';
import type { BoardOp, BoardReplica, BoardWriteBody } from '@cloudschool/board';
import { openBoardPage, startBoardServer, strokeOf } from '../support/board.ts';
import type { BoardPage, BoardTestServer, Who } from '../support/board.ts';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { connectClient, ok, request, waitFor } from '@cloudschool/testkit';

const P0 = FIRST_PAGE_ID;

let server: BoardTestServer;
let seeded: SeededLesson;
const pages: BoardPage[] = [];

async function open(who: Who, replica?: BoardReplica): Promise<BoardPage> {
  const page = await openBoardPage(server.url, seeded, who, replica);
  pages.push(page);
  return page;
}

const board = () => server.boardState(seeded.lessonId);
const caughtUp = (...ps: BoardPage[]) =>
  waitFor(() => ps.every((p) => p.replica.lastSeq === board().seq), 'pages caught up with the board');

beforeEach(async () => {
  server = await startBoardServer({ compactEvery: 5 });
  seeded = await seedLiveLesson(server, 3);
});
afterEach(async () => {
  for (const p of pages.splice(0)) p.close();
  await server.close();
});

describe('the shared whiteboard', () => {
  it('shows the host’s strokes live and sequenced on every page', async () => {
    const host = await open({ role: 'host' });
    const rooms = [await open({ role: 'classroom', index: 0 }), await open({ role: 'classroom', index: 1 })];
    const observer = await open({ role: 'observer' });
    for (const p of [host, ...rooms, observer]) await p.sync();
    const begun: LiveStrokeBegin[] = [];
    rooms[0]!.socket.on('board:stroke:begin', (b) => begun.push(b));

    host.socket.emit('board:stroke:begin', {
      strokeId: 'live-1',
      pageId: P0,
      tool: 'pen',
      color: '#ff0000',
      width: 4,
    });
    // Batches every ~30 ms, volatile: a page whose connection is busy may miss one, never gets one twice.
    const sent: [number, number, number][][] = [];
    for (let i = 0; i < 100 && !rooms.every((r) => r.live.length >= 3); i++) {
      const points: [number, number, number][] = [[i, i + 0.5, 0.5]];
      sent.push(points);
      host.socket.emit('board:stroke:points', { strokeId: 'live-1', points });
      await new Promise((r) => setTimeout(r, 30));
    }
    await waitFor(() => rooms.every((r) => r.live.length >= 3), 'live points at every classroom');
    expect(begun).toEqual([
      { strokeId: 'live-1', pageId: P0, tool: 'pen', color: '#ff0000', width: 4, points: [], by: 'host' },
    ]);
    const sentJson = sent.map((points) => JSON.stringify(points));
    for (const r of rooms) {
      const got = r.live.map((l) => l.points);
      expect(got.every((points) => sentJson.includes(JSON.stringify(points)))).toBe(true);
      expect(r.live.every((l) => l.by === 'host' && l.strokeId === 'live-1')).toBe(true);
      const order = got.map((p) => p[0]![0]);
      expect(order).toEqual([...new Set(order)].sort((a, b) => a - b)); // in order, none twice
    }
    expect(host.live).toEqual([]); // not echoed to the writer
    expect(board().seq).toBe(0); // live traffic is never sequenced

    const { seq } = await ok(host.socket, 'board:stroke:end', {
      ...strokeOf(P0, 1, 'live-1'),
      points: [
        [1, 2, 0.5],
        [3, 4, 0.6],
      ],
    });
    expect(seq).toBe(1);
    await ok(host.socket, 'board:op', {
      op: { type: 'text', pageId: P0, at: [100, 100], text: '今天学习分数', color: '#000000', size: 32 },
    });
    await ok(host.socket, 'board:op', { op: { type: 'view', zoom: 2, x: 400, y: 300 } });
    await caughtUp(host, ...rooms, observer);
    for (const p of [host, ...rooms, observer]) expect(p.replica.state).toEqual(board());
    expect(rooms[0]!.pushed[0]).toMatchObject({
      seq: 1,
      by: 'host',
      op: { type: 'stroke', strokeId: 'live-1' },
    });
    expect(board().pages[0]!.objects.map((o) => o.id)).toEqual(['o1', 'o2']);
    expect(board().view).toEqual({ zoom: 2, x: 400, y: 300 });
  });

  it('gives a late joiner a snapshot and the operations after it: the server’s board, exactly', async () => {
    const host = await open({ role: 'host' });
    await host.sync();
    for (let i = 0; i < 12; i++) await ok(host.socket, 'board:stroke:end', strokeOf(P0, i));
    await ok(host.socket, 'board:op', { op: { type: 'erase', pageId: P0, objectIds: ['o3', 'o4'] } });
    await ok(host.socket, 'board:op', { op: { type: 'page:add', after: null, background: null } });
    await ok(host.socket, 'board:stroke:end', strokeOf('p14', 7));
    await ok(host.socket, 'board:op', { op: { type: 'undo', target: 13 } });
    await waitFor(() => server.app.lessons.get(seeded.lessonId)!.board.snapshotSeq >= 10, 'a compaction');

    const late = await open({ role: 'classroom', index: 2 });
    const res = await ok(late.socket, 'board:sync', {});
    expect(res.snapshot?.seq).toBeGreaterThanOrEqual(10);
    expect(res.ops.map((o) => o.seq)).toEqual(
      Array.from({ length: res.headSeq - res.snapshot!.seq }, (_, i) => res.snapshot!.seq + i + 1),
    );
    expect(applyOps(res.snapshot!, res.ops)).toEqual(board());
    await late.sync();
    expect(late.replica.state).toEqual(board());
    expect(board().pages.map((p) => p.objects.length)).toEqual([12, 1]); // the erase was undone

    // The store holds the same board: its snapshot and the operations after it.
    const stored = await server.store.loadBoard(seeded.lessonId);
    expect(applyOps(stored.snapshot ?? initialBoard(), stored.ops)).toEqual(board());
  });

  it('brings a reconnecting page back to the same board, with only what it missed', async () => {
    const host = await open({ role: 'host' });
    const room = await open({ role: 'classroom', index: 0 });
    await host.sync();
    await room.sync();
    await ok(host.socket, 'board:stroke:end', strokeOf(P0, 1));
    await caughtUp(room);
    room.close();
    for (let i = 2; i <= 4; i++) await ok(host.socket, 'board:stroke:end', strokeOf(P0, i));

    const back = await open({ role: 'classroom', index: 0 }, room.replica);
    const res = await ok(back.socket, 'board:sync', { afterSeq: back.replica.lastSeq });
    expect(res.snapshot).toBeNull();
    expect(res.ops.map((o: BoardOp) => o.seq)).toEqual([2, 3, 4]);
    await back.sync();
    expect(back.replica.state).toEqual(board());
    // A page that saw a log the server no longer has (ahead of the head) starts over from a snapshot.
    const ahead = await ok(back.socket, 'board:sync', { afterSeq: 99 });
    expect(ahead.snapshot).not.toBeNull();
    expect(applyOps(ahead.snapshot!, ahead.ops)).toEqual(board());
  });

  it('refuses writes from anyone without the pen, and nothing changes', async () => {
    const host = await open({ role: 'host' });
    const room = await open({ role: 'classroom', index: 0 });
    const other = await open({ role: 'classroom', index: 1 });
    const observer = await open({ role: 'observer' });
    await ok(host.socket, 'board:stroke:end', strokeOf(P0, 1));
    const before = board();

    expect(await request(room.socket, 'board:stroke:end', strokeOf(P0, 2))).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(
      await request(room.socket, 'board:op', { op: { type: 'erase', pageId: P0, objectIds: ['o1'] } }),
    ).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await request(observer.socket, 'board:stroke:end', strokeOf(P0, 3))).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(
      await request(room.socket, 'board:pen:grant', { classroomId: seeded.classroomIds[0]! }),
    ).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    // Live traffic without the pen goes nowhere.
    room.socket.emit('board:stroke:points', { strokeId: 'x', points: [[1, 1, 1]] });
    room.socket.emit('board:laser', { pageId: P0, x: 5, y: 5 });
    const lasers: LiveLaser[] = [];
    other.socket.on('board:laser', (l) => lasers.push(l));
    host.socket.emit('board:laser', { pageId: P0, x: 9, y: 9 }); // the host's does
    await waitFor(() => lasers.length === 1, 'the host’s laser');
    expect(lasers).toEqual([{ pageId: P0, x: 9, y: 9, by: 'host' }]);
    expect(other.live).toEqual([]);
    // A connection that has not joined a lesson reads nothing either.
    const stranger = await connectClient(server.url);
    expect(await request(stranger, 'board:sync', {})).toMatchObject({
      ok: false,
      error: { code: 'not_joined' },
    });
    stranger.disconnect();
    expect(board()).toBe(before);
    expect((await server.store.readBoardOps(seeded.lessonId, 0)).length).toBe(1);
  });

  it('lets an on-stage classroom write with the pen, and takes the pen when it leaves the stage', async () => {
    const host = await open({ role: 'host' });
    const room = await open({ role: 'classroom', index: 0 });
    const watcher = await open({ role: 'classroom', index: 1 });
    const me = seeded.classroomIds[0]!;
    await ok(host.socket, 'board:stroke:end', strokeOf(P0, 1));

    expect(await request(host.socket, 'board:pen:grant', { classroomId: me })).toMatchObject({
      ok: false,
      error: { code: 'conflict' }, // not on stage
    });
    await ok(host.socket, 'stage:invite', { classroomId: me });
    expect(await ok(host.socket, 'board:pen:grant', { classroomId: me })).toEqual({ seq: 2 });
    expect(await ok(host.socket, 'board:pen:grant', { classroomId: me })).toEqual({ seq: null });
    expect(board().pens).toEqual([me]);

    const mine = await ok(room.socket, 'board:stroke:end', strokeOf(P0, 2));
    await ok(room.socket, 'board:op', {
      op: {
        type: 'shape',
        pageId: P0,
        shape: 'rect',
        from: [0, 0],
        to: [10, 10],
        color: '#00ff00',
        width: 2,
        fill: null,
      },
    });
    // Its own work only: no erasing the host's stroke, no clearing, no page turning.
    const hostOnly: BoardWriteBody[] = [
      { type: 'erase', pageId: P0, objectIds: ['o1'] },
      { type: 'clear', pageId: P0 },
      { type: 'page:add', after: null, background: null },
      { type: 'undo', target: 1 },
    ];
    for (const op of hostOnly) {
      expect(await request(room.socket, 'board:op', { op })).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
    await ok(room.socket, 'board:op', {
      op: { type: 'undo', target: undoTarget(board(), `classroom:${me}`)! },
    });
    await ok(room.socket, 'board:op', { op: { type: 'erase', pageId: P0, objectIds: [`o${mine.seq}`] } });
    // Its live strokes reach the others now.
    room.socket.emit('board:stroke:points', { strokeId: 'mine', points: [[2, 2, 1]] });
    await waitFor(() => watcher.live.length === 1, 'the pen holder’s live points');
    expect(watcher.live[0]!.by).toBe(`classroom:${me}`);
    expect(board().pages[0]!.objects.map((o) => [o.id, o.by])).toEqual([['o1', 'host']]);

    // Leaving the stage takes the pen, written by the server into the log.
    await ok(room.socket, 'stage:leave', {});
    await waitFor(() => board().pens.length === 0, 'the pen revoked');
    expect(board().seq).toBe(7);
    await watcher.sync();
    expect(watcher.pushed.at(-1)).toMatchObject({
      by: 'server',
      op: { type: 'pen', classroomId: me, on: false },
    });
    expect(await request(room.socket, 'board:stroke:end', strokeOf(P0, 3))).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });

    // The host takes it back too.
    await ok(host.socket, 'stage:invite', { classroomId: me });
    await ok(host.socket, 'board:pen:grant', { classroomId: me });
    expect(await ok(host.socket, 'board:pen:revoke', {})).toEqual({ seq: 9 });
    expect(board().pens).toEqual([]);
    await caughtUp(host, watcher);
    expect(watcher.replica.state).toEqual(board());
  });

  it('bounds what one operation may carry', async () => {
    const host = await open({ role: 'host' });
    const long = Array.from(
      { length: BOARD_LIMITS.pointsPerStroke + 1 },
      (_, i): [number, number, number] => [i, i, 1],
    );
    expect(
      await request(host.socket, 'board:stroke:end', { ...strokeOf(P0, 1), points: long }),
    ).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    // 2000 points fit 32 kB only when rounded.
    const wide = long.slice(1).map(([i]): [number, number, number] => [i + 0.5, i + 0.25, 0.5]);
    const res = await request(host.socket, 'board:stroke:end', { ...strokeOf(P0, 1), points: wide });
    expect(res).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(res.ok ? '' : res.error.message).toMatch(/32768 bytes/);
    const rounded = long.slice(1).map(([i]): [number, number, number] => [i % 1600, i % 900, 1]);
    expect(await ok(host.socket, 'board:stroke:end', { ...strokeOf(P0, 1), points: rounded })).toEqual({
      seq: 1,
    });
    expect(
      await request(host.socket, 'board:op', { op: { type: 'erase', pageId: 'p404', objectIds: ['o1'] } }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await request(host.socket, 'board:op', { op: { type: 'undo', target: 42 } })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(
      await request(host.socket, 'board:op', {
        op: {
          type: 'background',
          pageId: P0,
          background: { fileId: '2f1c3a4b-5d6e-4f70-8a9b-0c1d2e3f4a5b', page: 1 },
        },
      }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(board().seq).toBe(1);
  });
});
