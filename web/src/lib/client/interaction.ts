/**
 * The lesson's interaction as the pages read it (pure): hands, stage,
 * questions, quizzes and the backchannel, from InteractionState and
 * PersonalState. The runes store in Interaction.svelte.ts holds the state
 * and calls these.
 */
import type {
  ChatMessageView,
  ClassroomTile,
  HandView,
  InteractionState,
  QuizAnswerView,
  QuizView,
} from '@cloudschool/protocol';

/** Before the join has told anything. */
export const emptyInteraction: InteractionState = {
  stage: [],
  stageCapacity: 1,
  hands: [],
  questions: [],
  quiz: null,
  tiles: null,
  hostQuality: null,
  deviceRequests: null,
};

/*
 * The server's limits (interaction.ts in the protocol), mirrored so that the
 * lesson pages do not load zod; the tests hold them equal.
 */
export const STAGE_CAPACITY_MAX = 4;
export const QUESTION_MAX = 300;
export const CHAT_MAX = 500;
export const QUIZ_OPTION_MAX = 100;
export const QUIZ_OPTIONS_MIN = 2;
export const QUIZ_OPTIONS_MAX = 6;
export const QUIZ_DURATION_MIN_S = 10;
export const QUIZ_DURATION_MAX_S = 3600;
export const QUIZ_COUNT_MAX = 200;

/** A classroom's place in the queue of raised hands (1 = next), or null. */
export function handPlace(hands: readonly HandView[], classroomId: string | null): number | null {
  if (classroomId === null) return null;
  const index = hands.findIndex((hand) => hand.classroomId === classroomId);
  return index < 0 ? null : index + 1;
}

/** Adds messages to a conversation: each once (a push and an ack bring the same one), oldest first. */
export function mergeMessages(
  list: readonly ChatMessageView[],
  ...added: readonly ChatMessageView[]
): ChatMessageView[] {
  const known = new Set(list.map((m) => m.id));
  const fresh: ChatMessageView[] = [];
  for (const m of added) {
    if (known.has(m.id)) continue;
    known.add(m.id);
    fresh.push(m);
  }
  if (fresh.length === 0) return [...list];
  return [...list, ...fresh].sort((a, b) => a.at.localeCompare(b.at));
}

/** The host's messages a classroom has not seen: those after its panel was last open. */
export function unseenFromHost(messages: readonly ChatMessageView[], seenUntil: string | null): number {
  return messages.filter((m) => m.from === 'host' && (seenUntil === null || m.at > seenUntil)).length;
}

/** The classrooms the host side has a conversation with: unread first, then the latest. */
export function conversations(
  tiles: readonly ClassroomTile[],
  threads: ReadonlyMap<string, readonly ChatMessageView[]>,
): ClassroomTile[] {
  const latest = (id: string): string => threads.get(id)?.at(-1)?.at ?? '';
  return tiles
    .filter((tile) => tile.unread > 0 || (threads.get(tile.classroomId)?.length ?? 0) > 0)
    .sort((a, b) => b.unread - a.unread || latest(b.classroomId).localeCompare(latest(a.classroomId)));
}

/** A classroom's answer to the quiz shown, if it answered this one (not an earlier quiz). */
export function answerTo(quiz: QuizView | null, answer: QuizAnswerView | null): QuizAnswerView | null {
  return quiz && answer && answer.quizId === quiz.id ? answer : null;
}

/** Whole seconds until the quiz closes by its timer, by the server's clock; null without a timer. */
export function quizSecondsLeft(quiz: QuizView, serverNow: number): number | null {
  if (quiz.closesAt === null) return null;
  return Math.max(0, Math.ceil((Date.parse(quiz.closesAt) - serverNow) / 1000));
}

/** The quiz takes answers: not closed, and its timer has not run out. */
export function quizOpen(quiz: QuizView, serverNow: number): boolean {
  return !quiz.closed && quizSecondsLeft(quiz, serverNow) !== 0;
}

/** A, B, C… */
export function optionLetter(index: number): string {
  return String.fromCharCode(65 + index);
}

/** Choosing an option: the only one of a single-choice quiz, or toggled among several. */
export function toggleChoice(choices: readonly number[], index: number, kind: QuizView['kind']): number[] {
  if (kind === 'single') return [index];
  return choices.includes(index)
    ? choices.filter((c) => c !== index)
    : [...choices, index].sort((a, b) => a - b);
}

/** Typed student counts → whole numbers within bounds; null when one is not a number. */
export function parseCounts(values: readonly string[]): number[] | null {
  const counts: number[] = [];
  for (const value of values) {
    const text = value.trim();
    if (text === '') {
      counts.push(0);
      continue;
    }
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0 || n > QUIZ_COUNT_MAX) return null;
    counts.push(n);
  }
  return counts;
}

export interface Bar {
  index: number;
  count: number;
  /** Of all answers, 0–1. */
  share: number;
  /** Of the longest bar, 0–1: the bar's drawn length. */
  length: number;
}

/** The chart of a tally: one bar per option. */
export function bars(tally: readonly number[]): Bar[] {
  const total = tally.reduce((sum, n) => sum + n, 0);
  const max = Math.max(0, ...tally);
  return tally.map((count, index) => ({
    index,
    count,
    share: total > 0 ? count / total : 0,
    length: max > 0 ? count / max : 0,
  }));
}

export type QuizDraftProblem = 'question' | 'options' | 'option-long' | 'duration';

export interface QuizDraft {
  question: string;
  kind: QuizView['kind'];
  /** As typed; blank ones are left out. */
  options: readonly string[];
  /** Seconds as typed; blank means no timer. */
  duration: string;
}

/** A host's quiz form → the `quiz:start` request, or what is wrong with it. */
export function quizRequest(draft: QuizDraft):
  | {
      ok: true;
      request: { question: string; kind: QuizView['kind']; options: string[]; durationSec?: number };
    }
  | { ok: false; problem: QuizDraftProblem } {
  const question = draft.question.trim();
  if (question === '' || question.length > QUESTION_MAX) return { ok: false, problem: 'question' };
  const options = draft.options.map((o) => o.trim()).filter((o) => o !== '');
  if (options.length < QUIZ_OPTIONS_MIN || options.length > QUIZ_OPTIONS_MAX) {
    return { ok: false, problem: 'options' };
  }
  if (options.some((o) => o.length > QUIZ_OPTION_MAX)) return { ok: false, problem: 'option-long' };
  const duration = draft.duration.trim();
  if (duration === '') return { ok: true, request: { question, kind: draft.kind, options } };
  const seconds = Number(duration);
  if (!Number.isInteger(seconds) || seconds < QUIZ_DURATION_MIN_S || seconds > QUIZ_DURATION_MAX_S) {
    return { ok: false, problem: 'duration' };
  }
  return { ok: true, request: { question, kind: draft.kind, options, durationSec: seconds } };
}
