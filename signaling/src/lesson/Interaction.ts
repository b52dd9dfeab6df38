import { randomUUID } from 'node:crypto';
import { CLASS_SIZE_MAX, serial } from '@cloudschool/protocol';
import type { ChatMessage, Question, QuestionState, Quiz, QuizAnswer, StageMember } from '../domain/types.ts';
import { AppError } from '../errors.ts';
import { TokenBucket } from '../TokenBucket.ts';
import type {
  ChatMessageView,
  ClassroomReadiness,
  ClassroomTile,
  HandView,
  InteractionState,
  PersonalState,
  DeviceRequestView,
  QualityLevel,
  QuestionView,
  QuizAnswerView,
  StageView,
} from '@cloudschool/protocol';
import type { LessonEvent } from '../store/entities/lessonEvents.ts';
import type { LessonEventStore, RoomStore } from '../store/Store.ts';
import { byPinnedVotesTime, chatView, iso, questionView, quizClosed, quizView } from './interactionViews.ts';

/** What the interaction needs to know of the running lesson, and how it speaks to its pages. */
export interface InteractionHost {
  classroomName(classroomId: string): string;
  invitedClassroomIds(): string[];
  connected(classroomId: string): boolean;
  cameraProducerId(classroomId: string): string | null;
  quality(classroomId: string): QualityLevel;
  /** Its self-check (null while no page of it is in the lesson). */
  readiness(classroomId: string): ClassroomReadiness | null;
  hostQuality(): QualityLevel;
  deviceRequests(): DeviceRequestView[];
  /** The stage changed: media must follow (forward or stop forwarding voices and video). */
  stageChanged(stage: StageMember[]): void;
  /** Push the public view to classrooms and the staff view to the host side (coalesced by the caller). */
  changed(): void;
  /** A backchannel message for one classroom and the host side. */
  message(message: ChatMessageView): void;
}

/** A classroom may not flood the host with questions or messages. */
const MAX_OPEN_QUESTIONS_PER_CLASSROOM = 5;
const DEFAULT_STAGE_CAPACITY = 1;
/** Backchannel messages per classroom thread and side: a few at once, then one every 3 s. */
const CHAT_BURST = 8;
const CHAT_PER_SECOND = 1 / 3;

/**
 * Hands, stage, questions, quizzes and the backchannel of one lesson, kept in
 * the store so a reload or late join gets them back. Role checks happen in the
 * socket handlers; this class enforces the rules of the lesson itself.
 */
export class Interaction {
  readonly lessonId: string;
  readonly #store: RoomStore & LessonEventStore;
  readonly #host: InteractionHost;
  #capacity = DEFAULT_STAGE_CAPACITY;
  #quizTimer: NodeJS.Timeout | undefined;
  readonly #chatQuotas = new Map<string, TokenBucket>();
  /** Serializes changes so read-modify-write of the stage or a quiz never interleaves on this node. */
  readonly #queue = serial();

  constructor(lessonId: string, store: RoomStore & LessonEventStore, host: InteractionHost) {
    this.lessonId = lessonId;
    this.#store = store;
    this.#host = host;
  }

  // ---------------------------------------------------------------- hands

  raiseHand(classroomId: string): Promise<void> {
    return this.#change(async () => {
      if ((await this.#stage()).some((m) => m.classroomId === classroomId)) {
        throw new AppError('conflict', 'this classroom is already on stage');
      }
      if (await this.#store.raiseHand({ lessonId: this.lessonId, classroomId, raisedAt: Date.now() }))
        await this.#event('hand:up', classroomId);
    });
  }

  lowerHand(classroomId: string): Promise<void> {
    return this.#change(async () => {
      if (await this.#store.lowerHand(this.lessonId, classroomId))
        await this.#event('hand:down', classroomId);
    });
  }

  // ---------------------------------------------------------------- stage

  invite(classroomId: string): Promise<void> {
    return this.#change(async () => {
      if (!this.#host.invitedClassroomIds().includes(classroomId))
        throw new AppError('not_found', 'no such classroom');
      if (!this.#host.connected(classroomId))
        throw new AppError('conflict', 'this classroom is not connected');
      const stage = await this.#stage();
      if (stage.some((m) => m.classroomId === classroomId)) return;
      if (stage.length >= this.#capacity) {
        throw new AppError('conflict', `the stage is full (${this.#capacity}): take a classroom off first`);
      }
      await this.#store.lowerHand(this.lessonId, classroomId);
      await this.#setStage([...stage, { classroomId, since: Date.now(), muted: false }], stage);
    });
  }

  removeFromStage(classroomId: string): Promise<void> {
    return this.#change(async () => {
      const stage = await this.#stage();
      if (!stage.some((m) => m.classroomId === classroomId)) return;
      await this.#setStage(
        stage.filter((m) => m.classroomId !== classroomId),
        stage,
      );
    });
  }

  mute(classroomId: string, muted: boolean): Promise<void> {
    return this.#change(async () => {
      const stage = await this.#stage();
      if (!stage.some((m) => m.classroomId === classroomId)) throw new AppError('not_found', 'not on stage');
      await this.#setStage(
        stage.map((m) => (m.classroomId === classroomId ? { ...m, muted } : m)),
        stage,
      );
    });
  }

  setCapacity(capacity: number): Promise<void> {
    return this.#change(async () => {
      const stage = await this.#stage();
      if (stage.length > capacity)
        throw new AppError('conflict', `${stage.length} classrooms are on stage now`);
      this.#capacity = capacity;
    });
  }

  /** The stage as stored, for a lesson (re)created on this node. */
  async stage(): Promise<StageMember[]> {
    return this.#stage();
  }

  // ---------------------------------------------------------------- questions

  ask(classroomId: string, text: string): Promise<QuestionView> {
    return this.#change(async () => {
      const mine = (await this.#store.listQuestions(this.lessonId)).filter(
        (q) => q.classroomId === classroomId && q.state === 'open',
      );
      if (mine.length >= MAX_OPEN_QUESTIONS_PER_CLASSROOM) {
        throw new AppError('rate_limited', 'wait until the teacher has answered your earlier questions');
      }
      const question: Question = {
        id: randomUUID(),
        lessonId: this.lessonId,
        classroomId,
        text,
        createdAt: Date.now(),
        state: 'open',
      };
      await this.#store.putQuestion(question);
      return questionView({ ...question, voters: [] }, this.#host.classroomName(classroomId));
    });
  }

  vote(classroomId: string, questionId: string, on: boolean): Promise<void> {
    return this.#change(async () => {
      const q = await this.#store.getQuestion(this.lessonId, questionId);
      if (!q || q.state === 'dismissed') throw new AppError('not_found', 'no such question');
      if (q.classroomId === classroomId)
        throw new AppError('forbidden', 'a classroom cannot vote for its own question');
      await this.#store.setVote(this.lessonId, questionId, classroomId, on);
    });
  }

  mark(questionId: string, state: QuestionState): Promise<void> {
    return this.#change(async () => {
      const q = await this.#store.getQuestion(this.lessonId, questionId);
      if (!q) throw new AppError('not_found', 'no such question');
      await this.#store.putQuestion({ ...q, state });
      if (q.state !== state) await this.#event('question:mark', questionId, state);
    });
  }

  // ---------------------------------------------------------------- quizzes

  startQuiz(input: {
    question: string;
    kind: 'single' | 'multiple';
    options: string[];
    durationSec?: number | undefined;
  }) {
    return this.#change(async () => {
      const running = await this.#currentQuiz();
      if (running && !quizClosed(running)) await this.#store.putQuiz({ ...running, closedAt: Date.now() });
      const now = Date.now();
      const quiz: Quiz = {
        id: randomUUID(),
        lessonId: this.lessonId,
        question: input.question,
        kind: input.kind,
        options: input.options,
        startedAt: now,
        closesAt: input.durationSec ? now + input.durationSec * 1000 : null,
        closedAt: null,
        revealed: false,
      };
      await this.#store.putQuiz(quiz);
      this.#armTimer(quiz);
      return quiz.id;
    });
  }

  answer(
    classroomId: string,
    a: { quizId: string; choices?: number[] | undefined; counts?: number[] | undefined },
  ) {
    return this.#change(async (): Promise<QuizAnswerView> => {
      const quiz = await this.#store.getQuiz(this.lessonId, a.quizId);
      if (!quiz) throw new AppError('not_found', 'no such quiz');
      if (quizClosed(quiz)) throw new AppError('conflict', 'this quiz is closed');
      const n = quiz.options.length;
      let choices: number[] | null = null;
      let counts: number[] | null = null;
      if (a.choices) {
        choices = [...new Set(a.choices)].sort((x, y) => x - y);
        if (choices.some((c) => c >= n)) throw new AppError('bad_request', `choose among ${n} options`);
        if (quiz.kind === 'single' && choices.length !== 1)
          throw new AppError('bad_request', 'choose exactly one option');
      } else if (a.counts) {
        if (a.counts.length !== n)
          throw new AppError('bad_request', `give a count for each of the ${n} options`);
        if (quiz.kind === 'single' && a.counts.reduce((sum, c) => sum + c, 0) > CLASS_SIZE_MAX)
          throw new AppError('bad_request', `a classroom counts at most ${CLASS_SIZE_MAX} students`);
        counts = a.counts;
      }
      const answer: QuizAnswer = {
        lessonId: this.lessonId,
        quizId: quiz.id,
        classroomId,
        choices,
        counts,
        at: Date.now(),
      };
      await this.#store.putQuizAnswer(answer);
      return { quizId: quiz.id, choices, counts };
    });
  }

  closeQuiz(quizId: string): Promise<void> {
    return this.#change(async () => {
      const quiz = await this.#store.getQuiz(this.lessonId, quizId);
      if (!quiz) throw new AppError('not_found', 'no such quiz');
      if (!quiz.closedAt) await this.#store.putQuiz({ ...quiz, closedAt: Date.now() });
    });
  }

  reveal(quizId: string): Promise<void> {
    return this.#change(async () => {
      const quiz = await this.#store.getQuiz(this.lessonId, quizId);
      if (!quiz) throw new AppError('not_found', 'no such quiz');
      await this.#store.putQuiz({ ...quiz, closedAt: quiz.closedAt ?? Date.now(), revealed: true });
      if (!quiz.revealed) await this.#event('quiz:reveal', quizId);
    });
  }

  // ---------------------------------------------------------------- backchannel

  async send(classroomId: string, from: 'host' | 'classroom', text: string): Promise<ChatMessageView> {
    if (!this.#host.invitedClassroomIds().includes(classroomId))
      throw new AppError('not_found', 'no such classroom');
    const key = `${from} ${classroomId}`;
    let quota = this.#chatQuotas.get(key);
    if (!quota) this.#chatQuotas.set(key, (quota = new TokenBucket(CHAT_BURST, CHAT_PER_SECOND)));
    if (!quota.take()) throw new AppError('rate_limited', 'too many messages at once: wait a moment');
    const message: ChatMessage = {
      id: randomUUID(),
      lessonId: this.lessonId,
      classroomId,
      from,
      text,
      at: Date.now(),
    };
    await this.#store.appendMessage(message);
    // The sender has read everything up to its own message.
    await this.#store.setReadUntil(this.lessonId, classroomId, from, message.at);
    const view = chatView(message);
    this.#host.message(view);
    if (from === 'classroom') this.#host.changed(); // the host's unread count
    return view;
  }

  async read(classroomId: string, side: 'host' | 'classroom'): Promise<void> {
    await this.#store.setReadUntil(this.lessonId, classroomId, side, Date.now());
    if (side === 'host') this.#host.changed();
  }

  async history(classroomId: string): Promise<ChatMessageView[]> {
    return (await this.#store.listMessages(this.lessonId, classroomId)).map(chatView);
  }

  // ---------------------------------------------------------------- views

  /** The public view for classrooms, or the staff view (tiles, live tallies) for the host side. */
  async view(side: 'classrooms' | 'staff'): Promise<InteractionState> {
    const [stage, hands, questions, quiz] = await Promise.all([
      this.#stage(),
      this.#store.listHands(this.lessonId),
      this.#store.listQuestions(this.lessonId),
      this.#currentQuiz(),
    ]);
    const name = (id: string): string => this.#host.classroomName(id);
    const stageView: StageView[] = stage.map((m) => ({
      classroomId: m.classroomId,
      name: name(m.classroomId),
      muted: m.muted,
    }));
    const handViews: HandView[] = hands.map((h) => ({
      classroomId: h.classroomId,
      name: name(h.classroomId),
      raisedAt: iso(h.raisedAt),
    }));
    const questionViews = questions
      .filter((q) => side === 'staff' || q.state !== 'dismissed')
      .map((q) => questionView(q, name(q.classroomId)))
      .sort(byPinnedVotesTime);
    let tiles: ClassroomTile[] | null = null;
    if (side === 'staff') {
      const raised = new Map(hands.map((h) => [h.classroomId, h.raisedAt]));
      const onStage = new Set(stage.map((m) => m.classroomId));
      const ids = this.#host.invitedClassroomIds();
      const unread = await Promise.all(ids.map((id) => this.#unread(id)));
      tiles = ids.map((id, i) => ({
        classroomId: id,
        name: name(id),
        connected: this.#host.connected(id),
        cameraProducerId: this.#host.cameraProducerId(id),
        handRaisedAt: raised.has(id) ? iso(raised.get(id)!) : null,
        onStage: onStage.has(id),
        unread: unread[i]!,
        quality: this.#host.quality(id),
        readiness: this.#host.readiness(id),
      }));
    }
    return {
      stage: stageView,
      stageCapacity: this.#capacity,
      hands: handViews,
      questions: questionViews,
      hostQuality: side === 'staff' ? this.#host.hostQuality() : null,
      deviceRequests: side === 'staff' ? this.#host.deviceRequests() : null,
      quiz: quiz ? quizView(quiz, await this.#store.listQuizAnswers(this.lessonId, quiz.id), side) : null,
      tiles,
    };
  }

  async personal(classroomId: string): Promise<PersonalState> {
    const [questions, quiz, chat, readUntil] = await Promise.all([
      this.#store.listQuestions(this.lessonId),
      this.#currentQuiz(),
      this.history(classroomId),
      this.#store.getReadUntil(this.lessonId, classroomId, 'classroom'),
    ]);
    const answer =
      quiz &&
      (await this.#store.listQuizAnswers(this.lessonId, quiz.id)).find((a) => a.classroomId === classroomId);
    return {
      classroomId,
      votedQuestionIds: questions.filter((q) => q.voters.includes(classroomId)).map((q) => q.id),
      quizAnswer: answer ? { quizId: answer.quizId, choices: answer.choices, counts: answer.counts } : null,
      chat,
      chatReadUntil: readUntil > 0 ? iso(readUntil) : null,
    };
  }

  /** Restores what the store knows (after a restart): re-arms a running quiz's timer. */
  async restore(): Promise<void> {
    const quiz = await this.#currentQuiz();
    if (quiz && !quizClosed(quiz)) this.#armTimer(quiz);
  }

  close(): void {
    clearTimeout(this.#quizTimer);
  }

  // ---------------------------------------------------------------- internals

  #change<T>(work: () => Promise<T>): Promise<T> {
    return this.#queue(work).then((result) => {
      this.#host.changed();
      return result;
    });
  }

  async #stage(): Promise<StageMember[]> {
    return this.#store.getStage(this.lessonId);
  }

  async #setStage(stage: StageMember[], before: StageMember[]): Promise<void> {
    await this.#store.putStage(this.lessonId, stage);
    const on = (list: StageMember[], id: string): boolean => list.some((m) => m.classroomId === id);
    for (const m of stage) if (!on(before, m.classroomId)) await this.#event('stage:on', m.classroomId);
    for (const m of before) if (!on(stage, m.classroomId)) await this.#event('stage:off', m.classroomId);
    this.#host.stageChanged(stage);
  }

  /** Kept with its time for the lesson's replay (its timeline's marks). */
  async #event(kind: LessonEvent['kind'], subject: string, value: string | null = null): Promise<void> {
    await this.#store.appendLessonEvent({ lessonId: this.lessonId, at: Date.now(), kind, subject, value });
  }

  async #currentQuiz(): Promise<Quiz | undefined> {
    return (await this.#store.listQuizzes(this.lessonId)).at(-1);
  }

  #armTimer(quiz: Quiz): void {
    clearTimeout(this.#quizTimer);
    if (quiz.closesAt === null) return;
    this.#quizTimer = setTimeout(
      () => void this.closeQuiz(quiz.id).catch(() => undefined),
      quiz.closesAt - Date.now(),
    );
    this.#quizTimer.unref();
  }

  async #unread(classroomId: string): Promise<number> {
    const [messages, readUntil] = await Promise.all([
      this.#store.listMessages(this.lessonId, classroomId),
      this.#store.getReadUntil(this.lessonId, classroomId, 'host'),
    ]);
    return messages.filter((m) => m.from === 'classroom' && m.at > readUntil).length;
  }
}
