/**
 * A classroom's send side: its camera (simulcast, so the host's grid can take
 * the small layer) and its microphone, sent while the lesson is live. The
 * server forwards them to the host's grid, and to everyone while the
 * classroom is on stage; nobody ever hears an off-stage classroom.
 *
 * The sending is the host's Publisher; this adds the classroom's rules:
 * publish by itself once the lesson is live and a track is there, and never
 * let a camera or microphone problem break the lesson: the classroom keeps
 * watching, the page shows a small notice, and sending is tried again later.
 */
import type { Device, types } from 'mediasoup-client';
import type { LessonState, MediaKind } from '@cloudschool/protocol';
import type { StatsSource } from './inboundStats.ts';
import type { MediaLink, MediaSide } from './mediaSide.ts';
import { Publisher, vp8 } from './Publisher.ts';

/** Three layers: the grid's thumbnail, a medium one, and the full picture for the stage. */
export const CLASSROOM_ENCODINGS: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 350_000 },
  { maxBitrate: 1_200_000 },
];

/** After a failed attempt, sending is tried again no sooner than this. */
const RETRY_MS = 5_000;

export function classroomProduceOptions(
  kind: MediaKind,
  device: Device,
): Pick<types.ProducerOptions, 'encodings' | 'codec' | 'codecOptions'> {
  if (kind === 'audio') return { codecOptions: { opusDtx: true, opusFec: true } };
  // VP8: simulcast works with it in every browser.
  const codec = vp8(device);
  return { encodings: CLASSROOM_ENCODINGS, ...(codec ? { codec } : {}) };
}

export interface ClassroomPublisherListener {
  /** Whether something is being sent, after every change. */
  sending(sending: boolean): void;
  /** Sending failed (null once it works again). */
  problem(error: unknown): void;
}

export class ClassroomPublisher implements MediaSide {
  readonly #publisher: Publisher;
  readonly #listener: ClassroomPublisherListener;
  #tracks: Record<MediaKind, MediaStreamTrack | null> = { video: null, audio: null };
  #lessonLive = false;
  #linked = false;
  #busy = false;
  #lastTry = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(listener: ClassroomPublisherListener) {
    this.#listener = listener;
    this.#publisher = new Publisher((sending) => listener.sending(sending), classroomProduceOptions);
  }

  async start(link: MediaLink): Promise<void> {
    this.#linked = true;
    try {
      // Publishes again at once if it was live before the recovery.
      await this.#publisher.start(link);
      if (this.#publisher.wantLive) this.#listener.problem(null);
    } catch (error) {
      // Not the lesson's failure: watching goes on, sending is tried again.
      this.#listener.problem(error);
      this.#scheduleRetry();
    }
  }

  update(state: LessonState): void {
    this.#lessonLive = state.lesson.status === 'live';
    void this.#ensure();
  }

  /** What it sends, for the page's quality reports. */
  stats(): Promise<StatsSource | null> {
    return this.#publisher.stats();
  }

  stop(): void {
    this.#linked = false;
    clearTimeout(this.#retryTimer);
    this.#publisher.stop();
  }

  /** A track from the classroom's camera or microphone (null: none or lost). */
  async setTrack(kind: MediaKind, track: MediaStreamTrack | null): Promise<void> {
    this.#tracks[kind] = track;
    try {
      await this.#publisher.setTrack(kind, track);
    } catch (error) {
      this.#listener.problem(error);
    }
    void this.#ensure();
  }

  /** Goes live when it should and is not; at most one attempt at a time, spaced after failures. */
  async #ensure(): Promise<void> {
    const hasTrack = this.#tracks.video !== null || this.#tracks.audio !== null;
    if (this.#busy || !this.#linked || !this.#lessonLive || !hasTrack) return;
    if (this.#publisher.wantLive && this.#publisher.complete) return;
    const wait = this.#lastTry + RETRY_MS - Date.now();
    if (wait > 0) {
      this.#scheduleRetry(wait);
      return;
    }
    this.#busy = true;
    this.#lastTry = Date.now();
    try {
      // Also produces a kind that is still missing; on failure it unpublishes and can be called again.
      await this.#publisher.goLive();
      this.#listener.problem(null);
    } catch (error) {
      this.#listener.problem(error);
      this.#scheduleRetry();
    } finally {
      this.#busy = false;
    }
  }

  #scheduleRetry(wait = RETRY_MS): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#ensure(), wait);
  }
}
