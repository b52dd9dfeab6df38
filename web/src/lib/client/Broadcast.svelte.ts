/**
 * The host console's broadcast as runes: the Publisher that sends the console's camera and microphone,
 * whether its producers are sending, whether the teacher wants to be on air (pressed start and not
 * stop since; it survives reconnects), and a start or stop in progress; and the teacher's shared screen.
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
  /** The teacher's screen is shared (until stopped here or from the browser's own bar). */
  sharing = $state(false);
  shareBusy = $state(false);
  /** The last share could not start (not a refusal by the teacher in the browser's picker). */
  shareFailed = $state(false);
  #screen: MediaStreamTrack | null = null;
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

  /**
   * Asks the browser for a screen, a window or a tab and shares it: full resolution, a low frame rate,
   * `contentHint = 'detail'` (text stays sharp). The browser's own "stop sharing" ends it like the button.
   */
  async shareScreen(): Promise<void> {
    if (this.sharing || this.shareBusy) return;
    this.shareBusy = true;
    this.shareFailed = false;
    let track: MediaStreamTrack | undefined;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({
        video: { width: { max: 1920 }, height: { max: 1080 }, frameRate: { ideal: 15, max: 15 } },
        audio: false,
      });
      track = stream.getVideoTracks()[0];
      if (!track) throw new Error('no video in the shared screen');
      track.contentHint = 'detail';
      const shared = track;
      shared.addEventListener('ended', () => {
        if (this.#screen === shared) void this.stopScreen();
      });
      this.#screen = shared;
      await this.publisher.shareScreen(shared);
      this.sharing = true;
    } catch (error) {
      this.#screen = null;
      track?.stop();
      // The teacher closed the picker: nothing went wrong.
      if (!(error instanceof DOMException && error.name === 'NotAllowedError')) {
        console.warn('[cloudschool] screen share', error);
        this.shareFailed = true;
      }
    } finally {
      this.shareBusy = false;
    }
  }

  async stopScreen(): Promise<void> {
    const track = this.#screen;
    this.#screen = null;
    this.sharing = false;
    track?.stop();
    await this.publisher.stopScreen();
  }

  /** The console stopped for good (taken over, refused, the lesson over): not on air any more. */
  halt(): void {
    this.broadcasting = false;
    const track = this.#screen;
    this.#screen = null;
    this.sharing = false;
    track?.stop();
  }
}
