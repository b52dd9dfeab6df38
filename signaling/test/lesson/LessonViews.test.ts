import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InteractionState, LessonState } from '@cloudschool/protocol';
import { LessonViews, PUSH_COALESCE_MS } from '../../src/lesson/LessonViews.ts';
import type { LessonAudience } from '../../src/lesson/LessonViews.ts';

const views = { staff: { tiles: [] } as unknown as InteractionState, classrooms: {} as InteractionState };

function setup() {
  const pushed: string[] = [];
  const audience = {
    staffState: () => pushed.push('staff'),
    classroomState: () => pushed.push('classrooms'),
    interaction: () => pushed.push('views'),
  } as unknown as LessonAudience;
  let state = {
    lesson: { status: 'live' },
    host: { connected: true, live: false },
    producers: [],
    classroomCount: 0,
    layout: 'camera',
  };
  const built = { views: 0 };
  const lessonViews = new LessonViews(
    'l1',
    audience,
    () => state as unknown as LessonState,
    async () => (built.views++, views),
    (err) => {
      throw err;
    },
  );
  return {
    lessonViews,
    pushed,
    built,
    set: (change: Partial<typeof state>) => (state = { ...state, ...change }),
  };
}

describe('LessonViews', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('gathers many changes into one push of each kind', async () => {
    const { lessonViews, pushed, built } = setup();
    for (let i = 0; i < 800; i++) {
      lessonViews.stateChanged();
      lessonViews.interactionChanged();
    }
    await vi.advanceTimersByTimeAsync(PUSH_COALESCE_MS);
    expect(pushed.sort()).toEqual(['classrooms', 'staff', 'views']);
    expect(built.views).toBe(1);
  });

  it('pushes the state to classrooms only when what they show changes', async () => {
    const { lessonViews, pushed, set } = setup();
    lessonViews.stateChanged();
    await vi.advanceTimersByTimeAsync(PUSH_COALESCE_MS);
    set({ classroomCount: 5 });
    lessonViews.stateChanged();
    await vi.advanceTimersByTimeAsync(PUSH_COALESCE_MS);
    expect(pushed).toEqual(['staff', 'classrooms', 'staff']);
    set({ host: { connected: true, live: true } });
    lessonViews.stateChanged();
    await vi.advanceTimersByTimeAsync(PUSH_COALESCE_MS);
    expect(pushed).toEqual(['staff', 'classrooms', 'staff', 'staff', 'classrooms']);
  });

  it('pushes a new layout to the classrooms', async () => {
    const { lessonViews, pushed, set } = setup();
    lessonViews.stateChanged();
    await vi.advanceTimersByTimeAsync(PUSH_COALESCE_MS);
    set({ layout: 'screen' });
    lessonViews.stateChanged();
    await vi.advanceTimersByTimeAsync(PUSH_COALESCE_MS);
    expect(pushed).toEqual(['staff', 'classrooms', 'staff', 'classrooms']);
  });

  it('pushes nothing once closed', async () => {
    const { lessonViews, pushed } = setup();
    lessonViews.stateChanged();
    lessonViews.interactionChanged();
    lessonViews.close();
    lessonViews.stateChanged();
    await vi.advanceTimersByTimeAsync(PUSH_COALESCE_MS * 2);
    expect(pushed).toEqual([]);
  });
});
