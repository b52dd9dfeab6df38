/**
 * The lesson's interaction on one page, as reactive state: the whole
 * InteractionState (replaced by every `interaction:state` push), this
 * classroom's own votes, quiz answer and backchannel (from the join's
 * PersonalState, then acks and `chat:message`), and the requests that change
 * them. Pages and components read it; the pure rules are in interaction.ts.
 */
import type {
  ChatMessageView,
  ClientEvent,
  InteractionState,
  JoinResult,
  QuestionView,
  QuizAnswerView,
  RequestOf,
  Responses,
  StageView,
} from '@cloudschool/protocol';
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { answerTo, emptyInteraction, handPlace, mergeMessages } from './interaction.ts';

/** Sends a request on the lesson's link (LessonSession.request). */
export type Send = <E extends ClientEvent>(event: E, payload: RequestOf<E>) => Promise<Responses[E]>;

export class Interaction {
  /** Everything public (and, for the host side, the tiles), as last pushed. */
  state: InteractionState = $state.raw(emptyInteraction);
  /** This classroom (null on the host side). */
  classroomId: string | null = $state(null);
  /** Questions this classroom has voted for. */
  readonly votes = new SvelteSet<string>();
  /** This classroom's latest quiz answer (maybe to an earlier quiz). */
  answer: QuizAnswerView | null = $state.raw(null);
  /** Backchannel conversations by classroom: a classroom has its own only. */
  readonly threads = new SvelteMap<string, readonly ChatMessageView[]>();
  /** The join has answered at least once. */
  ready = $state(false);

  readonly #send: Send;

  constructor(send: Send) {
    this.#send = send;
  }

  // ---------------------------------------------------------------- from the server

  /** A join's answer: everything again (a reconnect may have missed pushes). */
  joined(result: JoinResult): void {
    this.classroomId = result.classroomId;
    this.state = result.interaction;
    const personal = result.personal;
    if (personal) {
      this.votes.clear();
      for (const questionId of personal.votedQuestionIds) this.votes.add(questionId);
      this.answer = personal.quizAnswer;
      const known = this.threads.get(personal.classroomId) ?? [];
      this.threads.set(personal.classroomId, mergeMessages(known, ...personal.chat));
    }
    this.ready = true;
  }

  apply(state: InteractionState): void {
    this.state = state;
  }

  message(message: ChatMessageView): void {
    const known = this.threads.get(message.classroomId) ?? [];
    this.threads.set(message.classroomId, mergeMessages(known, message));
  }

  // ---------------------------------------------------------------- read

  /** This classroom's place among the raised hands (1 = next), or null. */
  get handPlace(): number | null {
    return handPlace(this.state.hands, this.classroomId);
  }

  /** This classroom on stage, or null. */
  get onStage(): StageView | null {
    return this.state.stage.find((member) => member.classroomId === this.classroomId) ?? null;
  }

  get stageFull(): boolean {
    return this.state.stage.length >= this.state.stageCapacity;
  }

  /** This classroom's answer to the quiz shown. */
  get myAnswer(): QuizAnswerView | null {
    return answerTo(this.state.quiz, this.answer);
  }

  thread(classroomId: string | null): readonly ChatMessageView[] {
    return classroomId === null ? [] : (this.threads.get(classroomId) ?? []);
  }

  // ---------------------------------------------------------------- classroom

  async raiseHand(raised: boolean): Promise<void> {
    await this.#send(raised ? 'hand:raise' : 'hand:lower', {});
  }

  async leaveStage(): Promise<void> {
    await this.#send('stage:leave', {});
  }

  async ask(text: string): Promise<QuestionView> {
    return this.#send('question:ask', { text });
  }

  async vote(questionId: string, on: boolean): Promise<void> {
    await this.#send('question:vote', { questionId, on });
    if (on) this.votes.add(questionId);
    else this.votes.delete(questionId);
  }

  async answerQuiz(quizId: string, answer: { choices: number[] } | { counts: number[] }): Promise<void> {
    this.answer = await this.#send('quiz:answer', { quizId, ...answer });
  }

  // ---------------------------------------------------------------- backchannel (both sides)

  /** A classroom writes to the host side; the host side names the classroom. */
  async sendChat(text: string, classroomId?: string): Promise<void> {
    const sent = await this.#send('chat:send', classroomId ? { text, classroomId } : { text });
    this.message(sent);
  }

  /** The host side's conversation with a classroom so far (a reloaded console, a coordinator's patrol). */
  async loadThread(classroomId: string): Promise<void> {
    const history = await this.#send('chat:history', { classroomId });
    this.threads.set(classroomId, mergeMessages(this.threads.get(classroomId) ?? [], ...history));
  }

  async markRead(classroomId?: string): Promise<void> {
    await this.#send('chat:read', classroomId ? { classroomId } : {});
  }

  // ---------------------------------------------------------------- host

  async dismissHand(classroomId: string): Promise<void> {
    await this.#send('hand:dismiss', { classroomId });
  }

  async invite(classroomId: string): Promise<void> {
    await this.#send('stage:invite', { classroomId });
  }

  async removeFromStage(classroomId: string): Promise<void> {
    await this.#send('stage:remove', { classroomId });
  }

  async mute(classroomId: string, muted: boolean): Promise<void> {
    await this.#send('stage:mute', { classroomId, muted });
  }

  /** Lets a PC that asked to join as a classroom open elsewhere in: it takes that classroom over. */
  async admitDevice(requestId: string): Promise<void> {
    await this.#send('device:admit', { requestId });
  }

  async refuseDevice(requestId: string): Promise<void> {
    await this.#send('device:refuse', { requestId });
  }

  /** Takes a classroom's page out of the lesson; `block` also bars its PC (any PC then waits for the host). */
  async removePage(classroomId: string, block: boolean): Promise<void> {
    await this.#send('page:remove', { classroomId, block });
  }

  async setCapacity(capacity: number): Promise<void> {
    await this.#send('stage:capacity', { capacity });
  }

  async markQuestion(questionId: string, state: QuestionView['state']): Promise<void> {
    await this.#send('question:mark', { questionId, state });
  }

  async startQuiz(request: RequestOf<'quiz:start'>): Promise<string> {
    return (await this.#send('quiz:start', request)).quizId;
  }

  async closeQuiz(quizId: string): Promise<void> {
    await this.#send('quiz:close', { quizId });
  }

  async revealQuiz(quizId: string): Promise<void> {
    await this.#send('quiz:reveal', { quizId });
  }
}
