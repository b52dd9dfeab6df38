/**
 * The host's camera and microphone: opening them, switching devices and
 * noticing when one is lost. One track per kind, shared by the preview and
 * the Publisher.
 */
import type { MediaKind } from '@cloudschool/protocol';
import { serial } from '@cloudschool/protocol';

/** Why a device gave no track, in terms a teacher can act on. */
export type CaptureProblem =
  'denied' | 'not-found' | 'busy' | 'bad-device' | 'ended' | 'insecure' | 'unknown';

export function captureProblem(error: unknown): CaptureProblem {
  const name = error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
      return 'not-found';
    // Windows reports a camera held by another program as NotReadableError, some browsers as AbortError.
    case 'NotReadableError':
    case 'AbortError':
      return 'busy';
    case 'OverconstrainedError':
      return 'bad-device';
    default:
      return 'unknown';
  }
}

export interface DeviceChoice {
  id: string;
  /** Empty until the browser has been allowed to use the devices. */
  label: string;
}

type PerKind<T> = Record<MediaKind, T>;

export interface CaptureView {
  tracks: PerKind<MediaStreamTrack | null>;
  problems: PerKind<CaptureProblem | null>;
  devices: PerKind<DeviceChoice[]>;
  /** The device each kind uses or should use; '' for the system default. */
  selected: PerKind<string>;
  /** The devices have been listed at least once (the lists are empty before). */
  listed: boolean;
}

export interface CaptureListener {
  /** A new snapshot, after every change. */
  view(view: CaptureView): void;
  /** The track of a kind changed (null: none). */
  track(kind: MediaKind, track: MediaStreamTrack | null): void;
}

const kinds: readonly MediaKind[] = ['video', 'audio'];

/** Before anything is opened or listed. */
export const blankCaptureView: CaptureView = {
  tracks: { video: null, audio: null },
  problems: { video: null, audio: null },
  devices: { video: [], audio: [] },
  selected: { video: '', audio: '' },
  listed: false,
};

function constraints(kind: MediaKind, deviceId: string): MediaTrackConstraints {
  const device = deviceId ? { deviceId: { exact: deviceId } } : {};
  return kind === 'video'
    ? { ...device, width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } }
    : // A teacher speaks into a room: the browser's voice processing helps.
      { ...device, echoCancellation: true, noiseSuppression: true, autoGainControl: true };
}

export class LocalMedia {
  readonly #listener: CaptureListener;
  readonly #serial = serial();
  #view: CaptureView = blankCaptureView;
  #closed = false;

  constructor(listener: CaptureListener) {
    this.#listener = listener;
  }

  /** Opens both devices with a single permission prompt, then lists the devices. */
  open(): Promise<void> {
    return this.#serial(async () => {
      // Browsers only offer cameras to secure pages (HTTPS or localhost).
      if (!window.isSecureContext) {
        this.#update({ problems: { video: 'insecure', audio: 'insecure' }, listed: true });
        return;
      }
      navigator.mediaDevices.addEventListener('devicechange', this.#onDeviceChange);
      try {
        const stream = await navigator.mediaDevices.getUserMedia({
          video: constraints('video', ''),
          audio: constraints('audio', ''),
        });
        for (const track of stream.getTracks()) this.#adopt(track);
      } catch (error) {
        const problem = captureProblem(error);
        if (problem === 'denied') this.#update({ problems: { video: problem, audio: problem } });
        // One missing or busy device fails both: find out which one works.
        else for (const kind of kinds) await this.#openKind(kind);
      }
      await this.#listDevices();
    });
  }

  select(kind: MediaKind, deviceId: string): Promise<void> {
    return this.#serial(async () => {
      this.#update({ selected: { ...this.#view.selected, [kind]: deviceId } });
      // Some cameras cannot be opened twice: let go of the old one first.
      this.#view.tracks[kind]?.stop();
      await this.#openKind(kind);
    });
  }

  /** Tries again every kind that has no track. */
  retry(): Promise<void> {
    return this.#serial(async () => {
      for (const kind of kinds) if (!this.#view.tracks[kind]) await this.#openKind(kind);
      await this.#listDevices();
    });
  }

  close(): void {
    this.#closed = true;
    if (window.isSecureContext)
      navigator.mediaDevices.removeEventListener('devicechange', this.#onDeviceChange);
    for (const kind of kinds) this.#view.tracks[kind]?.stop();
  }

  readonly #onDeviceChange = (): void => {
    void this.#serial(() => this.#listDevices());
  };

  #update(change: Partial<CaptureView>): void {
    this.#view = { ...this.#view, ...change };
    if (!this.#closed) this.#listener.view(this.#view);
  }

  #setTrack(kind: MediaKind, track: MediaStreamTrack | null, problem: CaptureProblem | null): void {
    this.#update({
      tracks: { ...this.#view.tracks, [kind]: track },
      problems: { ...this.#view.problems, [kind]: problem },
    });
    if (!this.#closed) this.#listener.track(kind, track);
  }

  async #openKind(kind: MediaKind): Promise<void> {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        [kind]: constraints(kind, this.#view.selected[kind]),
      });
      for (const track of stream.getTracks()) this.#adopt(track);
    } catch (error) {
      this.#setTrack(kind, null, captureProblem(error));
    }
  }

  #adopt(track: MediaStreamTrack): void {
    const kind: MediaKind = track.kind === 'video' ? 'video' : 'audio';
    if (this.#closed) {
      track.stop();
      return;
    }
    const previous = this.#view.tracks[kind];
    if (previous && previous !== track) previous.stop();
    // Unplugged, or taken away by the system: say so rather than freeze.
    track.addEventListener('ended', () => {
      if (this.#view.tracks[kind] === track) this.#setTrack(kind, null, 'ended');
    });
    const deviceId = track.getSettings().deviceId ?? this.#view.selected[kind];
    this.#update({ selected: { ...this.#view.selected, [kind]: deviceId } });
    this.#setTrack(kind, track, null);
  }

  async #listDevices(): Promise<void> {
    const all = await navigator.mediaDevices.enumerateDevices();
    const pick = (type: MediaDeviceKind): DeviceChoice[] =>
      all
        .filter((device) => device.kind === type && device.deviceId !== '')
        .map((device) => ({ id: device.deviceId, label: device.label }));
    this.#update({ devices: { video: pick('videoinput'), audio: pick('audioinput') }, listed: true });
  }
}
