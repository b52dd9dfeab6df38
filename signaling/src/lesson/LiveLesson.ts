import { EventEmitter } from 'node:events';
import type { LinkReport, Sfu } from '@cloudschool/sfu';
import type { LessonInfo, LessonLayout, LessonRecordingState, LessonState } from '@cloudschool/protocol';
import { Board } from '../board/Board.ts';
import type { BoardOptions } from '../board/Board.ts';
import type { Lesson as LessonRecord, StageMember } from '../domain/types.ts';
import { AppError } from '../errors.ts';
import type { DeviceRequestInfo, Fabric, LessonChange, LessonLink, PageInfo } from '../fabric/Fabric.ts';
import type { Logger } from '../logger.ts';
import type { Recorder } from '../recording/Recorder.ts';
import type {
  BoardStore,
  LessonEventStore,
  LessonStore,
  QualityStore,
  RecordingStore,
  RoomStore,
  RosterStore,
} from '../store/Store.ts';
import { describeLesson } from './describe.ts';
import { DeviceRequests } from './DeviceRequests.ts';
import { Interaction } from './Interaction.ts';
import { LessonMedia } from './LessonMedia.ts';
import { LessonQuality } from './LessonQuality.ts';
import { LessonReadiness } from './LessonReadiness.ts';
import type { MediaReport } from './LessonMedia.ts';
import { LessonRecording } from './LessonRecording.ts';
import { LessonViews } from './LessonViews.ts';
import type { LessonAudience } from './LessonViews.ts';
import { Roster } from './Roster.ts';
import type { Page } from './Roster.ts';

export interface LiveLessonDeps {
  sfu: Sfu;
  fabric: Fabric;
  store: RosterStore &
    LessonStore &
    RoomStore &
    BoardStore &
    QualityStore &
    RecordingStore &
    LessonEventStore;
  audience: LessonAudience;
  log: Logger;
  board?: BoardOptions | undefined;
  /** This node's recorder (none: the lesson is not recorded on this node). */
  recorder?: Recorder | undefined;
}

export interface LiveLessonObserverEvents {
  /** The lesson stopped running on this node (its last page here left, or the node shuts down). */
  close: [];
  /**
   * The recording started or stopped, here or on the node recording it; `problem` when the server stopped
   * it by itself (the disk ran low, ffmpeg could not go on) — the lesson goes on (an alert for the wall).
   */
  recording: [state: LessonRecordingState];
}

const NO_LINK: LessonLink = { tell: () => undefined, close: () => undefined };

/**
 * A lesson while it runs on this node: who is in it (`Roster`), its media and their rules
 * (`LessonMedia`), hands, stage, questions, quizzes and backchannel (`Interaction`), the whiteboard
 * (`Board`), and what its pages are pushed (`LessonViews`). Every node serving pages of the lesson runs
 * one; each knows the whole lesson through its link to the others (`Fabric`) and serves its own pages.
 * Durable data (schedule, roster, interaction records, the stage, the board) lives in the store.
 *
 * Made by `open()` (never half-built), ended by `close()` (idempotent): interaction, board (a final
 * snapshot), media room and link close, then `observer` emits 'close'.
 */
export class LiveLesson {
  readonly id: string;
  readonly observer = new EventEmitter<LiveLessonObserverEvents>();
  readonly interaction: Interaction;
  readonly board: Board;
  readonly media: LessonMedia;
  readonly quality: LessonQuality;
  /** The recording of its main media, on the node receiving the host's media. */
  readonly recording: LessonRecording;
  /** Each classroom's self-check before the lesson ("ready before 8:00"). */
  readonly readiness: LessonReadiness;
  /** PCs waiting for the host to let them in as a classroom, and classrooms barred to new PCs. */
  readonly devices = new DeviceRequests();
  readonly #roster: Roster;
  readonly #views: LessonViews;
  readonly #deps: LiveLessonDeps;
  readonly #log: Logger;
  #info: LessonInfo;
  /** What the classrooms show large: the host's choice; a share starting or ending switches it. */
  #layout: LessonLayout = 'camera';
  /** The lesson records itself once the host broadcasts (its record says so), once per run here. */
  #recordAutomatically: boolean;
  #autoStarted = false;
  #link: LessonLink = NO_LINK;
  #closing: Promise<void> | undefined;

  static async open(record: LessonRecord, deps: LiveLessonDeps): Promise<LiveLesson> {
    const log = deps.log.child({ lessonId: record.id });
    const { info, invitation } = await describeLesson(deps.store, record);
    const board = await Board.load(record.id, deps.store, log.child({ component: 'board' }), deps.board);
    const lesson = new LiveLesson(record, info, new Roster(deps.fabric.nodeId, invitation), board, deps, log);
    try {
      await lesson.interaction.restore();
      lesson.#applyStage(await lesson.interaction.stage());
      // Registered before it asks: what the other nodes tell arrives while it waits.
      lesson.#link = await deps.fabric.link(record.id, (from, change) => lesson.#hear(from, change));
      // An operation sequenced elsewhere between the load and the link is in the log.
      await board.catchUp();
      // A lesson another node records: its pages here show it too.
      const running = (await deps.store.listRecordings(record.id)).find((r) => r.status === 'recording');
      if (running && running.nodeId !== deps.fabric.nodeId) {
        lesson.recording.hear({
          status: 'recording',
          startedAt: new Date(running.startedAt).toISOString(),
          problem: null,
        });
      }
      return lesson;
    } catch (error) {
      await lesson.close();
      throw error;
    }
  }

  private constructor(
    record: LessonRecord,
    info: LessonInfo,
    roster: Roster,
    board: Board,
    deps: LiveLessonDeps,
    log: Logger,
  ) {
    const id = record.id;
    this.id = id;
    this.#info = info;
    this.#recordAutomatically = record.recordAutomatically === true;
    this.#roster = roster;
    this.board = board;
    this.#deps = deps;
    this.#log = log;
    const { audience } = deps;
    this.media = new LessonMedia(id, deps.sfu, deps.fabric, roster);
    this.recording = new LessonRecording({
      lessonId: id,
      recorder: deps.recorder,
      media: this.media,
      hostElsewhere: () => this.#hostElsewhere(),
      log: log.child({ component: 'recording' }),
    });
    this.recording.on('changed', (state, here) => {
      if (here) this.#link.tell({ type: 'recording', state });
      this.#changed(false);
      this.observer.emit('recording', state);
    });
    this.#views = new LessonViews(
      id,
      audience,
      () => this.state(),
      async () => {
        const [staff, classrooms] = await Promise.all([
          this.interaction.view('staff'),
          this.interaction.view('classrooms'),
        ]);
        return { staff, classrooms };
      },
      (err) => log.error({ err }, 'interaction push failed'),
    );
    this.quality = new LessonQuality(
      id,
      deps.store,
      (subject, level) => {
        this.#views.interactionChanged();
        this.#link.tell({ type: 'quality', subject, level });
      },
      (peerId) => this.media.sendingSince(peerId),
      (err) => log.error({ err }, 'quality flush failed'),
    );
    this.readiness = new LessonReadiness(roster, (page) => {
      const { node: _node, ...info } = page;
      this.#link.tell({ type: 'page', page: info, present: true });
      this.#views.interactionChanged();
    });
    this.interaction = new Interaction(id, deps.store, {
      classroomName: (classroomId) => roster.classroomName(classroomId),
      invitedClassroomIds: () => roster.invitedClassroomIds,
      connected: (classroomId) => roster.isConnected(classroomId),
      cameraProducerId: (classroomId) => this.media.cameraOf(classroomId),
      quality: (classroomId) => this.quality.levelOf(classroomId),
      hostQuality: () => this.quality.hostLevel(),
      readiness: (classroomId) => this.readiness.of(classroomId),
      deviceRequests: () => this.devices.views((classroomId) => roster.classroomName(classroomId)),
      stageChanged: (stage) => {
        this.#applyStage(stage);
        this.#link.tell({ type: 'stage' });
      },
      changed: () => {
        this.#views.interactionChanged();
        this.#link.tell({ type: 'interaction' });
      },
      message: (message) => audience.chat(id, message),
    });
    this.media.on('tell', (change) => this.#link.tell(change));
    this.media.on('changed', (classroom) => {
      this.#changed(classroom);
      this.recording.follow();
      this.#recordIfAutomatic();
    });
    // Every node hears the screen track come and go, so each switches by itself (nothing to tell).
    this.media.on('screen', (shared) => {
      if (shared) this.#setLayout('screen');
      else if (this.#layout === 'screen') this.#setLayout('camera');
    });
    this.media.on('consumerclose', (peerId, consumerId) => audience.consumerClosed(id, peerId, consumerId));
    this.media.on('receivescore', (page, consumerId, score) =>
      this.quality.receiveScore(page, consumerId, score),
    );
    this.media.on('sendscore', (page, score) => this.quality.sendScore(page, score));
    this.media.on('reset', (reason) => {
      log.warn({ reason }, 'media reset');
      audience.mediaReset(id, reason);
    });
    board.on('op', (op, here) => {
      audience.boardOp(id, op);
      if (here) this.#link.tell({ type: 'board', op });
    });
  }

  get info(): LessonInfo {
    return this.#info;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** The host's pages, on this node or another (two for a moment while a host page takes over). */
  hostPeerIds(): string[] {
    return this.#roster.hostPeerIds();
  }

  /** How many pages this node serves in the lesson (its share of the load). */
  get localPageCount(): number {
    return this.#roster.localCount;
  }

  /** The pages this node serves in the lesson (the metrics count them by role). */
  localPages(): Page[] {
    return this.#roster.localPages();
  }

  /** A classroom as its pages and the host side name it (its school and name). */
  classroomName(classroomId: string): string {
    return this.#roster.classroomName(classroomId);
  }

  /** A classroom's pages on every node (its other PCs, a page waiting for its connection). */
  pagesOf(classroomId: string): Page[] {
    return this.#roster.pagesOf(classroomId);
  }

  /** A PC asks to join as a classroom already open on another PC: the host side sees it. */
  askToJoin(request: DeviceRequestInfo): void {
    this.devices.add(request);
    this.#link.tell({ type: 'device', request, present: true });
    this.#views.interactionChanged();
  }

  /** The host decided on a request (or the PC gave up): it leaves the list everywhere. */
  settle(requestId: string): DeviceRequestInfo {
    const request = this.devices.take(requestId);
    this.#link.tell({ type: 'device', request, present: false });
    this.#views.interactionChanged();
    return request;
  }

  /**
   * A waiting PC gave up (its connection closed, or it joins again). A lesson opened only for PCs that
   * wait, with no page of this node left, stops running here.
   */
  withdraw(requestId: string): void {
    const request = this.devices.find(requestId);
    if (request) {
      this.devices.remove(requestId);
      this.#link.tell({ type: 'device', request, present: false });
      this.#views.interactionChanged();
    }
    if (this.#roster.localCount === 0 && !this.devices.anyWaiting()) void this.close();
  }

  /** The host barred a classroom's new PCs for the rest of the lesson. */
  bar(classroomId: string): void {
    this.devices.bar(classroomId);
    this.#link.tell({ type: 'barred', classroomId });
  }

  /** One of this node's pages. */
  page(peerId: string): Page | undefined {
    return this.#roster.local(peerId);
  }

  isInvited(classroomId: string): boolean {
    return this.#roster.isInvited(classroomId);
  }

  onStage(classroomId: string): boolean {
    return this.media.onStage(classroomId);
  }

  state(): LessonState {
    const main = this.media.mainTracks();
    return {
      lessonId: this.id,
      lesson: this.#info,
      serverTime: new Date().toISOString(),
      host: { connected: this.hostPeerIds().length > 0, live: main.some((p) => p.classroomId === null) },
      producers: main,
      classroomCount: this.#roster.classroomCount,
      layout: this.#layout,
      recording: this.recording.state,
    };
  }

  get layout(): LessonLayout {
    return this.#layout;
  }

  /**
   * The host teacher chose what the classrooms show large (the socket layer checks the role). 'screen'
   * needs a shared screen (`conflict` otherwise).
   */
  chooseLayout(layout: LessonLayout): void {
    if (layout === 'screen' && !this.media.sharing) throw new AppError('conflict', 'no screen is shared');
    if (!this.#setLayout(layout)) return;
    this.#link.tell({ type: 'layout', layout });
    // For the replay's timeline; the lesson goes on without it if the store refuses.
    this.#deps.store
      .appendLessonEvent({ lessonId: this.id, at: Date.now(), kind: 'layout', subject: null, value: layout })
      .catch((err: unknown) => this.#log.error({ err }, 'layout event not kept'));
  }

  /** Adds a page of this node; false if the lesson closed meanwhile (the caller opens it again). */
  join(info: PageInfo): boolean {
    if (this.closed) return false;
    this.#roster.add({ ...info, node: this.#deps.fabric.nodeId });
    this.#link.tell({ type: 'page', page: info, present: true });
    this.#changed(info.classroomId !== null);
    return true;
  }

  /**
   * A page of this node lost its connection (it may come back: `resume`) or came back: it keeps its place,
   * its media and its consumers meanwhile; the host side sees it reconnecting.
   */
  reconnecting(peerId: string, lost: boolean): void {
    const page = this.#roster.local(peerId);
    if (!page || Boolean(page.reconnecting) === lost) return;
    // A page that lost its connection checks itself again once back: its last report may no longer hold.
    const { node: _node, readiness, ...info } = page;
    const now: PageInfo = { ...info, reconnecting: lost, ...(lost || !readiness ? {} : { readiness }) };
    this.#roster.add({ ...now, node: page.node });
    this.#link.tell({ type: 'page', page: now, present: true });
    this.quality.reconnecting(page, lost);
    if (lost) this.readiness.forget(peerId);
  }

  /** A page of this node left; the lesson closes here when it was the last. */
  leave(peerId: string): void {
    const page = this.#roster.local(peerId);
    if (!page) return;
    this.#roster.remove(peerId);
    const { node: _node, ...info } = page;
    this.#link.tell({ type: 'page', page: info, present: false });
    this.media.leave(peerId);
    this.quality.left(page);
    this.readiness.forget(peerId);
    this.#changed(page.classroomId !== null);
    if (this.#roster.localCount === 0) void this.close();
  }

  /** The lesson's record changed (started, ended, edited): everyone is told; an ended lesson's media stops. */
  async refresh(record: LessonRecord): Promise<void> {
    const { info, invitation } = await describeLesson(this.#deps.store, record);
    this.#info = info;
    this.#roster.invitation = invitation;
    this.#recordAutomatically = record.recordAutomatically === true;
    if (info.status === 'ended' || info.status === 'cancelled') {
      await this.#stopRecording();
      this.media.stop();
    }
    this.#changed(true);
    this.#recordIfAutomatic();
  }

  /** Who receives what on this node, and on which worker, and what crosses to and from other nodes. */
  async mediaReport(): Promise<MediaReport & { node: string; links: LinkReport[] }> {
    return {
      node: this.#deps.fabric.nodeId,
      ...this.media.report(this.#roster.localPages()),
      links: await this.#deps.fabric.links(this.id),
    };
  }

  /** Idempotent; resolves once the board has stored its final snapshot. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    // First, while its producers still send: ffmpeg closes its last segment at its next packet.
    await this.#stopRecording();
    this.#views.close();
    this.interaction.close();
    this.media.close();
    this.#link.close();
    try {
      await this.quality.close();
    } catch (err) {
      this.#log.error({ err }, 'quality flush failed');
    }
    try {
      await this.board.close();
    } catch (err) {
      this.#log.error({ err }, 'board close failed');
    }
    this.observer.emit('close');
  }

  /** Stops the recording for good (the lesson ended or closes here); a failure is logged, never thrown. */
  async #stopRecording(): Promise<void> {
    try {
      await this.recording.close();
    } catch (err) {
      this.#log.error({ err }, 'the recording could not be stopped');
    }
  }

  /**
   * An automatically recorded lesson starts recording once it is live and the host broadcasts from this node
   * (where its producers are); once per run here, so someone who stops it is not overruled.
   */
  #recordIfAutomatic(): void {
    if (!this.#recordAutomatically || this.#autoStarted || this.closed) return;
    if (this.#info.status !== 'live' || this.#hostElsewhere()) return;
    const node = this.#deps.fabric.nodeId;
    const broadcasting = this.media
      .mainMedia()
      .some((t) => t.classroomId === null && t.source !== 'screen' && t.node === node);
    if (!broadcasting) return;
    this.#autoStarted = true;
    this.recording
      .start()
      .catch((err: unknown) => this.#log.error({ err }, 'the automatic recording did not start'));
  }

  /**
   * The host's media is received by another node: its camera's or microphone's node, else (nothing
   * published yet) its page's.
   */
  #hostElsewhere(): boolean {
    const node = this.#deps.fabric.nodeId;
    const hostTrack = this.media.mainMedia().find((t) => t.classroomId === null && t.source !== 'screen');
    if (hostTrack) return hostTrack.node !== node;
    const pages = this.hostPeerIds();
    return pages.length > 0 && pages.every((peerId) => this.#roster.local(peerId) === undefined);
  }

  /** Media follows the stage; a pen holder that left the stage loses the pen. */
  #applyStage(stage: StageMember[]): void {
    this.media.applyStage(stage);
    this.recording.follow();
    this.#changed(false);
    if (!this.board.closed) {
      this.board
        .reconcilePens((classroomId) => this.media.onStage(classroomId))
        .catch((err: unknown) => this.#log.error({ err }, 'pen revoke failed'));
    }
  }

  /** True if it changed. */
  #setLayout(layout: LessonLayout): boolean {
    if (layout === this.#layout) return false;
    this.#layout = layout;
    this.#changed(false);
    return true;
  }

  #changed(classroom: boolean): void {
    this.#views.stateChanged();
    if (classroom) this.#views.interactionChanged();
  }

  /** What another node running the lesson tells. */
  #hear(from: string, change: LessonChange): void {
    switch (change.type) {
      case 'page':
        if (change.present) this.#roster.add({ ...change.page, node: from });
        else this.#roster.remove(change.page.peerId);
        this.#changed(change.page.classroomId !== null);
        return;
      case 'track':
        if (change.present) this.media.addRemoteTrack({ ...change.track, node: from });
        else this.media.removeRemoteTrack(change.track.id);
        return;
      case 'stage':
        this.#after(this.interaction.stage().then((stage) => this.#applyStage(stage)));
        return;
      case 'interaction':
        this.#views.interactionChanged();
        return;
      case 'info':
        this.#after(
          this.#deps.store.getLesson(this.id).then((record) => {
            if (!record) throw new AppError('not_found', 'the lesson is gone from the store');
            return this.refresh(record);
          }),
        );
        return;
      case 'board':
        this.#after(this.board.applyRemote(change.op));
        return;
      case 'quality':
        this.quality.hear(change.subject, change.level);
        this.#views.interactionChanged();
        return;
      case 'device':
        if (change.present) this.devices.add(change.request);
        else this.devices.remove(change.request.requestId);
        this.#views.interactionChanged();
        return;
      case 'barred':
        this.devices.bar(change.classroomId);
        return;
      case 'layout':
        this.#setLayout(change.layout);
        return;
      case 'recording':
        this.recording.hear(change.state);
        return;
    }
  }

  #after(work: Promise<unknown>): void {
    work.catch((err: unknown) => this.#log.error({ err }, 'change from another node failed'));
  }
}
