/**
 * A finished or running lesson's behaviour timeline for the S-T analysis (stAnalysis.ts), from what the
 * store records, pure. What it does not record, it does not invent:
 *   - recorded, with times: questions (asked), quizzes (open from start to close), quiz answers, hands raised
 *     (the lesson's event log), the host's board operations (writing: stroke, shape, text, erase, clear, undo,
 *     redo; courseware: page turns, new pages, backgrounds) from the board's kept history — a board compacted
 *     before that history existed (schema 9) lost its early operations' times;
 *   - derived: the host broadcasting, taken as the lesson's span (started → ended): whether the host's camera
 *     and microphone were live is not recorded;
 *   - not recorded: the host teacher's voice activity (no audio-level observer is kept), nor whether an
 *     on-stage classroom speaks (the event log says who was on stage when, not who talked).
 * So T is inferred from the host broadcasting and its board work, not from its voice; S from the
 * interaction records. The report says which (`notRecorded`, `boardComplete`).
 */
import type { BoardOp } from '@cloudschool/board';
import type { Lesson, LessonEvent, Question, Quiz, QuizAnswer } from './types.ts';
import type { TimelineEvent } from './stAnalysis.ts';

export interface RecordedTimeline {
  span: { from: number; to: number };
  events: TimelineEvent[];
  /** Events of each kind the records gave. */
  evidence: Record<
    'question' | 'quiz_open' | 'quiz_answer' | 'hand_raised' | 'host_board' | 'host_courseware',
    number
  >;
  /** Behaviours the method counts that the platform does not record (teacher_voice, stage_speech). */
  notRecorded: string[];
  /** Whether every board operation of the lesson still has its time (none folded into a snapshot). */
  boardComplete: boolean;
}

const WRITING = new Set(['stroke', 'shape', 'text', 'erase', 'clear', 'undo', 'redo']);
const COURSEWARE = new Set(['page:add', 'page:turn', 'background']);

export function boardKind(op: BoardOp): 'host_board' | 'host_courseware' | null {
  if (op.by !== 'host') return null;
  if (WRITING.has(op.op.type)) return 'host_board';
  if (COURSEWARE.has(op.op.type)) return 'host_courseware';
  return null;
}

/** The lesson's timeline, or null before it started. `now` ends a running lesson's span. */
export function recordedTimeline(
  lesson: Lesson,
  records: {
    questions: readonly Question[];
    quizzes: readonly Quiz[];
    answers: readonly QuizAnswer[];
    /** The lesson's event log (hands, stage, layout, …). */
    events: readonly LessonEvent[];
    /**
     * The board's kept history (board/history.ts) and the seq of its snapshot (0: none): a history that does
     * not start at 1 under a snapshot lost its first operations to a compaction before it was kept.
     */
    boardOps: readonly BoardOp[];
    boardSnapshotSeq: number;
  },
  now: number,
): RecordedTimeline | null {
  if (lesson.startedAt === null) return null;
  const from = lesson.startedAt;
  const to = Math.max(from, lesson.endedAt ?? Math.min(now, lesson.endsAt));
  const evidence: RecordedTimeline['evidence'] = {
    question: 0,
    quiz_open: 0,
    quiz_answer: 0,
    hand_raised: 0,
    host_board: 0,
    host_courseware: 0,
  };
  const events: TimelineEvent[] = [{ kind: 'host_broadcast', from, to }];
  for (const q of records.questions) {
    events.push({ kind: 'question', at: q.createdAt });
    evidence.question++;
  }
  for (const quiz of records.quizzes) {
    events.push({ kind: 'quiz_open', from: quiz.startedAt, to: quiz.closedAt ?? quiz.closesAt ?? to });
    evidence.quiz_open++;
  }
  for (const a of records.answers) {
    events.push({ kind: 'quiz_answer', at: a.at });
    evidence.quiz_answer++;
  }
  for (const e of records.events) {
    if (e.kind !== 'hand:up') continue;
    events.push({ kind: 'hand_raised', at: e.at });
    evidence.hand_raised++;
  }
  for (const op of records.boardOps) {
    const kind = boardKind(op);
    if (!kind) continue;
    events.push({ kind, at: op.at });
    evidence[kind]++;
  }
  return {
    span: { from, to },
    events,
    evidence,
    notRecorded: ['teacher_voice', 'stage_speech'],
    boardComplete: records.boardSnapshotSeq === 0 || records.boardOps[0]?.seq === 1,
  };
}
