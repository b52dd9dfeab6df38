/** The whiteboard under test: a real server with a courseware directory, and pages that follow the board. */
import { BoardReplica } from '@cloudschool/board';
import type { LiveStrokePoints } from '@cloudschool/protocol';
import type { BoardOp, BoardState } from '@cloudschool/board';
import type { SeededLesson } from './fixtures.ts';
import { connectClient, ok } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import { startTestServer } from './server.ts';
import type { TestServer } from './server.ts';

export interface BoardTestServer extends TestServer {
  /** The server's own board state of a lesson (it must be loaded). */
  boardState(lessonId: string): BoardState;
}

/** Like startTestServer, with a compaction threshold, and the server's own board state at hand. */
export async function startBoardServer(opts: { compactEvery?: number } = {}): Promise<BoardTestServer> {
  const server = await startTestServer(1, {
    board: opts.compactEvery === undefined ? {} : { compactEvery: opts.compactEvery },
  });
  return {
    ...server,
    boardState: (lessonId) => {
      const board = server.app.lessons.get(lessonId)?.board;
      if (!board) throw new Error(`no board loaded for ${lessonId}`);
      return board.state;
    },
  };
}

export type Who = { role: 'host' } | { role: 'observer' } | { role: 'classroom'; index: number };

/** A page that joined a lesson and follows its board with a BoardReplica, as a browser would. */
export interface BoardPage {
  socket: ClientSocket;
  replica: BoardReplica;
  /** Every board:op pushed to this page (this connection). */
  pushed: BoardOp[];
  /** Live batches relayed to this page. */
  live: LiveStrokePoints[];
  /** Asks for what it missed (board:sync after its last seq) and applies the answer. */
  sync(): Promise<void>;
  close(): void;
}

/** Opens a page for `who`; pass the replica of a page that reconnects (then sync() to catch up). */
export async function openBoardPage(
  url: string,
  seeded: Pick<SeededLesson, 'lessonId' | 'teacherCookie' | 'coordinatorCookie' | 'tokens'>,
  who: Who,
  replica: BoardReplica = new BoardReplica(),
): Promise<BoardPage> {
  const cookie =
    who.role === 'host'
      ? seeded.teacherCookie
      : who.role === 'observer'
        ? seeded.coordinatorCookie
        : undefined;
  const socket = await connectClient(url, cookie);
  const pushed: BoardOp[] = [];
  const live: LiveStrokePoints[] = [];
  let syncing: Promise<void> | undefined;
  const sync = (): Promise<void> => {
    syncing ??= (async () => {
      const afterSeq = replica.beginSync();
      try {
        replica.endSync(await ok(socket, 'board:sync', { afterSeq }));
      } catch (error) {
        replica.abortSync();
        throw error;
      } finally {
        syncing = undefined;
      }
    })();
    return syncing;
  };
  socket.on('board:op', (op) => {
    pushed.push(op);
    if (replica.receive(op) === 'gap') void sync().catch(() => undefined);
  });
  socket.on('board:stroke:points', (points) => live.push(points));
  await ok(socket, 'lesson:join', {
    lessonId: seeded.lessonId,
    role: who.role,
    ...(who.role === 'classroom' ? { token: seeded.tokens[who.index] } : {}),
  });
  return { socket, replica, pushed, live, sync, close: () => void socket.disconnect() };
}

/** A small stroke; `x` makes it different. */
export function strokeOf(pageId: string, x: number, strokeId = `s${x}`) {
  return {
    strokeId,
    pageId,
    tool: 'pen' as const,
    color: '#1a2b3c',
    width: 3,
    points: [
      [x, 10, 0.5],
      [x + 4, 12.5, 0.8],
      [x + 9, 15, 1],
    ] as [number, number, number][],
  };
}
