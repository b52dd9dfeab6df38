import { describe, expect, it } from 'vitest';
import type { ChatMessageView, ClassroomTile, QuizView } from '@cloudschool/protocol';
import {
  answerTo,
  CHAT_MAX,
  QUESTION_MAX,
  QUIZ_COUNT_MAX,
  STAGE_CAPACITY_MAX,
  bars,
  conversations,
  handPlace,
  mergeMessages,
  optionLetter,
  parseCounts,
  quizOpen,
  quizRequest,
  quizSecondsLeft,
  toggleChoice,
  unseenFromHost,
} from './interaction.ts';

/** Messages sorted into conversations, as the host's store keeps them. */
function threadsOf(messages: readonly ChatMessageView[]): Map<string, ChatMessageView[]> {
  const threads = new Map<string, ChatMessageView[]>();
  for (const m of messages) threads.set(m.classroomId, mergeMessages(threads.get(m.classroomId) ?? [], m));
  return threads;
}

const hands = [
  { classroomId: 'c3', name: '3班', raisedAt: '2026-11-28T06:01:00Z' },
  { classroomId: 'c1', name: '1班', raisedAt: '2026-11-28T06:02:00Z' },
];

function message(id: string, classroomId: string, from: 'host' | 'classroom', at: string): ChatMessageView {
  return { id, classroomId, from, text: id, at };
}

const quiz: QuizView = {
  id: 'q1',
  question: '1 + 1 = ?',
  kind: 'single',
  options: ['1', '2', '3'],
  startedAt: '2026-11-28T06:00:00.000Z',
  closesAt: '2026-11-28T06:00:30.000Z',
  closed: false,
  revealed: false,
  tally: null,
  answeredClassrooms: 0,
};

function tile(id: string, unread = 0): ClassroomTile {
  return {
    classroomId: id,
    name: id,
    connected: true,
    cameraProducerId: null,
    handRaisedAt: null,
    onStage: false,
    unread,
    quality: 'good',
    readiness: null,
  };
}

describe('hands', () => {
  it('gives a classroom its place in the queue, oldest first', () => {
    expect(handPlace(hands, 'c3')).toBe(1);
    expect(handPlace(hands, 'c1')).toBe(2);
    expect(handPlace(hands, 'c2')).toBeNull();
    expect(handPlace(hands, null)).toBeNull();
  });
});

describe('backchannel', () => {
  const a = message('a', 'c1', 'classroom', '2026-11-28T06:00:01Z');
  const b = message('b', 'c1', 'host', '2026-11-28T06:00:02Z');
  const c = message('c', 'c2', 'classroom', '2026-11-28T06:00:03Z');

  it('keeps each message once, oldest first', () => {
    expect(mergeMessages([b], a, b, a).map((m) => m.id)).toEqual(['a', 'b']);
    expect(mergeMessages([a, b], b)).toEqual([a, b]);
  });

  it('sorts messages into conversations', () => {
    const threads = threadsOf([a, c, b]);
    expect(threads.get('c1')?.map((m) => m.id)).toEqual(['a', 'b']);
    expect(threads.get('c2')?.map((m) => m.id)).toEqual(['c']);
  });

  it("counts the host's messages since the panel was open", () => {
    expect(unseenFromHost([a, b], null)).toBe(1);
    expect(unseenFromHost([a, b], '2026-11-28T06:00:02Z')).toBe(0);
  });

  it('lists conversations with unread ones first, then the latest', () => {
    const threads = threadsOf([a, b, c]);
    const list = conversations([tile('c1'), tile('c2'), tile('c3', 2), tile('c4')], threads);
    expect(list.map((t) => t.classroomId)).toEqual(['c3', 'c2', 'c1']);
  });
});

describe('quiz', () => {
  it("shows a classroom's answer to this quiz only", () => {
    const mine = { quizId: 'q1', choices: [1], counts: null };
    expect(answerTo(quiz, mine)).toBe(mine);
    expect(answerTo(quiz, { ...mine, quizId: 'q0' })).toBeNull();
    expect(answerTo(null, mine)).toBeNull();
  });

  it("counts down by the server's clock", () => {
    const start = Date.parse(quiz.startedAt);
    expect(quizSecondsLeft(quiz, start)).toBe(30);
    expect(quizSecondsLeft(quiz, start + 29_100)).toBe(1);
    expect(quizSecondsLeft(quiz, start + 31_000)).toBe(0);
    expect(quizSecondsLeft({ ...quiz, closesAt: null }, start)).toBeNull();
    expect(quizOpen(quiz, start + 10_000)).toBe(true);
    expect(quizOpen(quiz, start + 30_000)).toBe(false);
    expect(quizOpen({ ...quiz, closed: true }, start)).toBe(false);
    expect(quizOpen({ ...quiz, closesAt: null }, start + 99_000)).toBe(true);
  });

  it('chooses one option, or toggles several', () => {
    expect(toggleChoice([0], 2, 'single')).toEqual([2]);
    expect(toggleChoice([2], 0, 'multiple')).toEqual([0, 2]);
    expect(toggleChoice([0, 2], 2, 'multiple')).toEqual([0]);
    expect(optionLetter(0) + optionLetter(5)).toBe('AF');
  });

  it('reads typed student counts', () => {
    expect(parseCounts(['12', ' 3 ', ''])).toEqual([12, 3, 0]);
    expect(parseCounts(['1.5', '2'])).toBeNull();
    expect(parseCounts(['-1'])).toBeNull();
    expect(parseCounts(['10001'])).toBeNull();
  });

  it('draws bars against the longest one', () => {
    expect(bars([2, 6, 0])).toEqual([
      { index: 0, count: 2, share: 0.25, length: 2 / 6 },
      { index: 1, count: 6, share: 0.75, length: 1 },
      { index: 2, count: 0, share: 0, length: 0 },
    ]);
    expect(bars([0, 0]).every((bar) => bar.length === 0 && bar.share === 0)).toBe(true);
  });

  it("turns the host's form into a quiz:start request", () => {
    const draft = {
      question: ' 几点了？ ',
      kind: 'single' as const,
      options: ['三点', '', ' 四点 '],
      duration: '',
    };
    expect(quizRequest(draft)).toEqual({
      ok: true,
      request: { question: '几点了？', kind: 'single', options: ['三点', '四点'] },
    });
    expect(quizRequest({ ...draft, duration: '60' })).toMatchObject({
      ok: true,
      request: { durationSec: 60 },
    });
    expect(quizRequest({ ...draft, question: ' ' })).toEqual({ ok: false, problem: 'question' });
    expect(quizRequest({ ...draft, options: ['一', ''] })).toEqual({ ok: false, problem: 'options' });
    expect(quizRequest({ ...draft, options: ['一', 'x'.repeat(101)] })).toEqual({
      ok: false,
      problem: 'option-long',
    });
    expect(quizRequest({ ...draft, duration: '5' })).toEqual({ ok: false, problem: 'duration' });
    expect(quizRequest({ ...draft, duration: 'abc' })).toEqual({ ok: false, problem: 'duration' });
  });
});

describe('against the server schemas', () => {
  it('mirrors the limits', async () => {
    const { interactionSchemas, STAGE_MAX, CLASS_SIZE_MAX } = await import('@cloudschool/protocol');
    expect(STAGE_CAPACITY_MAX).toBe(STAGE_MAX);
    expect(QUIZ_COUNT_MAX).toBe(CLASS_SIZE_MAX);
    expect(interactionSchemas['question:ask'].safeParse({ text: 'x'.repeat(QUESTION_MAX) }).success).toBe(
      true,
    );
    expect(interactionSchemas['question:ask'].safeParse({ text: 'x'.repeat(QUESTION_MAX + 1) }).success).toBe(
      false,
    );
    expect(interactionSchemas['chat:send'].safeParse({ text: 'x'.repeat(CHAT_MAX + 1) }).success).toBe(false);
    expect(interactionSchemas['chat:send'].safeParse({ text: 'x'.repeat(CHAT_MAX) }).success).toBe(true);
  });

  it('sends quiz:start and quiz:answer requests the server accepts', async () => {
    const { interactionSchemas } = await import('@cloudschool/protocol');
    const draft = {
      question: '选一个',
      kind: 'multiple' as const,
      options: ['甲', '乙', '丙'],
      duration: '45',
    };
    const made = quizRequest(draft);
    expect(made.ok && interactionSchemas['quiz:start'].safeParse(made.request).success).toBe(true);
    const counts = parseCounts([String(QUIZ_COUNT_MAX), '0', '7']);
    expect(interactionSchemas['quiz:answer'].safeParse({ quizId: 'q1', counts }).success).toBe(true);
    expect(parseCounts([String(QUIZ_COUNT_MAX + 1), '0', '7'])).toBeNull();
    expect(interactionSchemas['quiz:answer'].safeParse({ quizId: 'q1', choices: [0, 2] }).success).toBe(true);
  });
});
