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

/** A mark's text stays one line on the timeline. */
const LABEL_CHARS = 40;
const short = (text: string): string =>
  text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text;

/** "第 2 页" and, over courseware, which page of it. */
function pageLabel(state: BoardState): string {
  const index = state.pages.findIndex((p) => p.id === state.pageId);
  const background = findPage(state, state.pageId)?.background;
  return `第 ${index + 1} 页${background ? `（课件第 ${background.page} 页）` : ''}`;
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
  let state = initialBoard();
  let shown = '';
  const chapter = (at: number): void => {
    const page = findPage(state, state.pageId);
    const key = `${state.pageId} ${page?.background ? `${page.background.fileId}#${page.background.page}` : ''}`;
    if (key === shown) return;
    shown = key;
    const entry = { at: Math.max(at, from), pageId: state.pageId, label: pageLabel(state) };
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

  const marks: ReplayMark[] = chapters
    .slice(1)
    .map((c) => ({ at: c.at, kind: 'page' as const, label: `翻页：${c.label}` }));
  const name = input.classroomName;
  for (const q of input.questions) {
    marks.push({
      at: q.createdAt,
      kind: 'question',
      label: short(`提问（${name(q.classroomId)}）：${q.text}`),
    });
  }
  for (const quiz of input.quizzes) {
    marks.push({ at: quiz.startedAt, kind: 'quiz', label: short(`测验：${quiz.question}`) });
  }
  for (const e of input.events) {
    const who = e.subject === null ? '' : name(e.subject);
    if (e.kind === 'quiz:reveal') marks.push({ at: e.at, kind: 'quiz:reveal', label: '公布测验答案' });
    else if (e.kind === 'stage:on') marks.push({ at: e.at, kind: 'stage', label: `上台：${who}` });
    else if (e.kind === 'stage:off') marks.push({ at: e.at, kind: 'stage', label: `下台：${who}` });
    else if (e.kind === 'hand:up') marks.push({ at: e.at, kind: 'hand', label: `举手：${who}` });
  }
  return {
    chapters,
    marks: marks.filter((m) => m.at >= from && m.at <= to).sort((a, b) => a.at - b.at),
  };
}
