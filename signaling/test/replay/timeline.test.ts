import { describe, expect, it } from 'vitest';
import type { BoardOp, BoardOpBody } from '@cloudschool/board';
import { replayTimeline } from '../../src/replay/timeline.ts';

const T = Date.UTC(2026, 11, 6, 8, 0);
const FILE = '0b7c1e2a-1111-4222-8333-444455556666';

function ops(...bodies: [number, BoardOpBody][]): BoardOp[] {
  return bodies.map(([seconds, op], i) => ({ seq: i + 1, at: T + seconds * 1000, by: 'host', op }));
}

const empty = { events: [], questions: [], quizzes: [], classroomName: (id: string) => `教室${id}` };

describe('replayTimeline', () => {
  it('starts a chapter at each page shown or courseware page put behind it; earlier ones collapse to the start', () => {
    const history = ops(
      [1, { type: 'background', pageId: 'p0', background: { fileId: FILE, page: 1 } }],
      [2, { type: 'page:add', after: 'p0', background: { fileId: FILE, page: 2 } }],
      [20, { type: 'page:turn', pageId: 'p0' }],
      [21, { type: 'view', zoom: 2, x: 800, y: 450 }],
      [30, { type: 'page:turn', pageId: 'p2' }],
      [90, { type: 'page:turn', pageId: 'p0' }],
    );
    const { chapters, marks } = replayTimeline({ ...empty, ops: history, from: T + 10_000, to: T + 60_000 });
    expect(chapters).toEqual([
      { at: T + 10_000, pageId: 'p2', page: 2, coursewarePage: 2 },
      { at: T + 20_000, pageId: 'p0', page: 1, coursewarePage: 1 },
      { at: T + 30_000, pageId: 'p2', page: 2, coursewarePage: 2 },
    ]);
    expect(marks.map((m) => [m.at - T, m.kind, m.page, m.coursewarePage])).toEqual([
      [20_000, 'page', 1, 1],
      [30_000, 'page', 2, 2],
    ]);
  });

  it('marks questions, quizzes, reveals, the stage and hands within the span, in time order', () => {
    const { marks } = replayTimeline({
      ...empty,
      ops: [],
      from: T,
      to: T + 60_000,
      questions: [
        { id: 'q1', lessonId: 'l', classroomId: 'c1', text: '为什么？', createdAt: T + 5_000, state: 'open' },
      ],
      quizzes: [
        {
          id: 'z1',
          lessonId: 'l',
          question: '几？',
          kind: 'single',
          options: ['1', '2'],
          startedAt: T + 2_000,
          closesAt: null,
          closedAt: null,
          revealed: true,
        },
      ],
      events: [
        { lessonId: 'l', at: T + 9_000, kind: 'quiz:reveal', subject: 'z1', value: null },
        { lessonId: 'l', at: T + 1_000, kind: 'hand:up', subject: 'c1', value: null },
        { lessonId: 'l', at: T + 1_500, kind: 'hand:down', subject: 'c1', value: null },
        { lessonId: 'l', at: T + 3_000, kind: 'stage:on', subject: 'c1', value: null },
        { lessonId: 'l', at: T + 4_000, kind: 'layout', subject: null, value: 'board' },
        { lessonId: 'l', at: T + 70_000, kind: 'stage:off', subject: 'c1', value: null },
      ],
    });
    expect(marks.map((m) => [m.at - T, m.kind, m.name, m.text])).toEqual([
      [1_000, 'hand', '教室c1', null],
      [2_000, 'quiz', null, '几？'],
      [3_000, 'stage:on', '教室c1', null],
      [5_000, 'question', '教室c1', '为什么？'],
      [9_000, 'quiz:reveal', null, null],
    ]);
  });
});
