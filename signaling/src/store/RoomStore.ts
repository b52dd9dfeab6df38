import type { ChatMessage, Hand, Question, Quiz, QuizAnswer, StageMember } from './entities/room.ts';

/**
 * The live interaction of a lesson (hands, stage, questions, quizzes,
 * backchannel), kept in the store so a reloaded page, a late joiner or a
 * restarted server gets the full state back. Both stores implement it and
 * pass signaling/test/store/roomstore.contract.test.ts.
 */
export interface RoomStore {
  /** Raises a hand unless it is already up; answers whether it was raised now. */
  raiseHand(hand: Hand): Promise<boolean>;
  /** Answers whether a hand was up. */
  lowerHand(lessonId: string, classroomId: string): Promise<boolean>;
  /** Hands up, oldest first (ties by classroom id). */
  listHands(lessonId: string): Promise<Hand[]>;

  getStage(lessonId: string): Promise<StageMember[]>;
  /** Replaces the stage (it holds at most a few members; the lesson serializes stage changes). */
  putStage(lessonId: string, members: StageMember[]): Promise<void>;

  /** Inserts or replaces a question (its state changes). */
  putQuestion(question: Question): Promise<void>;
  getQuestion(lessonId: string, questionId: string): Promise<Question | undefined>;
  /** Adds or removes one classroom's vote; a classroom votes at most once per question. */
  setVote(lessonId: string, questionId: string, classroomId: string, on: boolean): Promise<void>;
  /** Questions in creation order, each with the classrooms that voted for it. */
  listQuestions(lessonId: string): Promise<(Question & { voters: string[] })[]>;

  /** Inserts or replaces a quiz (closing, revealing). */
  putQuiz(quiz: Quiz): Promise<void>;
  getQuiz(lessonId: string, quizId: string): Promise<Quiz | undefined>;
  /** Quizzes in start order. */
  listQuizzes(lessonId: string): Promise<Quiz[]>;
  /** One answer per classroom and quiz: a later one replaces it. */
  putQuizAnswer(answer: QuizAnswer): Promise<void>;
  /** Answers of a quiz ordered by classroom id. */
  listQuizAnswers(lessonId: string, quizId: string): Promise<QuizAnswer[]>;

  appendMessage(message: ChatMessage): Promise<void>;
  /** One classroom's backchannel, oldest first. */
  listMessages(lessonId: string, classroomId: string): Promise<ChatMessage[]>;
  /** Until when one side has read a classroom's backchannel (0 if never). */
  setReadUntil(lessonId: string, classroomId: string, side: 'host' | 'classroom', at: number): Promise<void>;
  getReadUntil(lessonId: string, classroomId: string, side: 'host' | 'classroom'): Promise<number>;
}
