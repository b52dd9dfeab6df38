/**
 * Lays lessons out on a week calendar: which day column each falls in, and
 * side-by-side lanes where lessons of one day overlap. Pure.
 */
import type { LessonView } from '@cloudschool/protocol';
import { minutesIntoDay, zonedDate } from './time.ts';

export interface Span<T> {
  item: T;
  /** Minutes into the day. */
  start: number;
  end: number;
}

export interface Placed<T> extends Span<T> {
  lane: number;
  /** Lanes of the group of overlapping items this one is part of. */
  lanes: number;
}

/** Greedy lanes: each item takes the first lane free at its start; a group shares its width. */
export function layoutDay<T>(spans: readonly Span<T>[]): Placed<T>[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const placed: Placed<T>[] = [];
  let group: Placed<T>[] = [];
  let laneEnds: number[] = [];
  let groupEnd = -Infinity;
  const closeGroup = (): void => {
    for (const item of group) item.lanes = laneEnds.length;
    group = [];
    laneEnds = [];
  };
  for (const span of sorted) {
    if (span.start >= groupEnd) closeGroup();
    let lane = laneEnds.findIndex((end) => end <= span.start);
    if (lane === -1) lane = laneEnds.length;
    laneEnds[lane] = span.end;
    const item: Placed<T> = { ...span, lane, lanes: 1 };
    group.push(item);
    placed.push(item);
    groupEnd = Math.max(groupEnd, span.end);
  }
  closeGroup();
  return placed;
}

const DAY_MINUTES = 24 * 60;

/**
 * The lessons of each of `days`, placed in `timeZone`. A lesson that runs past
 * midnight is drawn up to the end of its first day.
 */
export function layoutWeek(
  lessons: readonly LessonView[],
  days: readonly string[],
  timeZone: string,
): Map<string, Placed<LessonView>[]> {
  const spans = new Map<string, Span<LessonView>[]>(days.map((day) => [day, []]));
  for (const lesson of lessons) {
    const day = zonedDate(lesson.startsAt, timeZone);
    const list = spans.get(day);
    if (!list) continue;
    const start = minutesIntoDay(lesson.startsAt, timeZone);
    const sameDay = zonedDate(lesson.endsAt, timeZone) === day;
    const end = sameDay ? minutesIntoDay(lesson.endsAt, timeZone) : DAY_MINUTES;
    // At least a quarter of an hour tall, so a short lesson stays readable.
    list.push({ item: lesson, start, end: Math.min(DAY_MINUTES, Math.max(end, start + 15)) });
  }
  return new Map([...spans].map(([day, list]) => [day, layoutDay(list)]));
}

/** The hours the calendar shows: the school day, stretched to fit every lesson. */
export function visibleHours(
  placed: Iterable<readonly Placed<unknown>[]>,
  first = 7,
  last = 21,
): [number, number] {
  let from = first;
  let to = last;
  for (const day of placed) {
    for (const item of day) {
      from = Math.min(from, Math.floor(item.start / 60));
      to = Math.max(to, Math.ceil(item.end / 60));
    }
  }
  return [from, to];
}
