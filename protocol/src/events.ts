/**
 * The Socket.IO protocol between browsers (web/) and the control plane
 * (signaling/). Every client→server event has a zod schema, validated at the
 * edge, and answers with an Ack. Server→client events carry state pushes.
 */
import { z } from 'zod';
import type { Ack } from './errors.ts';
import {
  dtlsParameters,
  id,
  lessonLayout,
  mediaKind,
  mediaSource,
  rtpCapabilities,
  rtpParameters,
  srtpParameters,
} from './media.ts';
import type {
  DtlsParameters,
  IceCandidate,
  IceParameters,
  LessonLayout,
  MediaKind,
  MediaSource,
  RtpCapabilities,
  RtpParameters,
  SrtpParameters,
} from './media.ts';
import { interactionSchemas } from './interaction.ts';
import { boardSchemas } from './board.ts';
import { qualitySchemas } from './quality.ts';
import { readinessSchemas } from './readiness.ts';
import { recordingSchemas } from './recordings.ts';
import type { LessonRecordingState } from './recordings.ts';
import { wallSchemas } from './wall.ts';
import type { WallSnapshot, WallUpdate } from './wall.ts';
import type { QualityVerdict } from './quality.ts';
import type { BoardResponses, BoardServerEvents, BoardStreamClientEvents } from './board.ts';
import type {
  ChatMessageView,
  InteractionState,
  PersonalState,
  QuestionView,
  QuizAnswerView,
} from './interaction.ts';

export const lessonId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'lesson id: 1–64 letters, digits, - or _');

/** A coordinator on patrol (巡课) joins as an observer: sees everything, sends nothing, is shown to no classroom. */
export const role = z.enum(['host', 'classroom', 'observer']);
export type Role = z.infer<typeof role>;

/** A classroom PC's credential: its id and its secret (the server keeps only the secret's hash). */
export const deviceCredential = z.strictObject({
  id: z.string().min(1).max(64),
  secret: z.string().min(32).max(128),
});
export type DeviceCredential = z.infer<typeof deviceCredential>;

export const requestSchemas = {
  /**
   * A host teacher is known by the session cookie of the socket's handshake; a classroom by the signed
   * token of its join link (or of a code it typed).
   */
  'lesson:join': z.strictObject({
    lessonId,
    role,
    token: z.string().min(1).max(2048).optional(),
    /** A classroom PC's credential, from its first admitted join (kept by its browser). */
    device: deviceCredential.optional(),
    /** What the PC is, to tell two apart when the host decides (e.g. "Windows · Chrome"). */
    deviceLabel: z.string().max(100).optional(),
  }),
  /**
   * A page whose connection dropped takes its place back on a new connection: its media, consumers and
   * presence were kept (for a couple of minutes). Refused (`not_found`): the page must join again.
   */
  'lesson:resume': z.strictObject({ lessonId, peerId: id, token: z.string().min(16).max(128) }),
  'media:createTransport': z.strictObject({ direction: z.enum(['send', 'recv']) }),
  /**
   * Load and integration tests only: refused unless the server enables plain transports. With `srtp` the
   * worker encrypts (AEAD_AES_256_GCM, what Chrome negotiates) so a load test costs the worker what a
   * browser would.
   */
  'media:createPlainTransport': z.strictObject({
    direction: z.enum(['send', 'recv']),
    srtp: z.boolean().optional(),
  }),
  'media:connectTransport': z.strictObject({ transportId: id, dtlsParameters }),
  'media:connectPlainTransport': z.strictObject({
    transportId: id,
    ip: z.ipv4(),
    port: z.number().int().min(1).max(65535),
    srtp: srtpParameters.optional(),
  }),
  'media:produce': z.strictObject({ transportId: id, kind: mediaKind, source: mediaSource, rtpParameters }),
  'media:closeProducer': z.strictObject({ producerId: id }),
  /** `thumbnail`: a small picture (the coordinators' wall): the lowest layer whatever the page may receive. */
  'media:consume': z.strictObject({
    transportId: id,
    producerId: id,
    rtpCapabilities,
    thumbnail: z.boolean().optional(),
  }),
  'media:resumeConsumer': z.strictObject({ consumerId: id }),
  /** The host's grid stops receiving a tile that left the page. */
  'media:closeConsumer': z.strictObject({ consumerId: id }),
  /** A transport whose ICE went `disconnected` or `failed` (the page's network came back): new ICE credentials. */
  'media:restartIce': z.strictObject({ transportId: id }),
  /** A transport's ICE is connected again after a break: the pictures it carries are stale (fresh key frames). */
  'media:keyFrames': z.strictObject({ transportId: id }),
  /** The host teacher chooses what every classroom's projector shows large. */
  'lesson:layout': z.strictObject({ layout: lessonLayout }),
  ...interactionSchemas,
  ...boardSchemas,
  ...qualitySchemas,
  ...readinessSchemas,
  ...recordingSchemas,
  ...wallSchemas,
} as const;

export type ClientEvent = keyof typeof requestSchemas;
export type RequestOf<E extends ClientEvent> = z.input<(typeof requestSchemas)[E]>;
export const clientEvents = Object.keys(requestSchemas) as ClientEvent[];

export interface ProducerInfo {
  id: string;
  kind: MediaKind;
  source: MediaSource;
  /** Null for the host's own media; else the on-stage classroom that sends it. */
  classroomId: string | null;
}

/** The schedule side of a lesson, as a classroom's waiting room shows it. */
export interface LessonInfo {
  title: string;
  subject: string;
  grade: string;
  /** ISO 8601 UTC. */
  startsAt: string;
  endsAt: string;
  timeZone: string;
  status: 'scheduled' | 'open' | 'live' | 'ended' | 'cancelled';
}

/** What every participant of a lesson sees; pushed on every change. */
export interface LessonState {
  lessonId: string;
  lesson: LessonInfo;
  /** The server's clock when this was sent, so countdowns survive a wrong PC clock. */
  serverTime: string;
  host: { connected: boolean; live: boolean };
  /**
   * The lesson's main media: the host's producers and those of on-stage classrooms. Every page plays
   * these except its own.
   */
  producers: ProducerInfo[];
  classroomCount: number;
  /** What the classrooms show large, as the host teacher chose (a share switches it to 'screen'). */
  layout: LessonLayout;
  /** Whether the lesson is being recorded (every page shows it). */
  recording: LessonRecordingState;
}

export interface JoinResult {
  peerId: string;
  role: Role;
  /** Who joined: the teacher's name, or the classroom's school and name. */
  displayName: string;
  /** The joining classroom's id (null for the host side). */
  classroomId: string | null;
  interaction: InteractionState;
  /** A classroom's own votes, quiz answer and backchannel. */
  personal: PersonalState | null;
  routerRtpCapabilities: RtpCapabilities;
  state: LessonState;
  /** What this page shows to take its place back after a dropped connection (`lesson:resume`). */
  resumeToken: string;
  /** TURN relays for pages behind firewalls that block the media ports (empty when none is configured). */
  iceServers: IceServer[];
  /** A classroom PC joining for the first time gets its credential here (to keep); null otherwise. */
  device: DeviceCredential | null;
}

/** A TURN server and a time-limited credential for it (RTCIceServer). */
export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
}

/** What a page that took its place back needs to catch up. */
export interface ResumeResult {
  state: LessonState;
  interaction: InteractionState;
  personal: PersonalState | null;
  /** Its consumers the server still has: any other the page holds was closed meanwhile. */
  consumerIds: string[];
  /** Fresh TURN credentials (the ones from the join may have expired). */
  iceServers: IceServer[];
}

export interface TransportInfo {
  id: string;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
}

export interface PlainTransportInfo {
  id: string;
  ip: string;
  port: number;
  /** The key the worker encrypts with, when the transport was created with `srtp`. */
  srtp?: SrtpParameters;
}

export interface ConsumerInfo {
  id: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
}

export interface Responses extends BoardResponses {
  'lesson:join': JoinResult;
  'lesson:resume': ResumeResult;
  'media:createTransport': TransportInfo;
  'media:createPlainTransport': PlainTransportInfo;
  'media:connectTransport': null;
  'media:connectPlainTransport': null;
  'media:produce': { producerId: string };
  'media:closeProducer': null;
  'media:consume': ConsumerInfo;
  'media:resumeConsumer': null;
  'media:closeConsumer': null;
  'media:restartIce': { iceParameters: IceParameters };
  'media:keyFrames': null;
  'lesson:layout': null;
  'recording:start': LessonRecordingState;
  'recording:stop': LessonRecordingState;
  'quality:report': QualityVerdict;
  'readiness:report': null;
  'hand:raise': null;
  'hand:lower': null;
  'hand:dismiss': null;
  'stage:invite': null;
  'stage:remove': null;
  'stage:leave': null;
  'stage:mute': null;
  'stage:capacity': null;
  'device:admit': null;
  'device:refuse': null;
  'page:remove': null;
  'question:ask': QuestionView;
  'question:vote': null;
  'question:mark': null;
  'quiz:start': { quizId: string };
  'quiz:answer': QuizAnswerView;
  'quiz:close': null;
  'quiz:reveal': null;
  'chat:send': ChatMessageView;
  'chat:read': null;
  'chat:history': ChatMessageView[];
  'wall:watch': WallSnapshot;
}

/** Acknowledged requests, and the whiteboard's live events (sent without an ack, see board.ts). */
export type ClientToServerEvents = {
  [E in ClientEvent]: (payload: RequestOf<E>, ack: (res: Ack<Responses[E]>) => void) => void;
} & BoardStreamClientEvents;

export interface ServerToClientEvents extends BoardServerEvents {
  'lesson:state': (state: LessonState) => void;
  /** The media server under this lesson restarted: transports are gone, join media again. */
  'media:reset': (info: { reason: string }) => void;
  /** The same role joined the lesson from another page; this one is closed. */
  'session:replaced': () => void;
  /**
   * This page was taken out: by the host teacher (who may have blocked its PC too), or by a coordinator
   * revoking its PC.
   */
  'session:removed': (info: { by: 'host' | 'coordinator' }) => void;
  /**
   * The host teacher's answer to a PC that asked to join as a classroom already open elsewhere: admitted
   * (join again with this credential; the other page is replaced) or refused.
   */
  'device:decision': (decision: { admitted: boolean; device: DeviceCredential | null }) => void;
  'consumer:closed': (info: { consumerId: string }) => void;
  /** Hands, stage, questions, quiz (and, for the host side, tiles): after every change. */
  'interaction:state': (state: InteractionState) => void;
  /** A backchannel message, to the host side and to its classroom only. */
  'chat:message': (message: ChatMessageView) => void;
  /** Coordinators watching the wall: the lessons that changed, at most once a second. */
  'wall:update': (update: WallUpdate) => void;
}
