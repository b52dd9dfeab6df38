import type { LiveLessons } from '../lesson/LiveLessons.ts';
import type { Logger } from '../logger.ts';
import { boardStreamSchemas } from '@cloudschool/protocol';
import { classroomAuthor } from '@cloudschool/board';
import type { BoardAuthor } from '@cloudschool/board';
import { TokenBucket } from '../TokenBucket.ts';
import { lessonRoom } from './rooms.ts';
import type { IoSocket } from './types.ts';

/**
 * Per connection: live batches come every ~30 ms while drawing (≈33/s), the laser about as often. More
 * than this is dropped like any volatile message.
 */
const STREAM_BURST = 80;
const STREAM_PER_SECOND = 60;

/**
 * The whiteboard's live traffic: a stroke while it is drawn and the laser pointer. These events carry no
 * ack (edge.ts answers every request; these are not requests): each is validated, rate-limited, checked
 * against the pen, and relayed to the other pages of the lesson, or silently dropped. Points and laser
 * are volatile: Socket.IO drops them for a page whose connection is still busy writing (a slow or
 * congested page skips batches instead of queueing them). Nothing is stored or sequenced: the finished
 * stroke comes, complete, as `board:stroke:end`.
 */
export function attachBoardStream(socket: IoSocket, lessons: LiveLessons, log: Logger): void {
  const limiter = new TokenBucket(STREAM_BURST, STREAM_PER_SECOND);

  /** The author of this connection's live traffic, if it may draw now; undefined: drop it. */
  const author = (): { room: string; by: BoardAuthor } | undefined => {
    if (!limiter.take()) return undefined;
    const j = socket.data.joined;
    const lesson = j && lessons.get(j.lessonId);
    if (!j || !lesson) return undefined;
    if (j.role === 'host') return { room: lessonRoom(j.lessonId), by: 'host' };
    if (j.role !== 'classroom' || j.classroomId === null) return undefined;
    if (!lesson.board.state.pens.includes(j.classroomId)) return undefined;
    return { room: lessonRoom(j.lessonId), by: classroomAuthor(j.classroomId) };
  };

  socket.on('board:stroke:begin', (payload: unknown) => {
    const from = author();
    const parsed = boardStreamSchemas['board:stroke:begin'].safeParse(payload);
    if (!from || !parsed.success) return dropped('board:stroke:begin');
    // Once per stroke and small: not volatile, so every page can draw the points that follow.
    socket.to(from.room).emit('board:stroke:begin', { ...parsed.data, by: from.by });
  });

  socket.on('board:stroke:points', (payload: unknown) => {
    const from = author();
    const parsed = boardStreamSchemas['board:stroke:points'].safeParse(payload);
    if (!from || !parsed.success) return dropped('board:stroke:points');
    socket.to(from.room).volatile.emit('board:stroke:points', { ...parsed.data, by: from.by });
  });

  socket.on('board:laser', (payload: unknown) => {
    const from = author();
    const parsed = boardStreamSchemas['board:laser'].safeParse(payload);
    if (!from || !parsed.success) return dropped('board:laser');
    socket.to(from.room).volatile.emit('board:laser', { ...parsed.data, by: from.by });
  });

  function dropped(event: string): void {
    log.trace({ event }, 'live board event dropped');
  }
}
