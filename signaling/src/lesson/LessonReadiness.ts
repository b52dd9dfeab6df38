import { judgeReadiness, READINESS_REPORT_MIN_MS, readinessPending } from '@cloudschool/protocol';
import type { ClassroomReadiness, ReadinessResults } from '@cloudschool/protocol';
import { AppError } from '../errors.ts';
import type { Page, Roster } from './Roster.ts';

/**
 * Each classroom's self-check ("ready before 8:00"), kept on its page in the roster: a page of another node
 * carries its report when that node tells of it, so every node shows the same. A page reports for itself
 * only (the socket layer passes the page of the socket). A page that loses its connection loses its report
 * (`LiveLesson.reconnecting`) and reports again once back; a new page starts `checking`.
 */
export class LessonReadiness {
  readonly #roster: Roster;
  /** A page of this node carries a new report: tell the other nodes, push the host side's views. */
  readonly #changed: (page: Page) => void;
  /** When each page of this node last reported. */
  readonly #at = new Map<string, number>();

  constructor(roster: Roster, changed: (page: Page) => void) {
    this.#roster = roster;
    this.#changed = changed;
  }

  /** A classroom page's report; refused (`rate_limited`) within READINESS_REPORT_MIN_MS of its last. */
  report(page: Page, results: ReadinessResults, now = Date.now()): void {
    if (page.role !== 'classroom' || !page.classroomId)
      throw new AppError('forbidden', 'only a classroom reports its readiness');
    const last = this.#at.get(page.peerId);
    if (last !== undefined && now - last < READINESS_REPORT_MIN_MS)
      throw new AppError('rate_limited', 'readiness reports come at most once a second');
    this.#at.set(page.peerId, now);
    const updated: Page = { ...page, readiness: results };
    this.#roster.add(updated);
    this.#changed(updated);
  }

  /** A page of this node left, or lost its connection: its first report once back is taken at once. */
  forget(peerId: string): void {
    this.#at.delete(peerId);
  }

  /**
   * A classroom's readiness: its connected page's report (the newest page, while one takes over from
   * another), `checking` before it reported; null while no page of it is in the lesson.
   */
  of(classroomId: string): ClassroomReadiness | null {
    const pages = this.#roster.pagesOf(classroomId);
    if (pages.length === 0) return null;
    const page = pages.findLast((p) => !p.reconnecting) ?? pages.at(-1)!;
    return judgeReadiness(page.readiness ?? readinessPending);
  }
}
