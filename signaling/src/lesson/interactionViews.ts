/**
 * What pages see of the interaction, built from stored records (pure): questions in their order, a quiz
 * with its tally (for the host side, or for everyone once revealed), backchannel messages.
 */
import type { ChatMessage, Question, Quiz, QuizAnswer } from '../domain/types.ts';
import type { ChatMessageView, QuestionView, QuizView } from '@cloudschool/protocol';

export const iso = (t: number): string => new Date(t).toISOString();

/** Closed by the host, or its timer ran out. */
export function quizClosed(quiz: Quiz, now = Date.now()): boolean {
  return quiz.closedAt !== null || (quiz.closesAt !== null && now >= quiz.closesAt);
}

export function quizView(quiz: Quiz, answers: QuizAnswer[], side: 'classrooms' | 'staff'): QuizView {
  const showTally = side === 'staff' || quiz.revealed;
  return {
    id: quiz.id,
    question: quiz.question,
    kind: quiz.kind,
    options: quiz.options,
    startedAt: iso(quiz.startedAt),
    closesAt: quiz.closesAt === null ? null : iso(quiz.closesAt),
    closed: quizClosed(quiz),
    revealed: quiz.revealed,
    tally: showTally ? tally(quiz.options.length, answers) : null,
    answeredClassrooms: answers.length,
  };
}

export function questionView(q: Question & { voters: string[] }, classroomName: string): QuestionView {
  return {
    id: q.id,
    classroomId: q.classroomId,
    classroomName,
    text: q.text,
    createdAt: iso(q.createdAt),
    state: q.state,
    votes: q.voters.length,
  };
}

/** Students per option: a classroom's counts, or one per chosen option for a classroom that answered as a whole. */
export function tally(options: number, answers: QuizAnswer[]): number[] {
  const totals = new Array<number>(options).fill(0);
  for (const a of answers) {
    if (a.counts) a.counts.forEach((n, i) => (totals[i] = (totals[i] ?? 0) + n));
    else for (const c of a.choices ?? []) totals[c] = (totals[c] ?? 0) + 1;
  }
  return totals;
}

/** Pinned first, then open before answered, then most votes, then oldest. */
export function byPinnedVotesTime(a: QuestionView, b: QuestionView): number {
  const rank = (q: QuestionView): number => ({ pinned: 0, open: 1, answered: 2, dismissed: 3 })[q.state];
  return rank(a) - rank(b) || b.votes - a.votes || a.createdAt.localeCompare(b.createdAt);
}

export function chatView(m: ChatMessage): ChatMessageView {
  return { id: m.id, classroomId: m.classroomId, from: m.from, text: m.text, at: iso(m.at) };
}
