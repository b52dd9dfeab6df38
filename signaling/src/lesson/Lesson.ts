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
} from '@cloudschool/protocol';
import type { LessonEvent, PeerInfo, TrackInfo } from '../cluster/messages.ts';
import type { Store } from '../store/Store.ts';
import { Interaction } from './Interaction.ts';

/** A page in the lesson. For classrooms: which one (a classroom may have several pages open, e.g. during a reload). */
export type Participant = PeerInfo;

/**
 * The other nodes running the same lesson (a cluster): the lesson tells them what changes on this node,
 * and is told what changes on theirs (`receive`). A single node has nobody to tell.
 */
export interface LessonPeers {
  readonly nodeId: string;
  announce(event: LessonEvent): void;
  /** The other live nodes (each answers a `hello` with its snapshot, empty if it does not run the lesson). */
  others(): Promise<string[]>;
}

/** How long a node starting a lesson waits for the others' snapshots before it answers its first page. */
const SNAPSHOT_WAIT_MS = 1500;

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

/** A track of the lesson, received by this node or another (`node`), where consumers pull it from. */
interface Published extends TrackInfo {
  node: string;
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

interface ClassroomIndex {
  connected: Set<string>;
  /** Classroom → its camera producer. */
  cameras: Map<string, string>;
}

/** How long state changes are gathered into one `lesson:state` push. */
const STATE_PUSH_MS = 100;

/** Overview tiles one host-side page may receive at once: a 16-tile page, the stage, and some slack. */
export const MAX_TILE_CONSUMERS = 24;

/** Simulcast layers: an overview tile gets the lowest, the stage the highest the producer sends. */
const LOW = { spatialLayer: 0, temporalLayer: 2 };
const HIGH = { spatialLayer: 2, temporalLayer: 2 };

/**
 * A lesson while it runs on this node: who is in it, what everyone publishes, who is on stage, and the
 * media room it uses. In a cluster every node serving pages of the lesson runs one: each knows the whole
 * lesson (the others' pages and tracks, told through LessonPeers) and serves its own pages. Durable data
 * (schedule, roster, interaction records, the stage) lives in the store.
 */
export class Lesson extends EventEmitter<LessonEvents> {
  readonly id: string;
  readonly interaction: Interaction;
  readonly #sfu: Sfu;
  readonly #peers: LessonPeers;
  /** This node's pages. */
  readonly #participants = new Map<string, Participant>();
  /** Other nodes' pages, by node. */
  readonly #remote = new Map<string, Map<string, Participant>>();
  readonly #published = new Map<string, Published>();
  /** Nodes whose snapshot arrived, and who waits for more. */
  readonly #snapshots = new Set<string>();
  #onSnapshot: (() => void) | undefined;
  #stage: StageMember[] = [];
  #roster: LessonRoster;
  #room: MediaRoom | undefined;
  #info: LessonInfo;
  #pushTimer: NodeJS.Timeout | undefined;
  #stateTimer: NodeJS.Timeout | undefined;
  /** Built on demand from the pages and tracks; dropped on every change (#changed). */
  #index: ClassroomIndex | undefined;

  constructor(
    id: string,
    sfu: Sfu,
    store: Store,
    info: LessonInfo,
    roster: LessonRoster,
    peers: LessonPeers,
  ) {
    super();
    this.id = id;
    this.#sfu = sfu;
    this.#peers = peers;
    this.#info = info;
    this.#roster = roster;
    this.interaction = new Interaction(id, store, {
      classroomName: (classroomId) => this.#roster.classroomNames.get(classroomId) ?? classroomId,
      invitedClassroomIds: () => this.#roster.invitedClassroomIds,
      connected: (classroomId) => this.#byClassroom().connected.has(classroomId),
      cameraProducerId: (classroomId) => this.#byClassroom().cameras.get(classroomId) ?? null,
      stageChanged: (stage) => {
        this.#applyStage(stage);
        this.#peers.announce({ type: 'stage', lessonId: id });
      },
      changed: () => {
        this.#schedulePush();
        this.#peers.announce({ type: 'interaction', lessonId: id });
      },
      message: (message) => this.emit('chat', message),
    });
  }

  /** Loads what the store remembers of the stage (after a restart or on another node). */
  async restore(): Promise<void> {
    this.#stage = await this.interaction.stage();
    await this.interaction.restore();
  }

  /**
   * Asks the other nodes for their part of the lesson and waits (briefly) until each answered, so the first
   * page here sees the whole lesson (the host live on another node) rather than a moment of "offline".
   */
  async gather(): Promise<void> {
    const others = await this.#peers.others();
    this.#peers.announce({ type: 'hello', lessonId: this.id });
    const deadline = Date.now() + SNAPSHOT_WAIT_MS;
    while (!others.every((n) => this.#snapshots.has(n)) && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.#onSnapshot = () => (clearTimeout(timer), resolve());
      });
    }
    this.#onSnapshot = undefined;
  }

  /** Everything of the lesson on this node, for a node that starts running it. */
  snapshot(): LessonEvent {
    const node = this.#peers.nodeId;
    return {
      type: 'snapshot',
      lessonId: this.id,
      peers: [...this.#participants.values()],
      tracks: [...this.#published.values()].filter((p) => p.node === node).map(trackInfo),
    };
  }

  /** What another node running the lesson tells. */
  async receive(from: string, event: LessonEvent): Promise<void> {
    switch (event.type) {
      case 'snapshot': {
        this.#remote.set(from, new Map(event.peers.map((p) => [p.peerId, p])));
        for (const [id, p] of this.#published) if (p.node === from) this.#published.delete(id);
        for (const track of event.tracks) this.#published.set(track.id, { ...track, node: from });
        this.#snapshots.add(from);
        this.#onSnapshot?.();
        break;
      }
      case 'peer': {
        let peers = this.#remote.get(from);
        if (!peers) this.#remote.set(from, (peers = new Map()));
        if (event.present) peers.set(event.peer.peerId, event.peer);
        else peers.delete(event.peer.peerId);
        break;
      }
      case 'track': {
        if (event.present) this.#published.set(event.track.id, { ...event.track, node: from });
        else this.#published.delete(event.track.id);
        break;
      }
      case 'stage':
        this.#applyStage(await this.interaction.stage());
        break;
      case 'interaction':
        this.#schedulePush();
        return;
      default:
        return;
    }
    this.#changed();
    this.#schedulePush();
  }

  /** A node that ran the lesson is gone: forget its pages and tracks. */
  forgetNode(nodeId: string): void {
    const had = this.#remote.delete(nodeId);
    let tracks = false;
    for (const [id, p] of this.#published) {
      if (p.node === nodeId) tracks = this.#published.delete(id);
    }
    if (!had && !tracks) return;
    this.#changed();
    this.#schedulePush();
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

  /** The host's page, on this node or another. */
  get hostPeerId(): string | undefined {
    for (const p of this.#everyone()) if (p.role === 'host') return p.peerId;
    return undefined;
  }

  /** How many pages this node serves in the lesson (its share of the load). */
  get localPageCount(): number {
    return this.#participants.size;
  }

  /** One of this node's pages. */
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
    for (const p of this.#everyone()) if (p.classroomId) classrooms.add(p.classroomId);
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
    this.#peers.announce({ type: 'peer', lessonId: this.id, peer: participant, present: true });
    this.#changed();
    if (participant.classroomId) this.#schedulePush();
  }

  remove(peerId: string): void {
    const participant = this.#participants.get(peerId);
    if (!participant) return;
    this.#participants.delete(peerId);
    this.#peers.announce({ type: 'peer', lessonId: this.id, peer: participant, present: false });
    if (this.#room && !this.#room.closed) this.#room.existingPeer(peerId)?.close();
    this.#changed();
    if (participant.classroomId) this.#schedulePush();
    if (this.#participants.size === 0) {
      this.#room?.close();
      this.interaction.close();
      clearTimeout(this.#pushTimer);
      clearTimeout(this.#stateTimer);
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

  /**
   * Records a producer of one of this node's pages and tells the other nodes; forgets it when it closes,
   * whatever the cause. A muted stage classroom's mic starts paused.
   */
  addProducer(peerId: string, info: Omit<ProducerInfo, 'classroomId'>, producer: ProducerHandle): void {
    const who = this.#participants.get(peerId);
    const classroomId = who?.classroomId ?? null;
    const node = this.#peers.nodeId;
    // A reloaded classroom page replaces the producer its previous page left behind.
    for (const old of [...this.#published.values()]) {
      if (old.classroomId === classroomId && classroomId !== null && old.source === info.source) {
        if (old.node === node) this.#room?.getProducer(old.id)?.close();
      }
    }
    const published: Published = { ...info, classroomId, peerId, node };
    this.#published.set(info.id, published);
    this.#peers.announce({ type: 'track', lessonId: this.id, track: trackInfo(published), present: true });
    producer.onClose(() => {
      this.#peers.announce({ type: 'track', lessonId: this.id, track: trackInfo(published), present: false });
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
   * Whether a peer may receive a producer, at which simulcast layer, and which node receives the producer
   * (this one, or the one to pull it from). The host's media: everyone. A classroom's camera: the host
   * side always (overview), classrooms only while it is on stage. A classroom's microphone: only while it
   * is on stage. Nobody receives itself.
   */
  consumeRule(
    peerId: string,
    producerId: string,
  ): { layers: { spatialLayer: number; temporalLayer: number }; node: string } {
    const who = this.#participants.get(peerId);
    const p = this.#published.get(producerId);
    if (!who || !p) throw new AppError('not_found', `no producer ${producerId} in this lesson`);
    if (p.peerId === peerId || (p.classroomId !== null && p.classroomId === who.classroomId)) {
      throw new AppError('forbidden', 'a page does not receive its own media');
    }
    if (p.classroomId === null) return { layers: HIGH, node: p.node };
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
    return { layers: staged ? HIGH : LOW, node: p.node };
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

  /**
   * Which classrooms are connected and their cameras, built once per change: the host side's view asks for
   * every invited classroom (800 × 800 look-ups per push otherwise).
   */
  #byClassroom(): ClassroomIndex {
    if (this.#index) return this.#index;
    const connected = new Set<string>();
    for (const p of this.#everyone()) if (p.classroomId) connected.add(p.classroomId);
    const cameras = new Map<string, string>();
    for (const p of this.#published.values()) {
      if (p.classroomId && p.source === 'camera' && !cameras.has(p.classroomId))
        cameras.set(p.classroomId, p.id);
    }
    this.#index = { connected, cameras };
    return this.#index;
  }

  /** Every page of the lesson, on this node and the others. */
  *#everyone(): Iterable<Participant> {
    yield* this.#participants.values();
    for (const peers of this.#remote.values()) yield* peers.values();
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
        // The node receiving a mic pauses it; the copies on other nodes follow.
        if (p.source === 'mic' && p.node === this.#peers.nodeId) {
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
    const node = this.#peers.nodeId;
    for (const [id, p] of this.#published) if (p.node === node) this.#published.delete(id);
    if (reason === 'worker-died') this.emit('mediareset', 'media server restarted');
    this.#changed();
    this.#schedulePush();
  }

  /** State pushes are coalesced too: 800 classrooms joining within a minute make a few pushes a second. */
  #changed(): void {
    this.#index = undefined;
    if (this.#stateTimer) return;
    this.#stateTimer = setTimeout(() => {
      this.#stateTimer = undefined;
      this.emit('state', this.state());
    }, STATE_PUSH_MS);
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

function trackInfo(p: Published): TrackInfo {
  return { id: p.id, kind: p.kind, source: p.source, classroomId: p.classroomId, peerId: p.peerId };
}

/** The parts of a mediasoup producer the lesson needs. */
export interface ProducerHandle {
  onClose(listener: () => void): void;
  pause(): Promise<void>;
}
