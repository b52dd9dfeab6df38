/** A lesson's board on the server, over a real store: sequencing, sync, compaction, other nodes, close. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyOps, classroomAuthor, FIRST_PAGE_ID } from '@cloudschool/board';
import type { BoardOp, BoardOpBody } from '@cloudschool/board';
import { Board } from '../../src/board/Board.ts';
import { AppError } from '../../src/errors.ts';
import { SqliteStore } from '../../src/store/SqliteStore.ts';

const log = pino({ level: 'silent' });
const LESSON = 'lesson-b';
const line = (x: number): BoardOpBody => ({
  type: 'shape',
  pageId: FIRST_PAGE_ID,
  shape: 'line',
  from: [x, 0],
  to: [x, 100],
  color: '#000000',
  width: 2,
  fill: null,
});

let dir: string;
let store: SqliteStore;
const boards: Board[] = [];
const load = async (compactEvery?: number): Promise<Board> => {
  const board = await Board.load(LESSON, store, log, compactEvery === undefined ? {} : { compactEvery });
  boards.push(board);
  return board;
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cs-board-'));
  store = await SqliteStore.open(dir);
});

afterEach(async () => {
  await Promise.all(boards.splice(0).map((b) => b.close()));
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('Board', () => {
  it('numbers every accepted write 1, 2, 3… and pushes it once, in order', async () => {
    const board = await load();
    const pushed: number[] = [];
    board.on('op', (op, here) => here && pushed.push(op.seq));
    const seqs = await Promise.all([1, 2, 3].map((x) => board.write('host', line(x))));
    expect(seqs.map((op) => op.seq)).toEqual([1, 2, 3]);
    expect(pushed).toEqual([1, 2, 3]);
    expect(board.state.pages[0]!.objects).toHaveLength(3);
  });

  it('refuses a classroom without the pen, and changes nothing', async () => {
    const board = await load();
    await expect(board.write(classroomAuthor('c1'), line(1))).rejects.toBeInstanceOf(AppError);
    expect(board.state.seq).toBe(0);
    expect((await store.loadBoard(LESSON)).ops).toEqual([]);
  });

  it('gives the pen to on-stage classrooms only, and takes it back from those that left the stage', async () => {
    const board = await load();
    await expect(board.grantPen('c1', () => false)).rejects.toMatchObject({ code: 'conflict' });
    await board.grantPen('c1', () => true);
    expect(await board.grantPen('c1', () => true)).toBeNull();
    await board.write(classroomAuthor('c1'), line(5));
    await board.reconcilePens(() => false);
    expect(board.state.pens).toEqual([]);
  });

  it('answers a sync with what a page missed, or the snapshot when it is too far behind', async () => {
    const board = await load(3);
    for (let x = 0; x < 4; x++) await board.write('host', line(x));
    // Compaction runs after the third operation; wait for it to settle.
    await board.write('host', line(9));
    const recent = board.sync(4);
    expect(recent.snapshot).toBeNull();
    expect(recent.ops.map((op) => op.seq)).toEqual([5]);
    const fresh = board.sync();
    expect(fresh.snapshot?.seq).toBeGreaterThan(0);
    expect(applyOps(fresh.snapshot!, fresh.ops)).toEqual(board.state);
  });

  it('applies what another node sequenced, filling a gap from the log', async () => {
    const here = await load();
    const there = await load();
    const seen: number[] = [];
    here.on('op', (op, mine) => !mine && seen.push(op.seq));
    const ops: BoardOp[] = [];
    for (let x = 0; x < 3; x++) ops.push(await there.write('host', line(x)));
    // Only the last one is told: the first two come from the log.
    await here.applyRemote(ops[2]!);
    expect(seen).toEqual([1, 2, 3]);
    expect(here.state).toEqual(there.state);
    await here.applyRemote(ops[0]!);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('catches up with operations written while it was not listening', async () => {
    const other = await load();
    const late = await load();
    await other.write('host', line(1));
    await other.write('host', line(2));
    expect(late.state.seq).toBe(0);
    await late.catchUp();
    expect(late.state).toEqual(other.state);
  });

  it('stores a final snapshot when it closes, and refuses writes after', async () => {
    const board = await load();
    await board.write('host', line(1));
    await board.close();
    await board.close();
    await expect(board.write('host', line(2))).rejects.toMatchObject({ code: 'lesson_closed' });
    const stored = await store.loadBoard(LESSON);
    expect(stored.ops).toEqual([]);
    expect(stored.snapshot).toEqual(board.state);
  });
});
