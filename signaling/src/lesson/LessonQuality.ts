import { QUALITY_REPORT_MIN_MS, serial } from '@cloudschool/protocol';
import type {
  MediaKind,
  MeasuredLevel,
  QualityLevel,
  QualityReport,
  QualityVerdict,
} from '@cloudschool/protocol';
import { AppError } from '../errors.ts';
import type { QualityStore } from '../store/Store.ts';
import { judgeQuality } from './qualityLevel.ts';
import type { Page } from './Roster.ts';

/** How often the time spent at each level is added to the store. */
const FLUSH_MS = 15_000;

interface PageQuality {
  verdict: QualityVerdict;
  at: number;
  report: QualityReport | null;
  /** What the server sent the page all through that report's interval. */
  expected: Record<MediaKind, boolean>;
  /** Scores of the streams the server sends the page, by consumer, and of what it receives from it. */
  receiveScores: Map<string, number>;
  sendScore: number | null;
}

/** Whose quality: a classroom (by id), or the host's broadcast (null). */
export type QualitySubject = string | null;

/** Since when this node has sent a page main media of each kind without a pause (LessonMedia's). */
export type SendingSince = (peerId: string) => Record<MediaKind, number | null>;

const NOTHING_EXPECTED: Record<MediaKind, boolean> = { audio: false, video: false };

/**
 * How well each page's media gets through, on this node: every page's reports and mediasoup's scores
 * become one level per classroom (and one for the host's broadcast), which the host side sees on its tiles;
 * the time each classroom spends at each level is added to the store for the report. A classroom or host
 * served by another node: its level is what that node tells (`hear`).
 */
export class LessonQuality {
  readonly #lessonId: string;
  readonly #store: QualityStore;
  /** A classroom's or the host's level changed here: push views, tell the other nodes. */
  readonly #changed: (subject: QualitySubject, level: QualityLevel) => void;
  readonly #sendingSince: SendingSince;
  readonly #pages = new Map<string, PageQuality>();
  /** Levels of what this node serves, by subject (classroom id, or '' for the host). */
  readonly #local = new Map<string, QualityLevel>();
  /** Levels other nodes told, by subject. */
  readonly #remote = new Map<string, QualityLevel>();
  /** Since when each classroom's page (on this node) has reported no frame of the main picture decoded. */
  readonly #darkSince = new Map<string, number>();
  /** Time at each level not yet in the store, by classroom. */
  readonly #pending = new Map<string, Partial<Record<MeasuredLevel, number>>>();
  readonly #flushing = serial();
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  constructor(
    lessonId: string,
    store: QualityStore,
    changed: (subject: QualitySubject, level: QualityLevel) => void,
    sendingSince: SendingSince,
    onError: (err: unknown) => void,
  ) {
    this.#lessonId = lessonId;
    this.#store = store;
    this.#changed = changed;
    this.#sendingSince = sendingSince;
    this.#timer = setInterval(() => void this.flush().catch(onError), FLUSH_MS);
    this.#timer.unref();
  }

  /** A page's report: refused if it comes too soon after the last; answers the page's verdict. */
  report(page: Page, report: QualityReport, now = Date.now()): QualityVerdict {
    const q = this.#page(page.peerId);
    if (q.report && now - q.at < QUALITY_REPORT_MIN_MS) {
      throw new AppError('rate_limited', 'quality reports come every few seconds');
    }
    // The time this report stands for: never more than since the last one (a late page counts once).
    const spent = q.report ? Math.min(report.intervalMs, now - q.at) : report.intervalMs;
    q.report = report;
    q.at = now;
    const since = this.#sendingSince(page.peerId);
    const from = now - report.intervalMs;
    q.expected = {
      audio: since.audio !== null && since.audio <= from,
      video: since.video !== null && since.video <= from,
    };
    if (page.classroomId) this.#decoded(page.classroomId, report, now);
    this.#judge(page, q);
    if (page.classroomId && q.verdict.level !== 'unknown' && q.verdict.level !== 'reconnecting') {
      const pending = this.#pending.get(page.classroomId) ?? {};
      pending[q.verdict.level] = (pending[q.verdict.level] ?? 0) + spent;
      this.#pending.set(page.classroomId, pending);
    }
    return q.verdict;
  }

  /** mediasoup's score of a stream the server sends the page (a consumer), or null once it is gone. */
  receiveScore(page: Page, consumerId: string, score: number | null): void {
    const q = this.#page(page.peerId);
    if (score === null) q.receiveScores.delete(consumerId);
    else q.receiveScores.set(consumerId, score);
    this.#judge(page, q);
  }

  /** mediasoup's score of what the server receives from the page (its best simulcast layer). */
  sendScore(page: Page, score: number | null): void {
    const q = this.#page(page.peerId);
    q.sendScore = score;
    this.#judge(page, q);
  }

  /** A page of this node lost its connection (it may come back), came back, or left. */
  reconnecting(page: Page, lost: boolean): void {
    this.#set(page, lost ? 'reconnecting' : (this.#pages.get(page.peerId)?.verdict.level ?? 'unknown'));
  }

  left(page: Page): void {
    this.#pages.delete(page.peerId);
    if (page.classroomId) this.#darkSince.delete(page.classroomId);
    this.#set(page, 'unknown');
  }

  /** What another node told of a classroom it serves (or of the host). */
  hear(subject: QualitySubject, level: QualityLevel): void {
    this.#remote.set(subject ?? '', level);
  }

  levelOf(classroomId: string): QualityLevel {
    return this.#local.get(classroomId) ?? this.#remote.get(classroomId) ?? 'unknown';
  }

  /**
   * Since when (epoch ms) the classroom's page on this node has decoded no frame of the main picture, by its
   * reports; null while it decodes, or if no page of it reports here. Whether there was a picture to decode
   * (the host broadcasting) is for the caller to weigh.
   */
  darkSince(classroomId: string): number | null {
    return this.#darkSince.get(classroomId) ?? null;
  }

  hostLevel(): QualityLevel {
    return this.#local.get('') ?? this.#remote.get('') ?? 'unknown';
  }

  /** How many of these classrooms are at each level now. */
  counts(classroomIds: readonly string[]): Record<QualityLevel, number> {
    const counts: Record<QualityLevel, number> = {
      good: 0,
      fair: 0,
      poor: 0,
      bad: 0,
      unknown: 0,
      reconnecting: 0,
    };
    for (const id of classroomIds) counts[this.levelOf(id)]++;
    return counts;
  }

  /** Adds the time spent at each level since the last flush to the store. */
  flush(): Promise<void> {
    return this.#flushing(async () => {
      const pending = [...this.#pending];
      this.#pending.clear();
      for (const [classroomId, ms] of pending) {
        await this.#store.addQualityTime(this.#lessonId, classroomId, ms);
      }
    });
  }

  /** Stops the timer and stores what is pending. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.flush();
  }

  #page(peerId: string): PageQuality {
    let q = this.#pages.get(peerId);
    if (!q) {
      q = {
        verdict: { level: 'unknown', hint: 'none' },
        at: 0,
        report: null,
        expected: NOTHING_EXPECTED,
        receiveScores: new Map(),
        sendScore: null,
      };
      this.#pages.set(peerId, q);
    }
    return q;
  }

  #decoded(classroomId: string, report: QualityReport, now: number): void {
    const video = report.received?.video;
    if (video && video.fps > 0) this.#darkSince.delete(classroomId);
    // Dark since the start of the interval that showed nothing.
    else if (!this.#darkSince.has(classroomId)) this.#darkSince.set(classroomId, now - report.intervalMs);
  }

  /** The host's level is its broadcast's alone: what it receives (the stage) is not what others see of it. */
  #judge(page: Page, q: PageQuality): void {
    const scores = [...q.receiveScores.values()];
    const host = page.role === 'host';
    q.verdict = judgeQuality({
      report: q.report && host ? { ...q.report, received: null } : q.report,
      expected: host ? NOTHING_EXPECTED : q.expected,
      receiveScore: scores.length > 0 && !host ? Math.min(...scores) : null,
      sendScore: q.sendScore,
    });
    this.#set(page, q.verdict.level);
  }

  /** The level of the page's classroom, or of the host's broadcast; observers have none. */
  #set(page: Page, level: QualityLevel): void {
    if (page.role === 'observer') return;
    const key = page.classroomId ?? '';
    if ((this.#local.get(key) ?? 'unknown') === level) return;
    this.#local.set(key, level);
    this.#changed(page.classroomId, level);
  }
}
