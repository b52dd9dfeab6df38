import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import { LayerHold } from '@cloudschool/sfu';
import type {
  MediaPeer,
  MediaRoom,
  PlainSrtp,
  PlainTransportInfo,
  Sfu,
  WebRtcTransportInfo,
} from '@cloudschool/sfu';
import type {
  ConsumerInfo,
  DtlsParameters,
  IceParameters,
  MediaKind,
  MediaSource,
  ProducerInfo,
  RtpCapabilities,
  RtpParameters,
} from '@cloudschool/protocol';
import { serial } from '@cloudschool/protocol';
import type { Serial } from '@cloudschool/protocol';
import { AppError } from '../errors.ts';
import type { Fabric, LessonChange, TrackInfo } from '../fabric/Fabric.ts';
import type { StageMember } from '../domain/types.ts';
import {
  checkProduce,
  consumerCeiling,
  HIGH,
  PAGE_CEILINGS,
  producerCeiling,
  receiveLayers,
  stageEffect,
} from './mediaRules.ts';
import type { Page, Roster } from './Roster.ts';

/** A shared screen's consumers get the link's bitrate before the camera's (2) and overview tiles' (1). */
const SCREEN_PRIORITY = 3;

/** A track of the lesson and the node that receives it (where consumers elsewhere bring it from). */
export interface Track extends TrackInfo {
  node: string;
}

export interface LessonMediaEvents {
  /** For the other nodes running the lesson. */
  tell: [change: LessonChange];
  /** The lesson's main media or the classrooms' cameras changed (`classroom`: a classroom's track). */
  changed: [classroom: boolean];
  /** The host teacher's shared screen started (true) or ended (false), on this node or another. */
  screen: [shared: boolean];
  /** The server closed a page's consumer (its producer went, or the stage rule): the page must drop it. */
  consumerclose: [peerId: string, consumerId: string];
  /** The media room is gone (a worker died): every page must rebuild its transports. */
  reset: [reason: string];
  /** mediasoup's score (0–10) of a stream sent to a page (null: the consumer is gone). */
  receivescore: [page: Page, consumerId: string, score: number | null];
  /** mediasoup's score of what a page sends (its best layer; null: nothing sent). */
  sendscore: [page: Page, score: number | null];
}

export interface MediaReport {
  participants: {
    peerId: string;
    role: Page['role'];
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

/**
 * Validated payloads are typed like mediasoup's own parameters except that the schemas keep unknown keys;
 * mediasoup checks them again in the worker.
 */
const asRtpParameters = (p: RtpParameters): ms.RtpParameters => p as ms.RtpParameters;
const asRtpCapabilities = (p: RtpCapabilities): ms.RtpCapabilities => p as ms.RtpCapabilities;

/**
 * The media of a lesson on this node: its room on the SFU (created on demand, again after a worker died),
 * every track of the lesson wherever it is received, and the media rules (mediaRules.ts) applied to this
 * node's pages when they consume and when the stage changes.
 */
export class LessonMedia extends EventEmitter<LessonMediaEvents> {
  readonly #lessonId: string;
  readonly #sfu: Sfu;
  readonly #fabric: Fabric;
  readonly #roster: Roster;
  readonly #tracks = new Map<string, Track>();
  #stage: StageMember[] = [];
  #room: MediaRoom | undefined;
  /** What each page is making (transports, producers, consumers), one at a time. */
  readonly #making = new Map<string, Serial>();
  /** The layer holds of this node's simulcast consumers. */
  readonly #holds = new WeakMap<ms.Consumer, LayerHold>();
  /** Each page's main-media consumers, by peer and consumer id: since when each sends (null: it does not). */
  readonly #sending = new Map<string, Map<string, { kind: MediaKind; since: number | null }>>();
  /** Classroom → its camera track, built on demand and dropped on every change of the tracks. */
  #cameras: Map<string, string> | undefined;
  /** Set once the lesson is over: no room is made again. */
  #stopped = false;
  #closed = false;

  constructor(lessonId: string, sfu: Sfu, fabric: Fabric, roster: Roster) {
    super();
    this.#lessonId = lessonId;
    this.#sfu = sfu;
    this.#fabric = fabric;
    this.#roster = roster;
  }

  /** The main media: the host's tracks and those of on-stage classrooms. */
  mainTracks(): ProducerInfo[] {
    return [...this.#tracks.values()]
      .filter((t) => t.classroomId === null || this.onStage(t.classroomId))
      .map(({ id, kind, source, classroomId }) => ({ id, kind, source, classroomId }));
  }

  onStage(classroomId: string): boolean {
    return this.#stage.some((m) => m.classroomId === classroomId);
  }

  /** The main media with the node receiving each track: what a recording of the lesson takes. */
  mainMedia(): Track[] {
    return [...this.#tracks.values()]
      .filter((t) => t.classroomId === null || this.onStage(t.classroomId))
      .map((t) => ({ ...t }));
  }

  /** This node's room with `tracks` consumable in it: those received by other nodes are brought here. */
  async roomWith(tracks: readonly Track[]): Promise<MediaRoom> {
    const room = await this.#ensureRoom();
    for (const track of tracks) await this.#fabric.bring(room, track.id, track.node);
    return room;
  }

  cameraOf(classroomId: string): string | null {
    if (!this.#cameras) {
      this.#cameras = new Map();
      for (const t of this.#tracks.values()) {
        if (t.classroomId && t.source === 'camera' && !this.#cameras.has(t.classroomId))
          this.#cameras.set(t.classroomId, t.id);
      }
    }
    return this.#cameras.get(classroomId) ?? null;
  }

  /** The room's capabilities, for a page that joins (the room is made if there is none). */
  async rtpCapabilities(): Promise<RtpCapabilities> {
    return (await this.#ensureRoom()).rtpCapabilities;
  }

  // ---------------------------------------------------------------- a page's media

  async createTransport(page: Page, direction: 'send' | 'recv'): Promise<WebRtcTransportInfo> {
    return this.#within(page, 'transports', (peer) => peer.createWebRtcTransport(direction));
  }

  async createPlainTransport(
    page: Page,
    direction: 'send' | 'recv',
    srtp?: boolean,
  ): Promise<PlainTransportInfo> {
    return this.#within(page, 'transports', (peer) => peer.createPlainTransport(direction, srtp));
  }

  async connectTransport(page: Page, transportId: string, dtlsParameters: DtlsParameters): Promise<void> {
    await (await this.#peer(page)).connectWebRtcTransport(transportId, dtlsParameters);
  }

  async restartIce(page: Page, transportId: string): Promise<IceParameters> {
    return (await this.#peer(page)).restartIce(transportId);
  }

  async requestKeyFrames(page: Page, transportId: string): Promise<void> {
    await (await this.#peer(page)).requestKeyFrames(transportId);
  }

  async connectPlainTransport(
    page: Page,
    transportId: string,
    ip: string,
    port: number,
    srtp?: PlainSrtp,
  ): Promise<void> {
    await (await this.#peer(page)).connectPlainTransport(transportId, ip, port, srtp);
  }

  /**
   * One camera and one microphone per page, and the host teacher's shared screen (mediaRules'
   * checkProduce); a muted stage classroom's mic starts paused.
   */
  async produce(
    page: Page,
    transportId: string,
    kind: MediaKind,
    source: MediaSource,
    rtpParameters: RtpParameters,
  ): Promise<string> {
    checkProduce(page, kind, source);
    for (const t of this.#tracks.values()) {
      if (t.source === source && t.peerId === page.peerId)
        throw new AppError('bad_request', `the ${source} is already broadcasting`);
    }
    const producer = await this.#within(page, 'producers', (peer) =>
      peer.produce(transportId, kind, asRtpParameters(rtpParameters), { source }),
    );
    this.#addLocalTrack(page, producer, source);
    return producer.id;
  }

  async closeProducer(page: Page, producerId: string): Promise<void> {
    (await this.#peer(page)).closeProducer(producerId);
  }

  /** A consumer of a track for one of this node's pages, by the rules; the track is brought here first. */
  async consume(
    page: Page,
    transportId: string,
    producerId: string,
    rtpCapabilities: RtpCapabilities,
    thumbnail = false,
  ): Promise<ConsumerInfo> {
    const track = this.#tracks.get(producerId);
    if (!track) throw new AppError('not_found', `no producer ${producerId} in this lesson`);
    const room = await this.#ensureRoom();
    const staged = track.classroomId !== null && this.onStage(track.classroomId);
    const { consumer, layers, link } = await this.#within(page, 'consumers', async (peer) => {
      const layers = receiveLayers(page, track, staged, peer.consumerCount('video'), thumbnail);
      await this.#fabric.bring(room, producerId, track.node);
      const consumer = await peer.consume(
        transportId,
        producerId,
        asRtpCapabilities(rtpCapabilities),
        layers,
      );
      return { consumer, layers, link: peer.linkOf(consumer.id) };
    });
    // A layer a page's link failed is not offered again at once (LayerHold: village links probe and fail);
    // a picture starts on the lowest layer, for a first frame at once (startLow), then climbs.
    const hold =
      consumer.type === 'simulcast'
        ? LayerHold.attach(consumer, layers, { startLow: true, link })
        : undefined;
    if (hold) this.#holds.set(consumer, hold);
    consumer.on('score', ({ score }) => this.emit('receivescore', page, consumer.id, score));
    if (!thumbnail) this.#watchSending(page.peerId, consumer);
    consumer.observer.once('close', () => {
      hold?.close();
      this.emit('receivescore', page, consumer.id, null);
    });
    // When a page's link is short, the main picture keeps its share before overview tiles do, and a shared
    // screen (the lesson's text) before the teacher's camera. A consumer closed meanwhile (its producer
    // went, the page left) is the page's news (consumerclose), not a failure.
    if (consumer.kind === 'video' && layers === HIGH) {
      await consumer.setPriority(track.source === 'screen' ? SCREEN_PRIORITY : 2).catch((error: unknown) => {
        if (!consumer.closed) throw error;
      });
    }
    return { id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
  }

  async resumeConsumer(page: Page, consumerId: string): Promise<void> {
    await (await this.#peer(page)).resumeConsumer(consumerId);
  }

  async closeConsumer(page: Page, consumerId: string): Promise<void> {
    (await this.#peer(page)).closeConsumer(consumerId);
  }

  /**
   * Since when this node has been sending a page main media of each kind without a pause (the earliest of
   * its consumers of that kind still sending), or null: a page sent nothing is not expected to receive it
   * (a muted stage microphone, a consumer not resumed yet).
   */
  sendingSince(peerId: string): Record<MediaKind, number | null> {
    const since: Record<MediaKind, number | null> = { audio: null, video: null };
    for (const entry of this.#sending.get(peerId)?.values() ?? []) {
      if (entry.since !== null) since[entry.kind] = Math.min(since[entry.kind] ?? Infinity, entry.since);
    }
    return since;
  }

  /** The consumers the server has for a page (a page that resumes drops any other it holds). */
  consumerIds(peerId: string): string[] {
    return this.#openRoom()?.existingPeer(peerId)?.consumerIds ?? [];
  }

  /** A page of this node left: its transports, producers and consumers go. */
  leave(peerId: string): void {
    this.#making.delete(peerId);
    const room = this.#openRoom();
    room?.existingPeer(peerId)?.close();
  }

  // ---------------------------------------------------------------- what other nodes tell

  addRemoteTrack(track: Track): void {
    this.#tracks.set(track.id, track);
    this.#trackChanged(track.classroomId !== null);
    if (track.source === 'screen') this.emit('screen', true);
  }

  removeRemoteTrack(id: string): void {
    const track = this.#tracks.get(id);
    if (track && this.#tracks.delete(id)) {
      this.#trackChanged(track.classroomId !== null);
      if (track.source === 'screen') this.emit('screen', this.sharing);
    }
  }

  /** The host teacher's screen is shared (its track is received somewhere). */
  get sharing(): boolean {
    return [...this.#tracks.values()].some((t) => t.source === 'screen');
  }

  /** Tracks this node receives, for a node that starts running the lesson. */
  localTracks(): TrackInfo[] {
    return [...this.#tracks.values()].filter((t) => t.node === this.#fabric.nodeId).map(trackInfo);
  }

  // ---------------------------------------------------------------- the stage

  /** Media follows the stage: who leaves is no longer heard nor shown to classrooms; mute pauses the mic. */
  applyStage(stage: StageMember[]): void {
    const before = new Set(this.#stage.map((m) => m.classroomId));
    const after = new Set(stage.map((m) => m.classroomId));
    this.#stage = stage;
    const room = this.#openRoom();
    if (!room) return;
    for (const track of this.#tracks.values()) {
      if (track.classroomId === null) continue;
      const change = before.has(track.classroomId)
        ? after.has(track.classroomId)
          ? null
          : 'left'
        : after.has(track.classroomId)
          ? 'joined'
          : null;
      if (change) {
        for (const { peer, consumer } of room.consumersOf(track.id)) {
          const effect = stageEffect(this.#roster.local(peer.id), track, change);
          if (effect?.close) peer.closeConsumer(consumer.id, true);
          else if (effect) {
            const hold = this.#holds.get(consumer);
            if (hold) hold.prefer(effect.layers);
            else void consumer.setPreferredLayers(effect.layers).catch(() => undefined);
          }
        }
      }
      // The node receiving a mic pauses it; the copies on other nodes follow.
      if (track.source === 'mic' && track.node === this.#fabric.nodeId) {
        const producer = room.getProducer(track.id);
        const muted = stage.find((m) => m.classroomId === track.classroomId)?.muted ?? false;
        if (producer && muted !== producer.paused)
          void (muted ? producer.pause() : producer.resume()).catch(() => undefined);
      }
    }
  }

  /** Who receives what on this node, and on which worker: for operators and tests (never sent to classrooms). */
  report(pages: Page[]): MediaReport {
    const room = this.#openRoom();
    return {
      participants: pages.map((p) => {
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
      producers: [...this.#tracks.values()].map((t) => ({
        id: t.id,
        source: t.source,
        classroomId: t.classroomId,
        pipedTo: room?.pipedCount(t.id) ?? 0,
      })),
    };
  }

  /** Stops every stream of the lesson on this node for good (the lesson ended, or it closes). */
  stop(): void {
    this.#stopped = true;
    this.#room?.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.stop();
    this.removeAllListeners();
  }

  // ---------------------------------------------------------------- internals

  #openRoom(): MediaRoom | undefined {
    return this.#room && !this.#room.closed ? this.#room : undefined;
  }

  async #ensureRoom(): Promise<MediaRoom> {
    if (this.#stopped) throw new AppError('lesson_closed', 'the lesson is over');
    const room = await this.#sfu.room(this.#lessonId);
    if (room !== this.#room) {
      this.#room = room;
      room.once('close', (reason) => this.#onRoomClose(room, reason));
    }
    return room;
  }

  /** The page's media peer: the host goes to the node's ingest worker, classrooms spread. */
  async #peer(page: Page): Promise<MediaPeer> {
    const room = await this.#ensureRoom();
    const fresh = room.existingPeer(page.peerId) === undefined;
    const peer = room.peer(page.peerId, page.role === 'host' ? 'sender' : 'receiver');
    if (fresh) peer.on('consumerclose', (consumerId) => this.emit('consumerclose', page.peerId, consumerId));
    return peer;
  }

  /**
   * Makes one more of `what` for the page if it may have it (PAGE_CEILINGS), else a `conflict`. One at a
   * time per page: requests that arrive together are counted one after the other, not all against the
   * count before any of them.
   */
  #within<T>(
    page: Page,
    what: 'transports' | 'producers' | 'consumers',
    make: (peer: MediaPeer) => Promise<T>,
  ): Promise<T> {
    let queue = this.#making.get(page.peerId);
    if (!queue) this.#making.set(page.peerId, (queue = serial()));
    return queue(async () => {
      const peer = await this.#peer(page);
      const [has, ceiling] =
        what === 'transports'
          ? [peer.transportCount, PAGE_CEILINGS.transports]
          : what === 'producers'
            ? [peer.producerIds.length, producerCeiling(page)]
            : [peer.consumerCount(), consumerCeiling(page)];
      if (has >= ceiling) throw new AppError('conflict', `a page holds at most ${ceiling} ${what}`);
      return make(peer);
    });
  }

  #addLocalTrack(page: Page, producer: ms.Producer, source: MediaSource): void {
    const { classroomId } = page;
    const node = this.#fabric.nodeId;
    // A reloaded classroom page replaces the producer its previous page left behind.
    if (classroomId !== null) {
      for (const old of [...this.#tracks.values()]) {
        if (old.classroomId === classroomId && old.source === source && old.node === node)
          this.#room?.getProducer(old.id)?.close();
      }
    }
    const track: Track = {
      id: producer.id,
      kind: producer.kind,
      source,
      classroomId,
      peerId: page.peerId,
      node,
    };
    this.#tracks.set(track.id, track);
    this.emit('tell', { type: 'track', track: trackInfo(track), present: true });
    const room = this.#room;
    producer.observer.once('close', () => {
      if (source === 'camera') this.emit('sendscore', page, null);
      this.emit('tell', { type: 'track', track: trackInfo(track), present: false });
      // A dying router closes its producers before it reports 'workerclose': let the room's close
      // announce the reset first, then the state without producers.
      if (room?.closing) return;
      if (this.#tracks.delete(track.id)) {
        this.#trackChanged(classroomId !== null);
        if (source === 'screen') this.emit('screen', this.sharing);
      }
    });
    if (classroomId && source === 'mic' && this.#stage.find((m) => m.classroomId === classroomId)?.muted) {
      void producer.pause().catch(() => undefined);
    }
    this.#trackChanged(classroomId !== null);
    if (source === 'screen') this.emit('screen', true);
  }

  /**
   * Notes since when a consumer sends: resumed, its producer resumed (mediasoup's observer tells both) and
   * receiving (its score above 0: a sender whose own link failed is not this page's link failing).
   */
  #watchSending(peerId: string, consumer: ms.Consumer): void {
    // Closed while it was made (the page left): its close was told already, and would not remove it.
    if (consumer.closed) return;
    const entry = { kind: consumer.kind, since: null as number | null };
    const update = (): void => {
      const sending = !consumer.paused && !consumer.producerPaused && consumer.score.producerScore > 0;
      entry.since = sending ? (entry.since ?? Date.now()) : null;
    };
    update();
    let page = this.#sending.get(peerId);
    if (!page) this.#sending.set(peerId, (page = new Map()));
    page.set(consumer.id, entry);
    consumer.observer.on('pause', update);
    consumer.observer.on('resume', update);
    consumer.on('score', update);
    consumer.observer.once('close', () => {
      page.delete(consumer.id);
      if (page.size === 0 && this.#sending.get(peerId) === page) this.#sending.delete(peerId);
    });
  }

  #trackChanged(classroom: boolean): void {
    this.#cameras = undefined;
    this.emit('changed', classroom);
  }

  #onRoomClose(room: MediaRoom, reason: string): void {
    if (this.#room !== room) return;
    this.#room = undefined;
    const node = this.#fabric.nodeId;
    for (const [id, t] of this.#tracks) if (t.node === node) this.#tracks.delete(id);
    if (reason === 'worker-died') this.emit('reset', 'media server restarted');
    this.#trackChanged(true);
  }
}

function trackInfo(t: Track): TrackInfo {
  return { id: t.id, kind: t.kind, source: t.source, classroomId: t.classroomId, peerId: t.peerId };
}
