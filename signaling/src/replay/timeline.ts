import { applyOp, findPage, initialBoard } from '@cloudschool/board';
import type { BoardOp, BoardState } from '@cloudschool/board';
import type { ReplayChapter, ReplayMark } from '@cloudschool/protocol';
import type { LessonEvent } from '../store/entities/lessonEvents.ts';
import type { Question, Quiz } from '../domain/types.ts';

export interface TimelineInput {
  /** The board's whole history, in seq order. */
  ops: readonly BoardOp[];
  events: readonly LessonEvent[];
  questions: readonly Question[];
  quizzes: readonly Quiz[];
  classroomName: (classroomId: string) => string;
  /** The replay's span: marks outside it are left out, a chapter before it starts at `from`. */
  from: number;
  to: number;
}

/** The page shown, from 1, and the courseware page behind it. */
function shownPage(state: BoardState): { page: number; coursewarePage: number | null } {
  const background = findPage(state, state.pageId)?.background;
  return {
    page: state.pages.findIndex((p) => p.id === state.pageId) + 1,
    coursewarePage: background ? background.page : null,
  };
}

/**
 * The replay's chapters (what page the board showed from when: a page turn, a new page, another
 * courseware page behind the shown one) and its marks (page turns, questions, quizzes and their answers
 * revealed, the stage, hands), from the board's history (run through the shared reducer) and the lesson's
 * records. Pure: the same input gives the same timeline.
 */
export function replayTimeline(input: TimelineInput): { chapters: ReplayChapter[]; marks: ReplayMark[] } {
  const { from, to } = input;
  const chapters: ReplayChapter[] = [];
  // The history is whole since it was kept (schema 9); a lesson compacted before starts where it does.
  let state: BoardState = { ...initialBoard(), seq: Math.max(0, (input.ops[0]?.seq ?? 1) - 1) };
  let shown = '';
  const chapter = (at: number): void => {
    const page = findPage(state, state.pageId);
    const key = `${state.pageId} ${page?.background ? `${page.background.fileId}#${page.background.page}` : ''}`;
    if (key === shown) return;
    shown = key;
    const entry = { at: Math.max(at, from), pageId: state.pageId, ...shownPage(state) };
    // Chapters before the replay starts collapse into the one it starts with.
    if (chapters.at(-1)?.at === entry.at) chapters[chapters.length - 1] = entry;
    else chapters.push(entry);
  };
  chapter(from);
  for (const op of input.ops) {
    if (op.at > to) break;
    state = applyOp(state, op);
    chapter(op.at);
  }

  const none = { page: null, coursewarePage: null, name: null, text: null };
  const marks: ReplayMark[] = chapters.slice(1).map((c) => ({
    ...none,
    at: c.at,
    kind: 'page' as const,
    page: c.page,
    coursewarePage: c.coursewarePage,
  }));
  const name = input.classroomName;
  for (const q of input.questions) {
    marks.push({ ...none, at: q.createdAt, kind: 'question', name: name(q.classroomId), text: q.text });
  }
  for (const quiz of input.quizzes)
    marks.push({ ...none, at: quiz.startedAt, kind: 'quiz', text: quiz.question });
  for (const e of input.events) {
    const who = e.subject === null ? null : name(e.subject);
    if (e.kind === 'quiz:reveal') marks.push({ ...none, at: e.at, kind: 'quiz:reveal' });
    else if (e.kind === 'stage:on' || e.kind === 'stage:off')
      marks.push({ ...none, at: e.at, kind: e.kind, name: who });
    else if (e.kind === 'hand:up') marks.push({ ...none, at: e.at, kind: 'hand', name: who });
  }
  return {
    chapters,
    marks: marks.filter((m) => m.at >= from && m.at <= to).sort((a, b) => a.at - b.at),
  };
}
