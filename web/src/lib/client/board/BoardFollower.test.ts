import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ClientEvent, type JoinResult, type RequestOf, type Responses } from '@cloudschool/protocol';
import {
  applyOp,
  initialBoard,
  type BoardAuthor,
  type BoardOp,
  type BoardOpBody,
  type BoardState,
  type BoardSyncResult,
} from '@cloudschool/board';
import { SignalError } from '../signal.ts';
import { BoardFollower } from './BoardFollower.ts';
import { boardPoint } from './stroke.ts';

/** The server's side of the board, as far as a page sees it: a numbered log, syncs, pushes held for the test. */
class FakeServer {
  state: BoardState = initialBoard();
  log: BoardOp[] = [];
  /** Pushes not delivered yet. */
  outbox: BoardOp[] = [];
  /** Requests, in order. */
  requests: { event: string; payload: unknown }[] = [];
  /** Answers the test holds back: event → resolvers. */
  hold = new Set<string>();
  held: (() => void)[] = [];
  refuse: SignalError | null = null;

  append(by: BoardAuthor, op: BoardOpBody): BoardOp {
    const sequenced = { seq: this.state.seq + 1, at: 0, by, op };
    this.state = applyOp(this.state, sequenced);
    this.log.push(sequenced);
    this.outbox.push(sequenced);
    return sequenced;
  }

  sync(afterSeq?: number): BoardSyncResult {
    if (afterSeq === undefined)
      return { headSeq: this.state.seq, snapshot: initialBoard(), ops: [...this.log] };
    return { headSeq: this.state.seq, snapshot: null, ops: this.log.filter((op) => op.seq > afterSeq) };
  }

  send = <E extends ClientEvent>(event: E, payload: RequestOf<E>): Promise<Responses[E]> => {
    this.requests.push({ event, payload });
    const answer = (): Responses[E] => {
      if (this.refuse && event !== 'board:sync') throw this.refuse;
      const p = payload as Record<string, unknown>;
      switch (event) {
        case 'board:sync':
          return this.sync(p.afterSeq as number | undefined) as Responses[E];
        case 'board:op':
          return { seq: this.append(by, p.op as BoardOpBody).seq } as Responses[E];
        case 'board:stroke:end':
          return {
            seq: this.append(by, { type: 'stroke', ...(p as object) } as BoardOpBody).seq,
          } as Responses[E];
        default:
          throw new Error(`unexpected ${event}`);
      }
    };
    if (this.hold.has(event)) {
      return new Promise((resolve, reject) =>
        this.held.push(() => {
          try {
            resolve(answer());
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        }),
      );
    }
    try {
      return Promise.resolve(answer());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };

  deliver(to: BoardFollower, which: (ops: BoardOp[]) => BoardOp[] = (ops) => ops): void {
    const ops = which(this.outbox);
    this.outbox = this.outbox.filter((op) => !ops.includes(op));
    for (const op of ops) to.op(op);
  }
}

let by: BoardAuthor = 'host';
const joined = (role: 'host' | 'classroom' | 'observer', classroomId: string | null = null) =>
  ({ role, classroomId }) as JoinResult;
const text = (t: string): BoardOpBody => ({
  type: 'text',
  pageId: 'p0',
  at: [10, 10],
  text: t,
  color: '#000000',
  size: 40,
});
const flush = () => vi.advanceTimersByTimeAsync(0);

class Recorder extends BoardFollower {
  events: string[] = [];
  errors: (string | null)[] = [];
  protected override onState(_state: BoardState, headSeq: number): void {
    this.events.push(`state:${headSeq}`);
  }
  protected override onSynced(): void {
    this.events.push('synced');
  }
  protected override onError(key: string | null): void {
    this.errors.push(key);
  }
}

function setup() {
  const server = new FakeServer();
  const streamed: { event: string; payload: unknown; volatile: boolean | undefined }[] = [];
  const follower = new Recorder(server.send, (event, payload, volatile) =>
    streamed.push({ event, payload, volatile }),
  );
  return { server, follower, streamed };
}

beforeEach(() => {
  vi.useFakeTimers();
  // Refusals are logged as warnings: expected here.
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  by = 'host';
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('following the server’s board', () => {
  it('loads the whole board on the first join, then only what it missed on a reconnect', async () => {
    const { server, follower } = setup();
    server.append('host', text('a'));
    server.append('host', text('b'));
    server.outbox = [];
    follower.joined(joined('host'));
    await flush();
    expect(server.requests[0]).toEqual({ event: 'board:sync', payload: {} });
    expect(follower.snapshot()).toEqual({ headSeq: 2, state: server.state });
    expect(follower.me).toBe('host');
    // Offline: two operations go by; the next join asks after seq 2.
    server.append('host', text('c'));
    server.append('host', text('d'));
    server.outbox = [];
    follower.joined(joined('host'));
    await flush();
    expect(server.requests[1]).toEqual({ event: 'board:sync', payload: { afterSeq: 2 } });
    expect(follower.snapshot()).toEqual({ headSeq: 4, state: server.state });
    expect(follower.events.filter((e) => e === 'synced')).toHaveLength(1);
  });

  it('applies pushes in order, ignores duplicates, and syncs when one is missing', async () => {
    const { server, follower } = setup();
    follower.joined(joined('classroom', 'c1'));
    await flush();
    server.append('host', text('a'));
    server.deliver(follower);
    server.deliver(follower, () => [server.log[0]!]); // a duplicate
    expect(follower.headSeq).toBe(1);
    server.append('host', text('b'));
    server.append('host', text('c'));
    // seq 2 is lost on the way; seq 3 arrives: a gap, filled by a sync.
    server.deliver(follower, (ops) => ops.filter((op) => op.seq === 3));
    await flush();
    expect(server.requests.at(-1)).toEqual({ event: 'board:sync', payload: { afterSeq: 1 } });
    expect(follower.snapshot()).toEqual({ headSeq: 3, state: server.state });
    server.deliver(follower); // the lost push turns up late: nothing changes
    expect(follower.snapshot()).toEqual({ headSeq: 3, state: server.state });
  });

  it('holds pushes that arrive while a sync is in flight, so the answer never undoes them', async () => {
    const { server, follower } = setup();
    server.append('host', text('a'));
    server.outbox = [];
    server.hold.add('board:sync');
    follower.joined(joined('host'));
    // The sync is answered as of seq 1, but seq 2 is pushed before the answer arrives.
    const answer = server.held.shift()!;
    server.hold.clear();
    answer();
    server.append('host', text('b'));
    server.deliver(follower);
    await flush();
    expect(follower.snapshot()).toEqual({ headSeq: 2, state: server.state });
  });

  it('ignores the answer of a sync a newer one replaced (a reconnect in between)', async () => {
    const { server, follower } = setup();
    server.hold.add('board:sync');
    follower.joined(joined('host'));
    server.append('host', text('a'));
    server.outbox = [];
    follower.joined(joined('host'));
    const [stale, fresh] = server.held;
    fresh!();
    await flush();
    expect(follower.headSeq).toBe(1);
    stale!();
    await flush();
    expect(follower.snapshot()).toEqual({ headSeq: 1, state: server.state });
  });

  it('tries a failed sync again, but not while the page is out of the lesson', async () => {
    const { server } = setup();
    const send = vi.fn(server.send);
    const f = new BoardFollower(send as typeof server.send, () => undefined);
    send.mockRejectedValueOnce(new SignalError('timeout', 'no answer'));
    f.joined(joined('host'));
    await flush();
    expect(send).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(send).toHaveBeenCalledTimes(2);
    expect(f.headSeq).toBe(0);
    send.mockRejectedValueOnce(new SignalError('not_joined', 'offline'));
    f.joined(joined('host'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(send).toHaveBeenCalledTimes(3);
  });
});

describe('this page’s writes', () => {
  it('shows a shape at once, until the server’s copy is applied', async () => {
    const { server, follower } = setup();
    follower.joined(joined('host'));
    await flush();
    const write = follower.add({
      type: 'shape',
      pageId: 'p0',
      shape: 'rect',
      from: [0, 0],
      to: [100, 100],
      color: '#000000',
      width: 4,
      fill: null,
    });
    expect(follower.pendingOn('p0')).toHaveLength(1);
    expect(await write).toBe(1);
    // Acked but not pushed yet: still shown from here.
    expect(follower.pendingOn('p0')).toHaveLength(1);
    server.deliver(follower);
    expect(follower.pendingOn('p0')).toHaveLength(0);
    expect(follower.state.pages[0]!.objects).toHaveLength(1);
  });

  it('drops a refused write and says why, for a few seconds', async () => {
    const { server, follower } = setup();
    by = 'classroom:c1';
    follower.joined(joined('classroom', 'c1'));
    await flush();
    server.refuse = new SignalError('forbidden', 'this classroom does not hold the pen');
    expect(
      await follower.add({ ...text('x'), type: 'text' } as Parameters<BoardFollower['add']>[0]),
    ).toBeNull();
    expect(follower.pendingOn('p0')).toHaveLength(0);
    expect(follower.errors).toEqual(['board.error.noPen']);
    server.refuse = new SignalError('rate_limited', 'slow down');
    await follower.write({ type: 'undo', target: 1 });
    expect(follower.errors.at(-1)).toBe('board.error.tooFast');
    await vi.advanceTimersByTimeAsync(6_000);
    expect(follower.errors.at(-1)).toBeNull();
  });

  it('streams a stroke while drawn and sends it whole when the pen lifts', async () => {
    const { server, follower, streamed } = setup();
    follower.joined(joined('host'));
    await flush();
    follower.beginStroke('p0', { tool: 'pen', color: '#000000', width: 4 }, boardPoint(0, 0, 0.5));
    expect(streamed).toEqual([
      {
        event: 'board:stroke:begin',
        payload: expect.objectContaining({ pageId: 'p0', tool: 'pen' }) as unknown,
        volatile: false,
      },
    ]);
    follower.addPoint(boardPoint(10, 0, 0.5));
    follower.addPoint(boardPoint(20, 0, 0.5));
    await vi.advanceTimersByTimeAsync(30);
    expect(streamed[1]).toMatchObject({ event: 'board:stroke:points', volatile: undefined });
    follower.addPoint(boardPoint(30, 0, 0.5));
    follower.finishStroke();
    await flush();
    const end = server.requests.find((r) => r.event === 'board:stroke:end')!;
    expect((end.payload as { points: unknown[] }).points).toHaveLength(4);
    expect(follower.pendingOn('p0')).toHaveLength(1);
    server.deliver(follower);
    expect(follower.pendingOn('p0')).toHaveLength(0);
    expect(follower.state.pages[0]!.objects[0]).toMatchObject({ kind: 'stroke', by: 'host' });
    // No more batches once the pen is up.
    const count = streamed.length;
    await vi.advanceTimersByTimeAsync(300);
    expect(streamed).toHaveLength(count);
  });

  it('hides erased objects at once, and shows them again if the erase is refused', async () => {
    const { server, follower } = setup();
    follower.joined(joined('host'));
    await flush();
    server.append('host', text('a'));
    server.deliver(follower);
    server.refuse = new SignalError('not_found', 'gone');
    const erasing = follower.erase('p0', ['o1']);
    expect(follower.isErasing('o1')).toBe(true);
    await erasing;
    expect(follower.isErasing('o1')).toBe(false);
    server.refuse = null;
    await follower.erase('p0', ['o1']);
    expect(follower.isErasing('o1')).toBe(true);
    server.deliver(follower);
    expect(follower.isErasing('o1')).toBe(false);
    expect(follower.state.pages[0]!.objects).toHaveLength(0);
  });

  it('sends the laser at most every 30 ms, and once when it goes away', () => {
    const { follower, streamed } = setup();
    for (let i = 0; i < 10; i++) follower.pointLaser('p0', i, i);
    expect(streamed).toHaveLength(1);
    vi.advanceTimersByTime(30);
    follower.pointLaser('p0', 50.04, 60);
    expect(streamed.at(-1)).toEqual({
      event: 'board:laser',
      payload: { pageId: 'p0', x: 50, y: 60 },
      volatile: undefined,
    });
    follower.pointLaser(null);
    follower.pointLaser(null);
    expect(streamed.at(-1)).toEqual({ event: 'board:laser', payload: { pageId: null }, volatile: false });
    expect(streamed).toHaveLength(3);
  });
});

describe('other pages’ live traffic', () => {
  it('draws a stroke from its live batches until its operation arrives', async () => {
    const { server, follower } = setup();
    follower.joined(joined('classroom', 'c1'));
    await flush();
    follower.strokeBegin({
      strokeId: 's1',
      pageId: 'p0',
      tool: 'pen',
      color: '#000000',
      width: 4,
      points: [[0, 0, 0.5]],
      by: 'host',
    });
    follower.strokePoints({ strokeId: 's1', points: [[1, 1, 0.5]], by: 'host' });
    follower.strokePoints({ strokeId: 's1', points: [[2, 2, 0.5]], by: 'classroom:c9' }); // not its writer
    expect(follower.live.get('s1')?.points).toEqual([
      [0, 0, 0.5],
      [1, 1, 0.5],
    ]);
    server.append('host', {
      type: 'stroke',
      strokeId: 's1',
      pageId: 'p0',
      tool: 'pen',
      color: '#000000',
      width: 4,
      points: [[1, 1, 0.5]],
    });
    server.deliver(follower);
    expect(follower.live.size).toBe(0);
  });

  it('forgets live strokes and lasers whose writer went quiet', async () => {
    const { follower } = setup();
    follower.strokeBegin({
      strokeId: 's1',
      pageId: 'p0',
      tool: 'pen',
      color: '#000000',
      width: 4,
      points: [],
      by: 'host',
    });
    follower.laser({ pageId: 'p0', x: 1, y: 1, by: 'host' });
    await vi.advanceTimersByTimeAsync(4_000);
    expect(follower.lasers.size).toBe(0);
    expect(follower.live.size).toBe(1);
    await vi.advanceTimersByTimeAsync(7_000);
    expect(follower.live.size).toBe(0);
    follower.laser({ pageId: 'p0', x: 1, y: 1, by: 'host' });
    follower.laser({ pageId: null, by: 'host' });
    expect(follower.lasers.size).toBe(0);
  });
});
