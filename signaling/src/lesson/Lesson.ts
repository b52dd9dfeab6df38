import { EventEmitter } from 'node:events';
import type { MediaRoom, Sfu } from '@cloudschool/sfu';
import type { StageMember } from '../domain/types.ts';
import { AppError } from '../errors.ts';
import type {
  ChatMessageView,
  LessonInfo,
  LessonState,
  MediaSource,
  ProducerInfo,
  Role,
} from '../protocol/index.ts';
import type { Store } from '../store/Store.ts';
import { Interaction } from './Interaction.ts';

export interface Participant {
  peerId: string;
  role: Role;
  displayName: string;
  /** For classrooms: which one (a classroom may have several pages open, e.g. during a reload). */
  classroomId: string | null;
}

export interface LessonEvents {
  /** Something in LessonState changed. */
  state: [state: LessonState];
  /** Hands, stage, questions, quiz or tiles changed: the views must be pushed again. */
  interaction: [];
  chat: [message: ChatMessageView];
  /** The media room under the lesson is gone (worker died): every participant must rebuild its transports. */
  mediareset: [reason: string];
  /** No participant is left. */
  empty: [];
}

export interface LessonRoster {
  invitedClassroomIds: string[];
  classroomNames: Map<string, string>;
}

interface Published extends ProducerInfo {
  peerId: string;
}

export interface MediaReport {
  participants: {
    peerId: string;
    role: Role;
    classroomId: string | null;
    audio: number;
    video: number;
    workerPid: number | null;
  }[];
  /** The workers the lesson's media uses: peers placed on each and their consumers. */
  workers: { pid: number; peers: number; consumers: number }[];
  /** Each published track and how many other workers it is piped into (one copy per worker). */
  producers: { id: string; source: MediaSource; classroomId: string | null; pipedTo: number }[];
}

/** Overview tiles one host-side page may receive at once: a 16-tile page, the stage, and some slack. */
export const MAX_TILE_CONSUMERS = 24;

/** Simulcast layers: an overview tile gets the lowest, the stage the highest the producer sends. */
const LOW = { spatialLayer: 0, temporalLayer: 2 };
const HIGH = { spatialLayer: 2, temporalLayer: 2 };

/**
 * A lesson while it runs on this node: who is in it, what everyone
 * publishes, who is on stage, and the media room it uses. Durable data
 * (schedule, roster, interaction records) lives in the store.
 */
export class Lesson extends EventEmitter<LessonEvents> {
  readonly id: string;
  readonly interaction: Interaction;
  readonly #sfu: Sfu;
  readonly #participants = new Map<string, Participant>();
  readonly #published = new Map<string, Published>();
  #stage: StageMember[] = [];
  #roster: LessonRoster;
  #room: MediaRoom | undefined;
  #info: LessonInfo;
  #pushTimer: NodeJS.Timeout | undefined;

  constructor(id: string, sfu: Sfu, store: Store, info: LessonInfo, roster: LessonRoster) {
    super();
    this.id = id;
    this.#sfu = sfu;
    this.#info = info;
    this.#roster = roster;
    this.interaction = new Interaction(id, store, {
      classroomName: (classroomId) => this.#roster.classroomNames.get(classroomId) ?? classroomId,
      invitedClassroomIds: () => this.#roster.invitedClassroomIds,
      connected: (classroomId) => this.#connected(classroomId),
      cameraProducerId: (classroomId) => this.#producerOf(classroomId, 'camera')?.id ?? null,
      stageChanged: (stage) => this.#applyStage(stage),
      changed: () => this.#schedulePush(),
      message: (message) => this.emit('chat', message),
    });
  }

  /** Loads what the store remembers of the stage (after a restart or on another node). */
  async restore(): Promise<void> {
    this.#stage = await this.interaction.stage();
    await this.interaction.restore();
  }

  get info(): LessonInfo {
    return this.#info;
  }

  /** The schedule side changed (started, ended, edited): tell everyone; an ended lesson's media stops. */
  setInfo(info: LessonInfo, roster?: LessonRoster): void {
    this.#info = info;
    if (roster) this.#roster = roster;
    if (info.status === 'ended' || info.status === 'cancelled') this.#room?.close();
    this.#changed();
    this.#schedulePush();
  }

  get hostPeerId(): string | undefined {
    for (const p of this.#participants.values()) if (p.role === 'host') return p.peerId;
    return undefined;
  }

  participant(peerId: string): Participant | undefined {
    return this.#participants.get(peerId);
  }

  isInvited(classroomId: string): boolean {
    return this.#roster.invitedClassroomIds.includes(classroomId);
  }

  onStage(classroomId: string): boolean {
    return this.#stage.some((m) => m.classroomId === classroomId);
  }

  state(): LessonState {
    const classrooms = new Set<string>();
    for (const p of this.#participants.values()) if (p.classroomId) classrooms.add(p.classroomId);
    const hostPeerId = this.hostPeerId;
    const main = [...this.#published.values()].filter(
      (p) => p.classroomId === null || this.onStage(p.classroomId),
    );
    return {
      lessonId: this.id,
      lesson: this.#info,
      serverTime: new Date().toISOString(),
      host: {
        connected: hostPeerId !== undefined,
        live: main.some((p) => p.classroomId === null),
      },
      producers: main.map(({ id, kind, source, classroomId }) => ({ id, kind, source, classroomId })),
      classroomCount: classrooms.size,
    };
  }

  add(participant: Participant): void {
    this.#participants.set(participant.peerId, participant);
    this.#changed();
    if (participant.classroomId) this.#schedulePush();
  }

  remove(peerId: string): void {
    const participant = this.#participants.get(peerId);
    if (!participant) return;
    this.#participants.delete(peerId);
    if (this.#room && !this.#room.closed) this.#room.peer(peerId).close();
    this.#changed();
    if (participant.classroomId) this.#schedulePush();
    if (this.#participants.size === 0) {
      this.#room?.close();
      this.interaction.close();
      clearTimeout(this.#pushTimer);
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

  /** One camera and one microphone per page; observers publish nothing. */
  assertCanPublish(peerId: string, source: MediaSource): void {
    const who = this.#participants.get(peerId);
    if (!who || who.role === 'observer') throw new AppError('forbidden', 'observers send nothing');
    if ([...this.#published.values()].some((p) => p.source === source && p.peerId === peerId)) {
      throw new AppError('bad_request', `the ${source} is already broadcasting`);
    }
  }

  /** Records a producer; forgets it when it closes, whatever the cause. A muted stage classroom's mic starts paused. */
  addProducer(peerId: string, info: Omit<ProducerInfo, 'classroomId'>, producer: ProducerHandle): void {
    const who = this.#participants.get(peerId);
    const classroomId = who?.classroomId ?? null;
    // A reloaded classroom page replaces the producer its previous page left behind.
    for (const old of [...this.#published.values()]) {
      if (old.classroomId === classroomId && classroomId !== null && old.source === info.source) {
        this.#room?.getProducer(old.id)?.close();
      }
    }
    this.#published.set(info.id, { ...info, classroomId, peerId });
    producer.onClose(() => {
      // A dying router closes its producers before it reports 'workerclose': let the
      // room's close announce the reset first, then the state without producers.
      if (this.#room?.closing) return;
      if (this.#published.delete(info.id)) {
        this.#changed();
        if (classroomId) this.#schedulePush();
      }
    });
    if (
      classroomId &&
      info.source === 'mic' &&
      this.#stage.find((m) => m.classroomId === classroomId)?.muted
    ) {
      void producer.pause();
    }
    this.#changed();
    if (classroomId) this.#schedulePush();
  }

  /**
   * Whether a peer may receive a producer, and at which simulcast layer.
   * The host's media: everyone. A classroom's camera: the host side always
   * (overview), classrooms only while it is on stage. A classroom's
   * microphone: only while it is on stage. Nobody receives itself.
   */
  consumeRule(
    peerId: string,
    producerId: string,
  ): { layers: { spatialLayer: number; temporalLayer: number } } {
    const who = this.#participants.get(peerId);
    const p = this.#published.get(producerId);
    if (!who || !p) throw new AppError('not_found', `no producer ${producerId} in this lesson`);
    if (p.peerId === peerId || (p.classroomId !== null && p.classroomId === who.classroomId)) {
      throw new AppError('forbidden', 'a page does not receive its own media');
    }
    if (p.classroomId === null) return { layers: HIGH };
    const staged = this.onStage(p.classroomId);
    const staff = who.role === 'host' || who.role === 'observer';
    if (p.source === 'mic' && !staged) throw new AppError('forbidden', 'only on-stage classrooms are heard');
    if (p.source === 'camera' && !staged && !staff)
      throw new AppError('forbidden', 'this classroom is not on stage');
    if (!staged && (this.#room?.existingPeer(peerId)?.consumerCount('video') ?? 0) >= MAX_TILE_CONSUMERS) {
      throw new AppError(
        'conflict',
        `at most ${MAX_TILE_CONSUMERS} overview tiles at once: close tiles off the page`,
      );
    }
    return { layers: staged ? HIGH : LOW };
  }

  /** Who receives what on this node, and on which worker: for operators and tests (never sent to classrooms). */
  mediaReport(): MediaReport {
    const room = this.#room && !this.#room.closed ? this.#room : undefined;
    return {
      participants: [...this.#participants.values()].map((p) => {
        const peer = room?.existingPeer(p.peerId);
        return {
          peerId: p.peerId,
          role: p.role,
          classroomId: p.classroomId,
          audio: peer?.consumerCount('audio') ?? 0,
          video: peer?.consumerCount('video') ?? 0,
          workerPid: peer?.workerPid ?? null,
        };
      }),
      workers: room?.workerReport() ?? [],
      producers: [...this.#published.values()].map((p) => ({
        id: p.id,
        source: p.source,
        classroomId: p.classroomId,
        pipedTo: room?.pipedCount(p.id) ?? 0,
      })),
    };
  }

  #connected(classroomId: string): boolean {
    for (const p of this.#participants.values()) if (p.classroomId === classroomId) return true;
    return false;
  }

  #producerOf(classroomId: string, source: MediaSource): Published | undefined {
    for (const p of this.#published.values())
      if (p.classroomId === classroomId && p.source === source) return p;
    return undefined;
  }

  /** Media follows the stage: who leaves is no longer heard nor shown to classrooms; mute pauses the mic. */
  #applyStage(stage: StageMember[]): void {
    const before = new Set(this.#stage.map((m) => m.classroomId));
    const after = new Set(stage.map((m) => m.classroomId));
    this.#stage = stage;
    const room = this.#room && !this.#room.closed ? this.#room : undefined;
    if (room) {
      for (const p of this.#published.values()) {
        if (p.classroomId === null) continue;
        const left = before.has(p.classroomId) && !after.has(p.classroomId);
        const joined = !before.has(p.classroomId) && after.has(p.classroomId);
        for (const { peer, consumer } of room.consumersOf(p.id)) {
          const who = this.#participants.get(peer.id);
          const staff = who?.role === 'host' || who?.role === 'observer';
          if (left && (p.source === 'mic' || !staff)) peer.closeConsumer(consumer.id, true);
          else if (left && p.source === 'camera')
            void consumer.setPreferredLayers(LOW).catch(() => undefined);
          else if (joined && p.source === 'camera')
            void consumer.setPreferredLayers(HIGH).catch(() => undefined);
        }
        if (p.source === 'mic') {
          const producer = room.getProducer(p.id);
          const muted = stage.find((m) => m.classroomId === p.classroomId)?.muted ?? false;
          if (producer && muted !== producer.paused) void (muted ? producer.pause() : producer.resume());
        }
      }
    }
    this.#changed();
  }

  #onRoomClose(room: MediaRoom, reason: string): void {
    if (this.#room !== room) return;
    this.#room = undefined;
    this.#published.clear();
    if (reason === 'worker-died') this.emit('mediareset', 'media server restarted');
    this.#changed();
    this.#schedulePush();
  }

  #changed(): void {
    this.emit('state', this.state());
  }

  /** Interaction views are coalesced: 800 classrooms answering a quiz make a few pushes, not 800. */
  #schedulePush(): void {
    if (this.#pushTimer) return;
    this.#pushTimer = setTimeout(() => {
      this.#pushTimer = undefined;
      this.emit('interaction');
    }, 100);
  }
}

/** The parts of a mediasoup producer the lesson needs. */
export interface ProducerHandle {
  onClose(listener: () => void): void;
  pause(): Promise<void>;
}
