/**
 * What nodes of a cluster say to each other over the Socket.IO adapter (Redis streams), validated with
 * zod like every other edge: a node never acts on a message it cannot parse.
 */
import { z } from 'zod';
import { boardOp } from '@cloudschool/board';
import {
  lessonLayout,
  mediaKind,
  mediaSource,
  qualityLevels,
  readinessReport,
  role,
  wallLesson,
  wallPatch,
} from '@cloudschool/protocol';

const nodeId = z.string().min(1).max(64);
const id = z.string().min(1).max(128);
const lessonId = id;

const pageInfo = z.strictObject({
  peerId: id,
  role,
  displayName: z.string().max(200),
  classroomId: id.nullable(),
  reconnecting: z.boolean().optional(),
  readiness: readinessReport.optional(),
});

const trackInfo = z.strictObject({
  id,
  kind: mediaKind,
  source: mediaSource,
  classroomId: id.nullable(),
  peerId: id,
});

/** What changes in a lesson (fabric/Fabric.ts LessonChange), as it crosses. */
const lessonChange = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('page'), page: pageInfo, present: z.boolean() }),
  z.strictObject({ type: z.literal('track'), track: trackInfo, present: z.boolean() }),
  z.strictObject({ type: z.literal('stage') }),
  z.strictObject({ type: z.literal('interaction') }),
  z.strictObject({ type: z.literal('info') }),
  z.strictObject({ type: z.literal('board'), op: boardOp }),
  z.strictObject({
    type: z.literal('device'),
    request: z.strictObject({ requestId: id, classroomId: id, label: z.string().max(100), at: z.int() }),
    present: z.boolean(),
  }),
  z.strictObject({ type: z.literal('barred'), classroomId: id }),
  z.strictObject({ type: z.literal('layout'), layout: lessonLayout }),
  z.strictObject({
    type: z.literal('recording'),
    state: z.strictObject({
      status: z.enum(['off', 'recording']),
      startedAt: z.iso.datetime().nullable(),
      problem: z.enum(['disk_full', 'failed']).nullable(),
    }),
  }),
  z.strictObject({
    type: z.literal('quality'),
    subject: id.nullable(),
    level: z.enum([...qualityLevels, 'unknown', 'reconnecting']),
  }),
]);

const srtp = z.strictObject({
  cryptoSuite: z.enum([
    'AEAD_AES_256_GCM',
    'AEAD_AES_128_GCM',
    'AES_CM_128_HMAC_SHA1_80',
    'AES_CM_128_HMAC_SHA1_32',
  ]),
  keyBase64: z.base64().max(128),
});

/** Where a pipe transport listens and the key it encrypts with (sfu NodePipes' PipeEnd). */
export const pipeEnd = z.strictObject({ ip: z.ipv4().or(z.ipv6()), port: z.int().min(1).max(65535), srtp });

/** A request of one node's NodePipes to another's. */
export const pipeRequest = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('link'), roomId: lessonId, linkId: id, ...pipeEnd.shape }),
  z.strictObject({ type: z.literal('consume'), roomId: lessonId, linkId: id, producerId: id }),
]);

/**
 * The answer to a 'consume': what the copy of the track must declare. The RTP parameters are mediasoup's
 * own, as the other node's worker wrote them (the adapter's encoding turns absent fields into null, which
 * the browser-facing schema refuses): bounded here, checked in full by the worker that produces the copy.
 */
export const pipedTrack = z.strictObject({
  kind: mediaKind,
  rtpParameters: z.looseObject({
    codecs: z
      .array(z.looseObject({ mimeType: z.string().max(64) }))
      .min(1)
      .max(16),
    encodings: z.array(z.looseObject({})).max(8).nullish(),
    headerExtensions: z.array(z.looseObject({})).max(32).nullish(),
  }),
  paused: z.boolean(),
});

const pipeNotice = z.strictObject({
  linkId: id,
  producerId: id,
  event: z.enum(['pause', 'resume', 'close']),
});

/** Told to every other node. */
export const clusterEvent = z.discriminatedUnion('type', [
  /** A node started running a lesson: every node answers with a snapshot (empty if it does not run it). */
  z.strictObject({ type: z.literal('hello'), lessonId }),
  /** Everything of the lesson on the sending node; replaces what the receiver knew of that node. */
  z.strictObject({
    type: z.literal('snapshot'),
    lessonId,
    pages: z.array(pageInfo).max(10_000),
    tracks: z.array(trackInfo).max(20_000),
  }),
  z.strictObject({ type: z.literal('change'), lessonId, change: lessonChange }),
  /** The schedule side of a lesson changed: nodes running it read it again. */
  z.strictObject({ type: z.literal('record'), lessonId }),
  z.strictObject({ type: z.literal('pipe'), to: nodeId, notice: pipeNotice }),
  /** How a lesson the sending node runs looks on the coordinators' wall (whole or what changed); null once it no longer runs it. */
  z.strictObject({ type: z.literal('wall'), lessonId, change: z.union([wallPatch, wallLesson]).nullable() }),
]);
export type ClusterEvent = z.infer<typeof clusterEvent>;

/** Everything that crosses between nodes besides what the Socket.IO adapter carries for sockets. */
export const clusterEnvelope = z.union([
  z.strictObject({ kind: z.literal('event'), from: nodeId, event: clusterEvent }),
  z.strictObject({ kind: z.literal('request'), from: nodeId, to: nodeId, id, request: pipeRequest }),
  z.strictObject({
    kind: z.literal('reply'),
    from: nodeId,
    to: nodeId,
    id,
    ok: z.literal(true),
    result: z.unknown(),
  }),
  z.strictObject({
    kind: z.literal('reply'),
    from: nodeId,
    to: nodeId,
    id,
    ok: z.literal(false),
    error: z.string().max(1000),
  }),
]);
export type ClusterEnvelope = z.infer<typeof clusterEnvelope>;
