import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Audit } from '../auth/Audit.ts';
import { MAX_LESSON_MS } from '../store/entities/lessons.ts';
import type { Recording } from '../store/entities/recordings.ts';
import type { LessonStore, RecordingStore } from '../store/Store.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How often a node sweeps (and once when it starts). */
export const SWEEP_EVERY_MS = 60 * 60 * 1000;

export interface RetentionSweeperOptions {
  store: LessonStore & RecordingStore;
  /** The node whose recordings (files under its DATA_DIR) this sweeper deletes. */
  nodeId: string;
  /** Where a recording's files are (Recorder.directory). */
  directory: (lessonId: string, recordingId: string) => string;
  audit: Audit;
  logger: Logger;
  now?: () => number;
  everyMs?: number;
}

/** A recording is past the retention once it ended (or, interrupted without an end, started) before the cutoff. */
const endOf = (r: Recording): number => r.endedAt ?? r.startedAt;

/**
 * Deletes the recordings older than the district's retention (RecordingStore.getRecordingRetention): their
 * files, then their records, each deletion in the audit log. Each node sweeps the recordings it wrote (their
 * files are on its disk), at start and every hour; a recording still being made is never touched, whatever
 * its age. `close()` (idempotent) stops the timer and waits for a sweep under way.
 */
export class RetentionSweeper {
  readonly #options: RetentionSweeperOptions;
  readonly #timer: NodeJS.Timeout;
  #running: Promise<number> | undefined;
  #closed = false;

  static start(options: RetentionSweeperOptions): RetentionSweeper {
    const sweeper = new RetentionSweeper(options);
    sweeper.sweepSoon();
    return sweeper;
  }

  private constructor(options: RetentionSweeperOptions) {
    this.#options = options;
    this.#timer = setInterval(() => this.sweepSoon(), options.everyMs ?? SWEEP_EVERY_MS);
    this.#timer.unref();
  }

  /** Sweeps now (one sweep at a time: a call during one waits for it); answers how many recordings went. */
  sweep(): Promise<number> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  /** Sweeps without waiting (at start, hourly, after the retention changed); a failure is logged. */
  sweepSoon(): void {
    if (this.#closed) return;
    this.sweep().catch((error: unknown) =>
      this.#options.logger.error({ err: error }, 'the recordings past their retention were not swept'),
    );
  }

  async #sweep(): Promise<number> {
    const { store, nodeId, logger } = this.#options;
    const days = (await store.getRecordingRetention())?.days ?? null;
    if (days === null) return 0;
    const cutoff = (this.#options.now ?? Date.now)() - days * DAY_MS;
    // A recording is made while its lesson is open, which is at most a lesson's length from its start:
    // lessons starting after cutoff + MAX_LESSON_MS cannot hold one that ended before the cutoff.
    const lessons = await store.listLessons({ from: 0, to: cutoff + MAX_LESSON_MS });
    let deleted = 0;
    for (const lesson of lessons) {
      for (const recording of await store.listRecordings(lesson.id)) {
        if (recording.nodeId !== nodeId || recording.status === 'recording' || endOf(recording) >= cutoff) {
          continue;
        }
        await this.#delete(recording, lesson.title, days);
        deleted++;
      }
    }
    if (deleted > 0) logger.info({ deleted, days }, 'recordings past their retention deleted');
    return deleted;
  }

  async #delete(recording: Recording, title: string, days: number): Promise<void> {
    const dir = this.#options.directory(recording.lessonId, recording.id);
    // Files first: a crash in between leaves a record whose files are gone, deleted again by the next sweep.
    await rm(dir, { recursive: true, force: true });
    // The lesson's directory goes with its last recording (ENOTEMPTY while it has others).
    await rmdir(path.dirname(dir)).catch(() => undefined);
    await this.#options.store.deleteRecording(recording.lessonId, recording.id);
    await this.#options.audit.record({
      kind: 'recording_deleted',
      subject: { type: 'lesson', id: recording.lessonId, name: title },
      details: { recordingId: recording.id, startedAt: new Date(recording.startedAt).toISOString(), days },
    });
  }
}
