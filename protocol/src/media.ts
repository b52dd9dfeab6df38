/**
 * zod schemas of the mediasoup parameters that travel from browsers to the
 * server. Unknown fields inside RTP structures are kept (mediasoup and
 * browsers add some), but every array, string and record is bounded.
 */
import { z } from 'zod';

const token = z.string().min(1).max(128);
/** Codec parameters: typed `unknown` like mediasoup's own, but only short primitives get through. */
const shortRecord = z
  .record(z.string().max(64), z.unknown())
  .refine((r) => Object.keys(r).length <= 32, 'too many parameters')
  .refine(
    (r) =>
      Object.values(r).every(
        (v) => typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 256),
      ),
    'parameters must be short strings, numbers or booleans',
  );

export const id = z.string().min(1).max(64);

export const mediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof mediaKind>;

/**
 * What a producer carries: a camera and a microphone per publisher, and the host teacher's shared
 * screen (video, sent for legibility: full resolution, low frame rate).
 */
export const mediaSource = z.enum(['camera', 'mic', 'screen']);
export type MediaSource = z.infer<typeof mediaSource>;

/**
 * What the classrooms' projectors show large, chosen by the host teacher for everyone: the teacher's
 * camera, the shared screen (the camera as a small picture-in-picture), or the whiteboard.
 */
export const lessonLayout = z.enum(['camera', 'screen', 'board']);
export type LessonLayout = z.infer<typeof lessonLayout>;

export const dtlsParameters = z.object({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(
      z.object({
        algorithm: z.enum(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']),
        value: z.string().min(1).max(256),
      }),
    )
    .min(1)
    .max(8),
});

const rtcpFeedback = z.looseObject({ type: token, parameter: z.string().max(64).optional() });

const rtpCodecParameters = z.looseObject({
  mimeType: z.string().regex(/^(audio|video)\/[\w-]{1,32}$/),
  payloadType: z.number().int().min(0).max(127),
  clockRate: z.number().int().positive().max(1_000_000),
  channels: z.number().int().min(1).max(8).optional(),
  parameters: shortRecord.optional(),
  rtcpFeedback: z.array(rtcpFeedback).max(32).optional(),
});

const headerExtension = z.looseObject({
  uri: z.string().min(1).max(256),
  id: z.number().int().min(1).max(255),
  encrypt: z.boolean().optional(),
  parameters: shortRecord.optional(),
});

const encoding = z.looseObject({
  ssrc: z.number().int().nonnegative().optional(),
  rid: z.string().max(32).optional(),
  codecPayloadType: z.number().int().min(0).max(127).optional(),
  rtx: z.looseObject({ ssrc: z.number().int().nonnegative() }).optional(),
  dtx: z.boolean().optional(),
  scalabilityMode: z.string().max(16).optional(),
  scaleResolutionDownBy: z.number().positive().max(64).optional(),
  maxBitrate: z.number().positive().optional(),
});

export const rtpParameters = z.looseObject({
  mid: z.string().max(32).optional(),
  codecs: z.array(rtpCodecParameters).min(1).max(16),
  headerExtensions: z.array(headerExtension).max(32).optional(),
  encodings: z.array(encoding).max(8).optional(),
  rtcp: z
    .looseObject({
      cname: z.string().max(256).optional(),
      reducedSize: z.boolean().optional(),
      mux: z.boolean().optional(),
    })
    .optional(),
});

const rtpCodecCapability = z.looseObject({
  kind: mediaKind,
  mimeType: z.string().regex(/^(audio|video)\/[\w-]{1,32}$/),
  preferredPayloadType: z.number().int().min(0).max(127).optional(),
  clockRate: z.number().int().positive().max(1_000_000),
  channels: z.number().int().min(1).max(8).optional(),
  parameters: shortRecord.optional(),
  rtcpFeedback: z.array(rtcpFeedback).max(32).optional(),
});

export const rtpCapabilities = z.looseObject({
  codecs: z.array(rtpCodecCapability).max(64).optional(),
  headerExtensions: z
    .array(
      z.looseObject({
        kind: mediaKind,
        uri: z.string().min(1).max(256),
        preferredId: z.number().int().min(1).max(255),
        preferredEncrypt: z.boolean().optional(),
        direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
      }),
    )
    .max(64)
    .optional(),
});

/** SRTP of a load-test plain transport: only the AEAD suite browsers use (the cheap one in this worker build). */
export const srtpParameters = z.strictObject({
  cryptoSuite: z.literal('AEAD_AES_256_GCM'),
  /** 32-byte key + 12-byte salt. */
  keyBase64: z.base64().length(60),
});
export type SrtpParameters = z.infer<typeof srtpParameters>;

export type DtlsParameters = z.infer<typeof dtlsParameters>;
export type RtpParameters = z.infer<typeof rtpParameters>;
export type RtpCapabilities = z.infer<typeof rtpCapabilities>;

/** How a browser reaches a server transport (server → browser: typed, not validated). */
export interface IceParameters {
  usernameFragment: string;
  password: string;
  iceLite?: boolean;
}

export interface IceCandidate {
  foundation: string;
  priority: number;
  address: string;
  /** The same as `address`: mediasoup sends both and mediasoup-client still requires it. */
  ip: string;
  protocol: 'udp' | 'tcp';
  port: number;
  type: 'host' | 'srflx' | 'prflx' | 'relay';
  tcpType?: 'active' | 'passive' | 'so';
}
