import { describe, expect, it } from 'vitest';
import type { LessonInfo, LessonState, ProducerInfo } from '@cloudschool/protocol';
import {
  classroomStatus,
  freshHostMemory,
  rememberHost,
  type ClassroomFacts,
  type HostMemory,
} from './classroomStatus.ts';

const camera: ProducerInfo = { id: 'p1', kind: 'video', source: 'camera', classroomId: null };
const mic: ProducerInfo = { id: 'p2', kind: 'audio', source: 'mic', classroomId: null };
const stageCamera: ProducerInfo = { id: 'p3', kind: 'video', source: 'camera', classroomId: 'c2' };

function lesson(
  connected: boolean,
  producers: ProducerInfo[] = [],
  status: LessonInfo['status'] = 'live',
): LessonState {
  return {
    lessonId: 'l1',
    lesson: {
      title: '数学',
      subject: '数学',
      grade: '三年级',
      startsAt: '2026-11-28T06:00:00Z',
      endsAt: '2026-11-28T06:45:00Z',
      timeZone: 'Asia/Shanghai',
      status,
    },
    serverTime: '2026-11-28T05:56:00Z',
    host: { connected, live: producers.some((p) => p.classroomId === null) },
    producers,
    classroomCount: 1,
    layout: 'camera',
    recording: { status: 'off', startedAt: null, problem: null },
  };
}

function facts(partial: Partial<ClassroomFacts>): ClassroomFacts {
  return {
    phase: 'ready',
    state: lesson(false),
    memory: freshHostMemory,
    playing: false,
    recovering: false,
    closed: false,
    ...partial,
  };
}

/** Feeds a sequence of pushes through rememberHost, as the page does. */
function seen(...states: LessonState[]): HostMemory {
  return states.reduce(rememberHost, freshHostMemory);
}

describe('classroomStatus', () => {
  it('reports the link first: connecting, reconnecting, replaced, error', () => {
    for (const phase of ['connecting', 'reconnecting', 'replaced', 'error'] as const) {
      expect(classroomStatus(facts({ phase, state: lesson(true, [camera]), playing: true }))).toBe(phase);
    }
  });

  it('is connecting until the first state arrives', () => {
    expect(classroomStatus(facts({ state: null }))).toBe('connecting');
  });

  it('waits for a host that never came, or came but has not started', () => {
    expect(classroomStatus(facts({ state: lesson(false) }))).toBe('waiting');
    const present = lesson(true);
    expect(classroomStatus(facts({ state: present, memory: seen(present) }))).toBe('waiting');
  });

  it('is live once the host publishes and a track plays', () => {
    const live = lesson(true, [camera, mic]);
    expect(classroomStatus(facts({ state: live, memory: seen(live), playing: true }))).toBe('live');
  });

  it('stays connecting while the host publishes but nothing plays yet', () => {
    const live = lesson(true, [camera]);
    expect(classroomStatus(facts({ state: live, memory: seen(live), playing: false }))).toBe('connecting');
  });

  it('counts audio alone as live', () => {
    const audioOnly = lesson(true, [mic]);
    expect(classroomStatus(facts({ state: audioOnly, memory: seen(audioOnly), playing: true }))).toBe('live');
  });

  it('says the host is offline after a broadcast stops, whether the host stays or leaves', () => {
    const stopped = lesson(true);
    const gone = lesson(false);
    const wasLive = seen(lesson(true, [camera]), stopped);
    expect(classroomStatus(facts({ state: stopped, memory: wasLive }))).toBe('host-offline');
    expect(classroomStatus(facts({ state: gone, memory: seen(lesson(true, [camera]), gone) }))).toBe(
      'host-offline',
    );
  });

  it('says the host is offline when a host that was here without going live leaves', () => {
    const gone = lesson(false);
    expect(classroomStatus(facts({ state: gone, memory: seen(lesson(true), gone) }))).toBe('host-offline');
  });

  it('keeps saying reconnecting while the host is likely rejoining after a restart', () => {
    const empty = lesson(false);
    const wasLive = seen(lesson(true, [camera]), empty);
    expect(classroomStatus(facts({ state: empty, memory: wasLive, recovering: true }))).toBe('reconnecting');
    // A host never seen is still simply awaited.
    expect(classroomStatus(facts({ state: empty, memory: seen(empty), recovering: true }))).toBe('waiting');
  });

  it("does not take an on-stage classroom's media for the host's", () => {
    const stageOnly = lesson(true, [stageCamera]);
    const memory = seen(lesson(true, [camera]), stageOnly);
    expect(classroomStatus(facts({ state: stageOnly, memory, playing: false }))).toBe('host-offline');
    expect(classroomStatus(facts({ state: lesson(true, [stageCamera]) }))).toBe('waiting');
  });

  it('goes live again when the host comes back', () => {
    const back = lesson(true, [camera]);
    const memory = seen(lesson(true, [camera]), lesson(false), back);
    expect(classroomStatus(facts({ state: back, memory, playing: true }))).toBe('live');
  });
});

describe('classroomStatus and the lesson schedule', () => {
  it('shows the waiting room before the lesson starts, even with the host present', () => {
    for (const status of ['scheduled', 'open'] as const) {
      expect(classroomStatus(facts({ state: lesson(true, [], status) }))).toBe('scheduled');
    }
  });

  it('still reports the link before the waiting room', () => {
    expect(classroomStatus(facts({ phase: 'reconnecting', state: lesson(false, [], 'open') }))).toBe(
      'reconnecting',
    );
  });

  it('ends or cancels for good, over any link phase', () => {
    for (const phase of ['ready', 'connecting', 'reconnecting', 'error'] as const) {
      expect(classroomStatus(facts({ phase, state: lesson(true, [camera], 'ended'), playing: true }))).toBe(
        'ended',
      );
      expect(classroomStatus(facts({ phase, state: lesson(false, [], 'cancelled') }))).toBe('cancelled');
    }
  });

  it('takes a refused join of a closed lesson as ended, or cancelled when that was seen', () => {
    expect(classroomStatus(facts({ phase: 'error', state: null, closed: true }))).toBe('ended');
    expect(
      classroomStatus(facts({ phase: 'error', state: lesson(false, [], 'cancelled'), closed: true })),
    ).toBe('cancelled');
  });
});

describe('classroomStatus for a classroom PC and the host teacher', () => {
  it('waits for the host teacher while a new PC is pending', () => {
    expect(classroomStatus(facts({ phase: 'pending', state: null }))).toBe('pending');
  });

  it('says the PC was refused or the page removed, for good, unless the lesson is over', () => {
    expect(classroomStatus(facts({ phase: 'error', state: null, sentAway: 'refused' }))).toBe('refused');
    expect(
      classroomStatus(facts({ phase: 'error', state: lesson(true, [camera]), sentAway: 'removed' })),
    ).toBe('removed');
    expect(
      classroomStatus(facts({ phase: 'error', state: lesson(true, [], 'ended'), sentAway: 'removed' })),
    ).toBe('ended');
  });
});

describe('rememberHost', () => {
  it('remembers a host seen live even through a live flag alone', () => {
    const flagOnly: LessonState = { ...lesson(true), host: { connected: true, live: true } };
    expect(seen(flagOnly)).toEqual({ wasLive: true, wasConnected: true });
  });

  it('never forgets within a page', () => {
    expect(seen(lesson(true, [camera]), lesson(false))).toEqual({ wasLive: true, wasConnected: true });
  });
});
