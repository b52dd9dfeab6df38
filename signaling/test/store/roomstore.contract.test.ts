import { beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage, Hand, Question, Quiz, QuizAnswer, StageMember } from '../../src/domain/types.ts';
import { QUIZ_COUNT_MAX } from '../../src/store/entities/room.ts';
import { InvalidRecordError } from '../../src/store/records.ts';
import type { Store } from '../../src/store/Store.ts';
import { storeFactories, storePerTest } from '../support/stores.ts';

const T = Date.UTC(2026, 10, 30, 8, 0);
const L = 'lesson-1';

function hand(classroomId: string, raisedAt: number, lessonId = L): Hand {
  return { lessonId, classroomId, raisedAt };
}

function member(classroomId: string, since: number, muted = false): StageMember {
  return { classroomId, since, muted };
}

function question(id: string, createdAt: number, overrides: Partial<Question> = {}): Question {
  return {
    id,
    lessonId: L,
    classroomId: 'classroom-1',
    text: `问题 ${id}`,
    createdAt,
    state: 'open',
    ...overrides,
  };
}

function quiz(id: string, startedAt: number, overrides: Partial<Quiz> = {}): Quiz {
  return {
    id,
    lessonId: L,
    question: '3 × 4 = ?',
    kind: 'single',
    options: ['7', '12', '34'],
    startedAt,
    closesAt: startedAt + 60_000,
    closedAt: null,
    revealed: false,
    ...overrides,
  };
}

function answer(classroomId: string, at: number, overrides: Partial<QuizAnswer> = {}): QuizAnswer {
  return { lessonId: L, quizId: 'quiz-1', classroomId, choices: [1], counts: null, at, ...overrides };
}

function message(
  id: string,
  classroomId: string,
  at: number,
  overrides: Partial<ChatMessage> = {},
): ChatMessage {
  return { id, lessonId: L, classroomId, from: 'classroom', text: `消息 ${id}`, at, ...overrides };
}

describe.each(storeFactories())('$name room store contract', (factory) => {
  const suite = storePerTest(factory);
  const open = () => suite.open();
  let store: Store;

  beforeEach(() => {
    store = suite.store;
  });

  describe('hands', () => {
    it('raise answers whether the hand went up now; raising again keeps its place', async () => {
      expect(await store.listHands(L)).toEqual([]);
      expect(await store.raiseHand(hand('classroom-1', T))).toBe(true);
      expect(await store.raiseHand(hand('classroom-1', T + 5_000))).toBe(false);
      expect(await store.listHands(L)).toEqual([hand('classroom-1', T)]);
    });

    it('lists oldest first, ties by classroom id, per lesson', async () => {
      await store.raiseHand(hand('classroom-c', T + 2));
      await store.raiseHand(hand('classroom-b', T + 1));
      await store.raiseHand(hand('classroom-a', T + 1));
      await store.raiseHand(hand('classroom-0', T + 3));
      await store.raiseHand(hand('classroom-z', T, 'lesson-2'));
      expect(await store.listHands(L)).toEqual([
        hand('classroom-a', T + 1),
        hand('classroom-b', T + 1),
        hand('classroom-c', T + 2),
        hand('classroom-0', T + 3),
      ]);
      expect(await store.listHands('lesson-2')).toEqual([hand('classroom-z', T, 'lesson-2')]);
    });

    it('lower answers whether a hand was up; a hand raised again goes to the back', async () => {
      await store.raiseHand(hand('classroom-1', T));
      await store.raiseHand(hand('classroom-2', T + 1));
      expect(await store.lowerHand(L, 'classroom-1')).toBe(true);
      expect(await store.lowerHand(L, 'classroom-1')).toBe(false);
      expect(await store.lowerHand(L, 'never-raised')).toBe(false);
      expect(await store.lowerHand('lesson-2', 'classroom-2')).toBe(false);
      expect(await store.listHands(L)).toEqual([hand('classroom-2', T + 1)]);
      expect(await store.raiseHand(hand('classroom-1', T + 10))).toBe(true);
      expect(await store.listHands(L)).toEqual([hand('classroom-2', T + 1), hand('classroom-1', T + 10)]);
    });

    it('two stores raising one hand at once: exactly one raised it', async () => {
      const other = await open();
      const raised = await Promise.all([
        store.raiseHand(hand('classroom-1', T)),
        other.raiseHand(hand('classroom-1', T + 1)),
      ]);
      expect(raised.filter(Boolean)).toHaveLength(1);
      expect(await store.listHands(L)).toHaveLength(1);
    });

    it('rejects an invalid hand without writing it', async () => {
      await expect(store.raiseHand(hand('', T))).rejects.toBeInstanceOf(InvalidRecordError);
      await expect(store.raiseHand(hand('classroom-1', T + 0.5))).rejects.toBeInstanceOf(InvalidRecordError);
      expect(await store.listHands(L)).toEqual([]);
    });
  });

  describe('stage', () => {
    it('is empty, then replaced as a whole, per lesson', async () => {
      expect(await store.getStage(L)).toEqual([]);
      const stage = [member('classroom-2', T), member('classroom-1', T + 1, true)];
      await store.putStage(L, stage);
      expect(await store.getStage(L)).toEqual(stage);
      await store.putStage(L, [member('classroom-1', T + 1)]);
      expect(await store.getStage(L)).toEqual([member('classroom-1', T + 1)]);
      expect(await store.getStage('lesson-2')).toEqual([]);
      await store.putStage(L, []);
      expect(await store.getStage(L)).toEqual([]);
    });

    it('rejects a classroom on stage twice, keeping the stage as it was', async () => {
      await store.putStage(L, [member('classroom-1', T)]);
      await expect(
        store.putStage(L, [member('classroom-2', T), member('classroom-2', T + 1)]),
      ).rejects.toBeInstanceOf(InvalidRecordError);
      expect(await store.getStage(L)).toEqual([member('classroom-1', T)]);
    });
  });

  describe('questions', () => {
    it('round-trip and replace (state changes)', async () => {
      expect(await store.getQuestion(L, 'q1')).toBeUndefined();
      await store.putQuestion(question('q1', T));
      expect(await store.getQuestion(L, 'q1')).toEqual(question('q1', T));
      await store.putQuestion(question('q1', T, { state: 'pinned' }));
      expect(await store.getQuestion(L, 'q1')).toEqual(question('q1', T, { state: 'pinned' }));
      expect(await store.getQuestion('lesson-2', 'q1')).toBeUndefined();
    });

    it('lists in creation order (ties by id), a replaced question keeping its place', async () => {
      await store.putQuestion(question('q3', T + 2));
      await store.putQuestion(question('q2', T + 1));
      await store.putQuestion(question('q1', T + 1));
      await store.putQuestion(question('q0', T + 3));
      await store.putQuestion(question('q3', T + 2, { state: 'answered' }));
      await store.putQuestion(question('other', T, { lessonId: 'lesson-2' }));
      const listed = await store.listQuestions(L);
      expect(listed.map((each) => each.id)).toEqual(['q1', 'q2', 'q3', 'q0']);
      expect(listed[2]).toEqual({ ...question('q3', T + 2, { state: 'answered' }), voters: [] });
      expect((await store.listQuestions('lesson-2')).map((each) => each.id)).toEqual(['other']);
      expect(await store.listQuestions('lesson-3')).toEqual([]);
    });

    it('counts a classroom once per question; votes come off; voters by classroom id', async () => {
      await store.putQuestion(question('q1', T));
      await store.putQuestion(question('q2', T + 1));
      await store.setVote(L, 'q1', 'classroom-3', true);
      await store.setVote(L, 'q1', 'classroom-1', true);
      await store.setVote(L, 'q1', 'classroom-1', true);
      await store.setVote(L, 'q1', 'classroom-2', true);
      await store.setVote(L, 'q2', 'classroom-1', true);
      await store.setVote(L, 'q1', 'classroom-2', false);
      await store.setVote(L, 'q1', 'classroom-2', false);
      await store.setVote(L, 'q2', 'never-voted', false);
      await store.setVote('lesson-2', 'q1', 'classroom-9', true);
      expect(await store.listQuestions(L)).toEqual([
        { ...question('q1', T), voters: ['classroom-1', 'classroom-3'] },
        { ...question('q2', T + 1), voters: ['classroom-1'] },
      ]);
      // Replacing a question (marking it) keeps its votes.
      await store.putQuestion(question('q1', T, { state: 'answered' }));
      expect((await store.listQuestions(L))[0]?.voters).toEqual(['classroom-1', 'classroom-3']);
    });

    it('takes a text of 300 characters and rejects a longer or empty one', async () => {
      await store.putQuestion(question('q1', T, { text: '问'.repeat(300) }));
      await expect(store.putQuestion(question('q2', T, { text: '问'.repeat(301) }))).rejects.toBeInstanceOf(
        InvalidRecordError,
      );
      await expect(store.putQuestion(question('q3', T, { text: '' }))).rejects.toBeInstanceOf(
        InvalidRecordError,
      );
      expect((await store.listQuestions(L)).map((each) => each.id)).toEqual(['q1']);
    });
  });

  describe('quizzes', () => {
    it('round-trip and replace (closing, revealing), listed in start order', async () => {
      expect(await store.getQuiz(L, 'quiz-1')).toBeUndefined();
      expect(await store.listQuizzes(L)).toEqual([]);
      await store.putQuiz(quiz('quiz-2', T + 100));
      await store.putQuiz(quiz('quiz-1', T));
      await store.putQuiz(quiz('quiz-0', T + 100, { kind: 'multiple' }));
      await store.putQuiz(quiz('other', T, { lessonId: 'lesson-2' }));
      const closed = quiz('quiz-1', T, { closedAt: T + 30_000, revealed: true });
      await store.putQuiz(closed);
      expect(await store.getQuiz(L, 'quiz-1')).toEqual(closed);
      expect(await store.getQuiz('lesson-2', 'quiz-1')).toBeUndefined();
      expect(await store.listQuizzes(L)).toEqual([
        closed,
        quiz('quiz-0', T + 100, { kind: 'multiple' }),
        quiz('quiz-2', T + 100),
      ]);
    });

    it('rejects too few or too many options, and too long texts', async () => {
      const invalid = [
        quiz('q', T, { options: ['only one'] }),
        quiz('q', T, { options: ['1', '2', '3', '4', '5', '6', '7'] }),
        quiz('q', T, { options: ['a', 'x'.repeat(101)] }),
        quiz('q', T, { question: 'x'.repeat(301) }),
      ];
      for (const each of invalid)
        await expect(store.putQuiz(each)).rejects.toBeInstanceOf(InvalidRecordError);
      await store.putQuiz(quiz('q', T, { options: ['1', '2', '3', '4', '5', 'x'.repeat(100)] }));
      expect((await store.listQuizzes(L)).map((each) => each.id)).toEqual(['q']);
    });
  });

  describe('quiz answers', () => {
    it('one per classroom, a later one replacing it; ordered by classroom id; per quiz', async () => {
      expect(await store.listQuizAnswers(L, 'quiz-1')).toEqual([]);
      await store.putQuizAnswer(answer('classroom-2', T + 1));
      await store.putQuizAnswer(answer('classroom-1', T + 2, { choices: [0, 2] }));
      await store.putQuizAnswer(answer('classroom-3', T + 3, { choices: null, counts: [4, 30, 2] }));
      await store.putQuizAnswer(answer('classroom-2', T + 4, { choices: [2] }));
      await store.putQuizAnswer(answer('classroom-1', T + 5, { quizId: 'quiz-2' }));
      await store.putQuizAnswer(answer('classroom-1', T + 5, { lessonId: 'lesson-2' }));
      expect(await store.listQuizAnswers(L, 'quiz-1')).toEqual([
        answer('classroom-1', T + 2, { choices: [0, 2] }),
        answer('classroom-2', T + 4, { choices: [2] }),
        answer('classroom-3', T + 3, { choices: null, counts: [4, 30, 2] }),
      ]);
      expect(await store.listQuizAnswers(L, 'quiz-2')).toEqual([
        answer('classroom-1', T + 5, { quizId: 'quiz-2' }),
      ]);
    });

    it('rejects answers out of bounds, or with neither or both of choices and counts', async () => {
      const invalid = [
        answer('c', T, { choices: [-1] }),
        answer('c', T, { choices: [0, 1, 2, 3, 4, 5, 0] }),
        answer('c', T, { choices: null, counts: [QUIZ_COUNT_MAX + 1, 0] }),
        answer('c', T, { choices: null, counts: [1, 2, 3, 4, 5, 6, 7] }),
        answer('c', T, { choices: null, counts: null }),
        answer('c', T, { choices: [0], counts: [1, 0] }),
      ];
      for (const each of invalid) {
        await expect(store.putQuizAnswer(each)).rejects.toBeInstanceOf(InvalidRecordError);
      }
      await store.putQuizAnswer(answer('c', T, { choices: null, counts: [QUIZ_COUNT_MAX, 0, 0, 0, 0, 0] }));
      expect(await store.listQuizAnswers(L, 'quiz-1')).toHaveLength(1);
    });
  });

  describe('backchannel', () => {
    it("lists one classroom's messages oldest first; a classroom never sees another's", async () => {
      const a1 = message('m1', 'classroom-a', T + 1);
      const b1 = message('m2', 'classroom-b', T + 2, { from: 'host' });
      const a2 = message('m3', 'classroom-a', T + 3, { from: 'host' });
      const a3 = message('m4', 'classroom-a', T + 3);
      const late = message('m5', 'classroom-a', T);
      const otherLesson = message('m6', 'classroom-a', T + 4, { lessonId: 'lesson-2' });
      for (const each of [a1, b1, a2, a3, late, otherLesson]) await store.appendMessage(each);
      // Oldest first by time; messages of one millisecond in the order they were appended.
      expect(await store.listMessages(L, 'classroom-a')).toEqual([late, a1, a2, a3]);
      expect(await store.listMessages(L, 'classroom-b')).toEqual([b1]);
      expect(await store.listMessages(L, 'classroom-c')).toEqual([]);
      expect(await store.listMessages('lesson-2', 'classroom-a')).toEqual([otherLesson]);
      expect(await store.listMessages('lesson-2', 'classroom-b')).toEqual([]);
    });

    it('takes a text of 500 characters and rejects a longer one', async () => {
      await store.appendMessage(message('m1', 'classroom-a', T, { text: '好'.repeat(500) }));
      await expect(
        store.appendMessage(message('m2', 'classroom-a', T, { text: '好'.repeat(501) })),
      ).rejects.toBeInstanceOf(InvalidRecordError);
      expect(await store.listMessages(L, 'classroom-a')).toHaveLength(1);
    });

    it('keeps read marks per classroom and side (0 if never), replaced by a later one', async () => {
      expect(await store.getReadUntil(L, 'classroom-a', 'host')).toBe(0);
      await store.setReadUntil(L, 'classroom-a', 'host', T + 10);
      await store.setReadUntil(L, 'classroom-a', 'classroom', T + 20);
      await store.setReadUntil(L, 'classroom-b', 'host', T + 30);
      await store.setReadUntil(L, 'classroom-a', 'host', T + 40);
      expect(await store.getReadUntil(L, 'classroom-a', 'host')).toBe(T + 40);
      expect(await store.getReadUntil(L, 'classroom-a', 'classroom')).toBe(T + 20);
      expect(await store.getReadUntil(L, 'classroom-b', 'host')).toBe(T + 30);
      expect(await store.getReadUntil(L, 'classroom-b', 'classroom')).toBe(0);
      expect(await store.getReadUntil('lesson-2', 'classroom-a', 'host')).toBe(0);
      await expect(store.setReadUntil(L, 'classroom-a', 'host', Number.NaN)).rejects.toBeInstanceOf(
        InvalidRecordError,
      );
    });
  });

  it('keeps the whole interaction across a close and reopen', async () => {
    await store.raiseHand(hand('classroom-2', T + 1));
    await store.raiseHand(hand('classroom-1', T + 1));
    await store.putStage(L, [member('classroom-3', T, true)]);
    await store.putQuestion(question('q1', T));
    await store.setVote(L, 'q1', 'classroom-2', true);
    await store.putQuiz(quiz('quiz-1', T));
    await store.putQuizAnswer(answer('classroom-1', T + 5));
    await store.appendMessage(message('m1', 'classroom-1', T));
    await store.appendMessage(message('m2', 'classroom-1', T + 1, { from: 'host' }));
    await store.setReadUntil(L, 'classroom-1', 'host', T + 1);
    await store.close();

    const reopened = await open();
    expect(await reopened.listHands(L)).toEqual([hand('classroom-1', T + 1), hand('classroom-2', T + 1)]);
    expect(await reopened.raiseHand(hand('classroom-1', T + 9))).toBe(false);
    expect(await reopened.getStage(L)).toEqual([member('classroom-3', T, true)]);
    expect(await reopened.listQuestions(L)).toEqual([{ ...question('q1', T), voters: ['classroom-2'] }]);
    expect(await reopened.getQuiz(L, 'quiz-1')).toEqual(quiz('quiz-1', T));
    expect(await reopened.listQuizzes(L)).toEqual([quiz('quiz-1', T)]);
    expect(await reopened.listQuizAnswers(L, 'quiz-1')).toEqual([answer('classroom-1', T + 5)]);
    expect(await reopened.listMessages(L, 'classroom-1')).toEqual([
      message('m1', 'classroom-1', T),
      message('m2', 'classroom-1', T + 1, { from: 'host' }),
    ]);
    expect(await reopened.getReadUntil(L, 'classroom-1', 'host')).toBe(T + 1);
    expect(await reopened.getReadUntil(L, 'classroom-1', 'classroom')).toBe(0);
  });
});
