import { EventEmitter } from 'node:events';
import type { MediaRoom, Sfu } from '@cloudschool/sfu';
import type { LessonInfo, LessonState, MediaSource, ProducerInfo, Role } from '../protocol/index.ts';

export interface Participant {
  peerId: string;
  role: Role;
  displayName: string;
}

export interface LessonEvents {
  /** Something in LessonState changed. */
  state: [state: LessonState];
  /** The media room under the lesson is gone (worker died): every participant must rebuild its transports. */
  mediareset: [reason: string];
  /** No participant is left. */
  empty: [];
}

/**
 * A lesson while it runs on this node: who is in it, what the host
 * publishes, and the media room it uses. Durable lesson data (schedules,
 * rosters) lives elsewhere; this is live state only.
 */
export class Lesson extends EventEmitter<LessonEvents> {
  readonly id: string;
  readonly #sfu: Sfu;
  readonly #participants = new Map<string, Participant>();
  readonly #hostProducers = new Map<string, ProducerInfo>();
  #room: MediaRoom | undefined;
  #info: LessonInfo;

  constructor(id: string, sfu: Sfu, info: LessonInfo) {
    super();
    this.id = id;
    this.#sfu = sfu;
    this.#info = info;
  }

  get info(): LessonInfo {
    return this.#info;
  }

  /** The schedule side changed (started, ended, edited): tell everyone; an ended lesson's media stops. */
  setInfo(info: LessonInfo): void {
    this.#info = info;
    if (info.status === 'ended' || info.status === 'cancelled') this.#room?.close();
    this.#changed();
  }

  get hostPeerId(): string | undefined {
    for (const p of this.#participants.values()) if (p.role === 'host') return p.peerId;
    return undefined;
  }

  participant(peerId: string): Participant | undefined {
    return this.#participants.get(peerId);
  }

  isHostProducer(producerId: string): boolean {
    return this.#hostProducers.has(producerId);
  }

  state(): LessonState {
    let classroomCount = 0;
    for (const p of this.#participants.values()) if (p.role === 'classroom') classroomCount++;
    const hostPeerId = this.hostPeerId;
    return {
      lessonId: this.id,
      lesson: this.#info,
      serverTime: new Date().toISOString(),
      host: { connected: hostPeerId !== undefined, live: this.#hostProducers.size > 0 },
      producers: [...this.#hostProducers.values()],
      classroomCount,
    };
  }

  add(participant: Participant): void {
    this.#participants.set(participant.peerId, participant);
    this.#changed();
  }

  remove(peerId: string): void {
    if (!this.#participants.delete(peerId)) return;
    if (this.#room && !this.#room.closed) this.#room.peer(peerId).close();
    this.#changed();
    if (this.#participants.size === 0) {
      this.#room?.close();
      this.emit('empty');
    }
  }

  /** The media room, created (or re-created after a worker died) on demand. */
  async room(): Promise<MediaRoom> {
    const room = await this.#sfu.room(this.id);
    if (room !== this.#room) {
      this.#room = room;
      room.once('close', (reason) => this.#onRoomClose(room, reason));
    }
    return room;
  }

  /** Records a host producer so classrooms learn of it; forgets it when it closes, whatever the cause. */
  addHostProducer(info: ProducerInfo, onClose: (listener: () => void) => void): void {
    this.#hostProducers.set(info.id, info);
    onClose(() => {
      // A dying router closes its producers before it reports 'workerclose': let the
      // room's close announce the reset first, then the state without producers.
      if (this.#room?.router.closed) return;
      if (this.#hostProducers.delete(info.id)) this.#changed();
    });
    this.#changed();
  }

  hasHostSource(source: MediaSource): boolean {
    for (const p of this.#hostProducers.values()) if (p.source === source) return true;
    return false;
  }

  #onRoomClose(room: MediaRoom, reason: string): void {
    if (this.#room !== room) return;
    this.#room = undefined;
    this.#hostProducers.clear();
    if (reason === 'worker-died') this.emit('mediareset', 'media server restarted');
    this.#changed();
  }

  #changed(): void {
    this.emit('state', this.state());
  }
}
