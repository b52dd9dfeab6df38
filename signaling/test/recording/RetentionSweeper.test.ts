/**
 * The retention sweeper on a real store and real files: recordings past the district's retention go (files,
 * records, an audit entry each); newer ones, one still being made and another node's stay.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Audit } from '../../src/auth/Audit.ts';
import { RetentionSweeper } from '../../src/recording/RetentionSweeper.ts';
import type { Lesson } from '../../src/store/entities/lessons.ts';
import type { Recording } from '../../src/store/entities/recordings.ts';
import { SqliteStore } from '../../src/store/SqliteStore.ts';
import type { Store } from '../../src/store/Store.ts';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 11, 6, 12);

describe('RetentionSweeper', () => {
  let dir: string;
  let store: Store;
  let sweeper: RetentionSweeper | undefined;
  const directory = (lessonId: string, recordingId: string): string =>
    path.join(dir, 'recordings', lessonId, recordingId);

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cs-retention-'));
    store = await SqliteStore.open(dir);
  });

  afterEach(async () => {
    await sweeper?.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const lesson = (id: string, startsAt: number): Lesson => ({
    id,
    title: `课 ${id}`,
    subject: '数学',
    grade: '六年级',
    hostClassroomId: 'host',
    hostTeacherId: 'teacher',
    startsAt,
    endsAt: startsAt + 3_600_000,
    invitedClassroomIds: [],
    seriesId: null,
    status: 'ended',
    startedAt: startsAt,
    endedAt: startsAt + 3_600_000,
    createdBy: 'coord',
    createdAt: startsAt - DAY,
    updatedAt: startsAt,
  });

  /** A recording with one segment file on disk. */
  async function recorded(over: Partial<Recording> & Pick<Recording, 'id' | 'lessonId'>): Promise<Recording> {
    const record: Recording = {
      nodeId: 'node-a',
      startedAt: NOW - DAY,
      endedAt: NOW - DAY + 3_000_000,
      status: 'complete',
      ...over,
    };
    await store.putRecording(record);
    await store.appendRecordingSegment({
      recordingId: record.id,
      run: 0,
      file: 'r0-00000.webm',
      startedAt: record.startedAt,
      durationMs: 4_000,
      bytes: 3,
    });
    await mkdir(directory(record.lessonId, record.id), { recursive: true });
    await writeFile(path.join(directory(record.lessonId, record.id), 'r0-00000.webm'), 'vp8');
    return record;
  }

  function start(): RetentionSweeper {
    sweeper = RetentionSweeper.start({
      store,
      nodeId: 'node-a',
      directory,
      audit: new Audit(
        store,
        (error) => {
          throw error;
        },
        () => NOW,
      ),
      logger: pino({ level: 'silent' }),
      now: () => NOW,
    });
    return sweeper;
  }

  async function seed(): Promise<void> {
    await store.putLessons([lesson('old', NOW - 40 * DAY), lesson('new', NOW - 2 * DAY)]);
    // Ended 39 days ago: past a 30-day retention.
    await recorded({ id: 'old-done', lessonId: 'old', startedAt: NOW - 40 * DAY, endedAt: NOW - 39 * DAY });
    // As old, but interrupted (its node died): also past it.
    await recorded({
      id: 'old-cut',
      lessonId: 'old',
      startedAt: NOW - 40 * DAY,
      endedAt: NOW - 39 * DAY,
      status: 'interrupted',
    });
    // Started as long ago and still being made: never deleted.
    await recorded({
      id: 'old-live',
      lessonId: 'old',
      startedAt: NOW - 40 * DAY,
      endedAt: null,
      status: 'recording',
    });
    // Another node's files are on its own disk: it sweeps them.
    await recorded({
      id: 'old-elsewhere',
      lessonId: 'old',
      nodeId: 'node-b',
      startedAt: NOW - 40 * DAY,
      endedAt: NOW - 39 * DAY,
    });
    await recorded({
      id: 'new-done',
      lessonId: 'new',
      startedAt: NOW - 2 * DAY,
      endedAt: NOW - 2 * DAY + 3_000_000,
    });
  }

  it('deletes the recordings that ended before the retention, files and records, each in the audit log', async () => {
    await seed();
    await store.putRecordingRetention({ days: 30, setBy: 'coord', setAt: NOW });
    expect(await start().sweep()).toBe(2);

    expect((await store.listRecordings('old')).map((r) => r.id).sort()).toEqual([
      'old-elsewhere',
      'old-live',
    ]);
    expect((await store.listRecordings('new')).map((r) => r.id)).toEqual(['new-done']);
    expect(await store.listRecordingSegments('old-done')).toEqual([]);
    expect(await store.listRecordingSegments('old-cut')).toEqual([]);
    expect(await store.listRecordingSegments('old-live')).toHaveLength(1);
    expect((await readdir(path.join(dir, 'recordings', 'old'))).sort()).toEqual([
      'old-elsewhere',
      'old-live',
    ]);
    expect(await readdir(directory('new', 'new-done'))).toEqual(['r0-00000.webm']);

    const audit = await store.listAudit({ from: 0, to: NOW + DAY, limit: 10, kind: 'recording_deleted' });
    expect(
      audit.entries.map((e) => [e.subjectId, e.details['recordingId'], e.details['days']]).sort(),
    ).toEqual([
      ['old', 'old-cut', 30],
      ['old', 'old-done', 30],
    ]);
    // Swept again: nothing more goes.
    expect(await sweeper!.sweep()).toBe(0);
  });

  it('removes the lesson’s directory with its last recording', async () => {
    await store.putLessons([lesson('old', NOW - 40 * DAY)]);
    await recorded({ id: 'only', lessonId: 'old', startedAt: NOW - 40 * DAY, endedAt: NOW - 39 * DAY });
    await store.putRecordingRetention({ days: 7, setBy: 'coord', setAt: NOW });
    expect(await start().sweep()).toBe(1);
    expect(await readdir(path.join(dir, 'recordings'))).toEqual([]);
  });

  it('deletes nothing while no retention is set, or it is set to keep for ever', async () => {
    await seed();
    expect(await start().sweep()).toBe(0);
    await store.putRecordingRetention({ days: null, setBy: 'coord', setAt: NOW });
    expect(await sweeper!.sweep()).toBe(0);
    expect(await store.listRecordings('old')).toHaveLength(4);
    expect(await readdir(path.join(dir, 'recordings', 'old'))).toHaveLength(4);
  });
});
