/**
 * A recorded lesson's replay, without UI: which part (WebM) plays at a lesson time and where in it, and the
 * board at that time — the shared reducer over the board's history up to it. Seeking is bounded: the state
 * is kept every CHECKPOINT_EVERY operations (states share what did not change), so a seek applies at most
 * that many. Times are wall-clock epoch ms, the clock of the board's operations and the recording's parts.
 */
import { applyOp, initialBoard } from '@cloudschool/board';
import type { BoardOp, BoardState } from '@cloudschool/board';
import type { LessonReplay, ReplayExport, ReplayPart } from '@cloudschool/protocol';
import { call } from './api.ts';

export const REPLAY_SPEEDS = [0.75, 1, 1.5, 2] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];
/** What an arrow key skips. */
export const SEEK_STEP_MS = 5_000;
const CHECKPOINT_EVERY = 100;

/** The board at any time of the lesson. */
export class ReplayBoard {
  readonly #ops: readonly BoardOp[];
  /** checkpoints[k]: the board after the first k × CHECKPOINT_EVERY operations. */
  readonly #checkpoints: BoardState[] = [];

  constructor(ops: readonly BoardOp[]) {
    this.#ops = ops;
    // The history is whole since it was kept (schema 9); a lesson compacted before starts where it does.
    let state: BoardState = { ...initialBoard(), seq: Math.max(0, (ops[0]?.seq ?? 1) - 1) };
    ops.forEach((op, i) => {
      if (i % CHECKPOINT_EVERY === 0) this.#checkpoints.push(state);
      state = applyOp(state, op);
    });
    if (ops.length % CHECKPOINT_EVERY === 0) this.#checkpoints.push(state);
  }

  /** How many operations had been made at `time` (those with `at` ≤ time; the log is in time order). */
  countAt(time: number): number {
    let low = 0;
    let high = this.#ops.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.#ops[mid]!.at <= time) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The board as it was at `time`. */
  stateAt(time: number): BoardState {
    const count = this.countAt(time);
    const k = Math.floor(count / CHECKPOINT_EVERY);
    let state = this.#checkpoints[k]!;
    for (let i = k * CHECKPOINT_EVERY; i < count; i++) state = applyOp(state, this.#ops[i]!);
    return state;
  }
}

/** Where the media is at a lesson time: a part and the position in it (s), or the part that comes next. */
export type MediaPosition =
  { kind: 'playing'; part: ReplayPart; seconds: number } | { kind: 'gap'; next: ReplayPart | null };

export function mediaAt(parts: readonly ReplayPart[], time: number): MediaPosition {
  for (const part of parts) {
    if (time < part.startedAt) return { kind: 'gap', next: part };
    if (time < part.startedAt + part.durationMs) {
      return { kind: 'playing', part, seconds: (time - part.startedAt) / 1000 };
    }
  }
  return { kind: 'gap', next: null };
}

/** A time kept within the replay's span. */
export function clampTime(replay: Pick<LessonReplay, 'startedAt' | 'endedAt'>, time: number): number {
  return Math.min(replay.endedAt, Math.max(replay.startedAt, time));
}

/** The chapter shown at a time: the last one that started at or before it. */
export function chapterAt<T extends { at: number }>(chapters: readonly T[], time: number): T | undefined {
  let found: T | undefined;
  for (const c of chapters) if (c.at <= time) found = c;
  return found;
}

/** The replay of a lesson (its latest recording unless `recordingId`); a classroom passes its join token. */
const exportPath = (lessonId: string, recordingId: string): string =>
  `/api/lessons/${encodeURIComponent(lessonId)}/replay/${encodeURIComponent(recordingId)}/export`;

/** How far the recording's MP4 export is (staff only: a classroom gets `forbidden`/`unauthenticated`). */
export function exportStatus(lessonId: string, recordingId: string): Promise<ReplayExport> {
  return call<ReplayExport>(exportPath(lessonId, recordingId), { expect401: true });
}

/** Starts the recording's MP4 export (made on the server in the background). */
export function startExport(lessonId: string, recordingId: string): Promise<ReplayExport> {
  return call<ReplayExport>(exportPath(lessonId, recordingId), { method: 'POST' });
}

export function loadReplay(
  lessonId: string,
  token: string | null,
  recordingId: string | null,
): Promise<LessonReplay> {
  const query = new URLSearchParams();
  if (token) query.set('t', token);
  if (recordingId) query.set('recording', recordingId);
  const search = query.toString();
  return call<LessonReplay>(
    `/api/lessons/${encodeURIComponent(lessonId)}/replay${search ? `?${search}` : ''}`,
  );
}
