/**
 * Convergence, with randomness: the host and two pen holders write random operations while readers
 * drop off and come back (each keeping its last seq and asking `board:sync` for the rest) and late
 * joiners arrive, across compactions. Afterwards every page's board deep-equals the server's, and every
 * page applied each seq exactly once, in order (or took it from a snapshot).
 *
 * Seeded: BOARD_SEED=<n> replays a run; the seed is printed when the test fails.
 */
import { afterEach, beforeEach, describe, expect, it, onTestFailed } from 'vitest';
import { BoardReplica, applyOps, initialBoard, redoTarget, undoTarget } from '@cloudschool/board';
import type { RequestOf } from '@cloudschool/protocol';
import type { BoardAuthor, BoardState, BoardWriteBody } from '@cloudschool/board';
import { openBoardPage, startBoardServer } from '../support/board.ts';
import type { BoardPage, BoardTestServer, Who } from '../support/board.ts';
import { seedLiveLesson } from '../support/fixtures.ts';
import type { SeededLesson } from '../support/fixtures.ts';
import { ok, request, waitFor } from '@cloudschool/testkit';
import { seededRandom as random } from '@cloudschool/testkit';

const SEED = Number(process.env.BOARD_SEED ?? Math.floor(Math.random() * 2 ** 31));
const STEPS = Number(process.env.BOARD_STEPS ?? 260);
const READERS = 4;

const rnd = random(SEED);
const chance = (p: number): boolean => rnd() < p;
const int = (n: number): number => Math.floor(rnd() * n);
const pick = <T>(list: readonly T[]): T | undefined => list[int(list.length)];
const coord = (max: number): number => Math.round(rnd() * max * 10) / 10;

/** A page that may go away and come back with the same replica, and whose seqs are checked. */
interface Client {
  name: string;
  who: Who;
  replica: BoardReplica;
  page: BoardPage | undefined;
  /** Broken promises: a seq applied twice or out of order, or a snapshot going back. */
  violations: string[];
  inFlight: number;
}

let server: BoardTestServer;
let seeded: SeededLesson;
const clients: Client[] = [];

function client(name: string, who: Who): Client {
  let last = 0;
  const violations: string[] = [];
  const replica = new BoardReplica({
    applied: (op) => {
      if (op.seq !== last + 1) violations.push(`${name}: applied ${op.seq} after ${last}`);
      last = op.seq;
    },
    reset: (state) => {
      if (state.seq < last) violations.push(`${name}: snapshot ${state.seq} after ${last}`);
      last = state.seq;
    },
  });
  const c: Client = { name, who, replica, page: undefined, violations, inFlight: 0 };
  clients.push(c);
  return c;
}

async function connect(c: Client): Promise<void> {
  c.page = await openBoardPage(server.url, seeded, c.who, c.replica);
  await c.page.sync();
}

function disconnect(c: Client): void {
  c.page?.close();
  c.page = undefined;
}

/** A random operation `by` may try on the board as its own page sees it (it may be refused: stale). */
function randomOp(state: BoardState, by: BoardAuthor, host: boolean): RequestOf<'board:op'>['op'] | 'stroke' {
  const page = pick(state.pages)!;
  const mine = page.objects.filter((o) => host || o.by === by);
  const roll = rnd();
  if (roll < 0.38) return 'stroke';
  if (roll < 0.48) {
    return {
      type: 'shape',
      pageId: page.id,
      shape: pick(['line', 'arrow', 'rect', 'ellipse'] as const)!,
      from: [coord(1600), coord(900)],
      to: [coord(1600), coord(900)],
      color: '#336699',
      width: 1 + int(8),
      fill: chance(0.3) ? '#ffcc0080' : null,
    };
  }
  if (roll < 0.55) {
    return {
      type: 'text',
      pageId: page.id,
      at: [coord(1600), coord(900)],
      text: `答案 ${int(100)}`,
      color: '#000000',
      size: 24,
    };
  }
  if (roll < 0.66 && mine.length > 0) {
    const ids = [...new Set([pick(mine)!.id, pick(mine)!.id])];
    return { type: 'erase', pageId: page.id, objectIds: ids };
  }
  if (roll < 0.76) {
    const target = undoTarget(state, by) ?? pick(state.history)?.seq;
    if (target !== undefined) return { type: 'undo', target };
  }
  if (roll < 0.82) {
    const target = redoTarget(state, by) ?? pick(state.history)?.seq;
    if (target !== undefined) return { type: 'redo', target };
  }
  if (!host) return 'stroke';
  if (roll < 0.85) return { type: 'clear', pageId: page.id };
  if (roll < 0.89) return { type: 'page:add', after: chance(0.5) ? page.id : null, background: null };
  if (roll < 0.94) return { type: 'page:turn', pageId: page.id };
  if (roll < 0.97) return { type: 'view', zoom: 0.5 + coord(3), x: coord(1600), y: coord(900) };
  return { type: 'background', pageId: page.id, background: null };
}

/** Sends one random write of a writer without waiting for its ack (a few may be in flight). */
function write(
  c: Client,
  by: BoardAuthor,
  host: boolean,
  outcomes: Map<string, number>,
  pending: Promise<void>[],
): void {
  const page = c.page;
  if (!page || c.inFlight >= 3) return;
  const op = randomOp(c.replica.state, by, host);
  const sent =
    op === 'stroke'
      ? request(page.socket, 'board:stroke:end', {
          strokeId: `${c.name}-${int(1e9)}`,
          pageId: pick(c.replica.state.pages)!.id,
          tool: chance(0.8) ? 'pen' : 'highlighter',
          color: '#aa2200',
          width: 2 + int(10),
          points: Array.from({ length: 1 + int(40) }, (): [number, number, number] => [
            coord(1600),
            coord(900),
            coord(1),
          ]),
        })
      : request(page.socket, 'board:op', { op: op as BoardWriteBody });
  c.inFlight++;
  pending.push(
    sent.then(
      (res) => {
        c.inFlight--;
        const outcome = res.ok ? 'ok' : res.error.code;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      },
      () => {
        c.inFlight--; // disconnected before the ack: the op may or may not be in the log
        outcomes.set('disconnected', (outcomes.get('disconnected') ?? 0) + 1);
      },
    ),
  );
}

/** Classrooms that join late, each its own. */
const LATE_JOINERS = 3;

beforeEach(async () => {
  server = await startBoardServer({ compactEvery: 7 });
  seeded = await seedLiveLesson(server, 2 + READERS + LATE_JOINERS);
});
afterEach(async () => {
  for (const c of clients.splice(0)) disconnect(c);
  await server.close();
});

describe('the board converges', () => {
  it(`for every page, through random writes, disconnects and late joins (seed ${SEED})`, async () => {
    onTestFailed(() => console.error(`board property test failed: replay with BOARD_SEED=${SEED}`));
    const host = client('host', { role: 'host' });
    const writers = [
      client('pen-0', { role: 'classroom', index: 0 }),
      client('pen-1', { role: 'classroom', index: 1 }),
    ];
    const readers = Array.from({ length: READERS }, (_, i) =>
      client(`reader-${i}`, { role: 'classroom', index: 2 + i }),
    );
    for (const c of [host, ...writers, ...readers]) await connect(c);
    await ok(host.page!.socket, 'stage:capacity', { capacity: 2 });
    for (const [i, w] of writers.entries()) {
      await ok(host.page!.socket, 'stage:invite', { classroomId: seeded.classroomIds[i]! });
      await ok(host.page!.socket, 'board:pen:grant', { classroomId: seeded.classroomIds[i]! });
      expect(w.replica).toBeDefined();
    }

    const outcomes = new Map<string, number>();
    const pending: Promise<void>[] = [];
    let lateJoiners = 0;
    for (let step = 0; step < STEPS; step++) {
      if (chance(0.45)) write(host, 'host', true, outcomes, pending);
      for (const [i, w] of writers.entries()) {
        if (chance(0.22)) write(w, `classroom:${seeded.classroomIds[i]!}`, false, outcomes, pending);
      }
      for (const c of [...writers, ...readers]) {
        if (c.page && chance(c.who.role === 'classroom' && c.who.index < 2 ? 0.02 : 0.06)) disconnect(c);
        else if (!c.page && chance(0.12)) await connect(c);
      }
      if (chance(0.01) && lateJoiners < LATE_JOINERS) {
        // A classroom that comes late, starting from nothing (a classroom has at most two pages at once).
        const index = 2 + READERS + lateJoiners;
        await connect(client(`late-${lateJoiners++}`, { role: 'classroom', index }));
      }
      await new Promise((r) => setTimeout(r, 10 + int(25)));
    }

    await Promise.all(pending);
    for (const c of clients) if (!c.page) await connect(c);
    const head = () => server.boardState(seeded.lessonId).seq;
    await waitFor(() => clients.every((c) => c.replica.lastSeq === head()), 'every page at the head');

    const state = server.boardState(seeded.lessonId);
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(STEPS / 4);
    expect(
      [...outcomes.keys()].filter(
        (k) => !['ok', 'not_found', 'conflict', 'forbidden', 'disconnected', 'rate_limited'].includes(k),
      ),
    ).toEqual([]);
    expect(server.app.lessons.get(seeded.lessonId)!.board.snapshotSeq).toBeGreaterThan(0); // compactions happened
    for (const c of clients) {
      expect(c.violations).toEqual([]);
      expect([c.name, c.replica.state]).toEqual([c.name, state]);
      const pushed = c.page!.pushed.map((op) => op.seq);
      expect(new Set(pushed).size).toBe(pushed.length); // no push twice on one connection
    }
    // The store agrees: snapshot + log = the board, and the log has no gap.
    const stored = await server.store.loadBoard(seeded.lessonId);
    expect(stored.ops.map((op) => op.seq)).toEqual(
      Array.from({ length: stored.ops.length }, (_, i) => (stored.snapshot?.seq ?? 0) + 1 + i),
    );
    expect(applyOps(stored.snapshot ?? initialBoard(), stored.ops)).toEqual(state);
  });
});
