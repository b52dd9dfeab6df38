/**
 * The host console's broadcast as runes: the Publisher that sends the console's camera and microphone,
 * whether its producers are sending, whether the teacher wants to be on air (pressed start and not
 * stop since; it survives reconnects), and a start or stop in progress.
 */
import { hostProduceOptions, Publisher } from './Publisher.ts';

export class Broadcast {
  /** Producers are sending (the Publisher's view). */
  sending = $state(false);
  /** The teacher pressed start and not stop (survives reconnects). */
  broadcasting = $state(false);
  busy = $state<'starting' | 'stopping' | null>(null);
  /** The last start failed. */
  failed = $state(false);
  /** The console's send side (a MediaSide for its LessonSession). */
  readonly publisher: Publisher;

  /**
   * @param layers the camera in three simulcast layers (the default), or one encoding (`?layers=1`, a
   * benchmark switch: adaptation off)
   */
  constructor(layers: 1 | 3 = 3) {
    this.publisher = new Publisher((sending) => (this.sending = sending), hostProduceOptions(layers));
  }

  /** Goes on air; false when that failed (told by `failed`). */
  async start(): Promise<boolean> {
    this.busy = 'starting';
    this.failed = false;
    try {
      await this.publisher.goLive();
      this.broadcasting = true;
    } catch (error) {
      console.warn('[cloudschool] start broadcast', error);
      this.failed = true;
    } finally {
      this.busy = null;
    }
    return this.broadcasting;
  }

  async stop(): Promise<void> {
    this.busy = 'stopping';
    this.broadcasting = false;
    try {
      await this.publisher.stopLive();
    } finally {
      this.busy = null;
    }
  }

  /** The console stopped for good (taken over, refused, the lesson over): not on air any more. */
  halt(): void {
    this.broadcasting = false;
  }
}
