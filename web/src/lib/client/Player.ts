/**
 * Shows the host's tracks in the classroom's <video> and deals with the
 * autoplay policy: play with sound if the browser lets us, otherwise play
 * muted and ask for one click (a user gesture unlocks sound for the page).
 */
export class Player {
  readonly #video: HTMLVideoElement;
  readonly #onSoundBlocked: (blocked: boolean) => void;
  #tracks: readonly MediaStreamTrack[] = [];
  #soundBlocked = false;

  constructor(video: HTMLVideoElement, onSoundBlocked: (blocked: boolean) => void) {
    this.#video = video;
    this.#onSoundBlocked = onSoundBlocked;
  }

  show(tracks: readonly MediaStreamTrack[]): void {
    if (sameTracks(tracks, this.#tracks)) return;
    this.#tracks = tracks;
    // A new stream per change: a <video> does not reliably pick up tracks added to a playing stream.
    this.#video.srcObject = tracks.length > 0 ? new MediaStream([...tracks]) : null;
    if (tracks.length > 0) void this.#play();
  }

  /** Called from a click, which is what lets the browser play sound. */
  async enableSound(): Promise<void> {
    this.#video.muted = false;
    this.#setSoundBlocked(false);
    try {
      await this.#video.play();
    } catch (error) {
      if (isAutoplayRefusal(error)) {
        this.#video.muted = true;
        this.#setSoundBlocked(true);
      }
    }
  }

  async #play(): Promise<void> {
    const video = this.#video;
    // Once refused, only a click brings sound back; trying again unmuted would only fail again.
    video.muted = this.#soundBlocked;
    try {
      await video.play();
    } catch (error) {
      // Anything else (AbortError) means a newer stream replaced this one and plays by itself.
      if (!isAutoplayRefusal(error) || video.muted) return;
      video.muted = true;
      this.#setSoundBlocked(true);
      try {
        await video.play();
      } catch {
        // Replaced meanwhile, or muted autoplay is refused too: the next stream tries again.
      }
    }
  }

  #setSoundBlocked(blocked: boolean): void {
    if (this.#soundBlocked === blocked) return;
    this.#soundBlocked = blocked;
    this.#onSoundBlocked(blocked);
  }
}

function sameTracks(a: readonly MediaStreamTrack[], b: readonly MediaStreamTrack[]): boolean {
  return a.length === b.length && a.every((track, i) => track === b[i]);
}

function isAutoplayRefusal(error: unknown): boolean {
  return error instanceof Error && error.name === 'NotAllowedError';
}
