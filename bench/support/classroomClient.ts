/**
 * A simulated classroom: its own Socket.IO connection and the real join protocol (join token,
 * `lesson:join`), then, instead of a browser's WebRTC transport, a receive-only plain transport with
 * SRTP on (the worker encrypts per consumer as for Chrome) connected to a sink, and consumers of the
 * host's camera and microphone with Chromium's own rtpCapabilities, resumed as a page would.
 */
import { randomBytes } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import type { ClientEvent, MediaKind, ProducerInfo, RequestOf, Responses } from '@cloudschool/protocol';
import { connectClient, ok as okWithin } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import type { SrtpSinkPool } from './srtpSink.ts';

/** A loaded 2-core machine answers slower than tests expect. */
const ACK_TIMEOUT_MS = 60_000;

const ok = <E extends ClientEvent>(
  socket: ClientSocket,
  event: E,
  payload: RequestOf<E>,
): Promise<Responses[E]> => okWithin(socket, event, payload, ACK_TIMEOUT_MS);

export interface ClassroomTimes {
  /** Wall-clock ms: before connecting the socket, after the join ack, after both consumers resumed (0: not yet). */
  start: number;
  joined: number;
  resumed: number;
}

export interface SimulatedClassroom {
  index: number;
  /** The server's id of this participant (the media report names its worker by it). */
  peerId: string;
  socket: ClientSocket;
  times: ClassroomTimes;
  /** SSRCs the worker sends this classroom the host's current camera and microphone with. */
  videoSsrc: number;
  audioSsrc: number;
  /** Times the host's camera or microphone was replaced by a new producer and consumed again. */
  reconsumed: number;
  /** Times the server said the media plane under the lesson restarted. */
  mediaResets: number;
  /** `lesson:state` pushes received (the server sends one to everybody on every join and leave). */
  statePushes: number;
  /** The last failure to follow the host's media after joining, if any. */
  followError?: string;
}

export interface ClassroomJoin {
  url: string;
  lessonId: string;
  token: string;
  rtpCapabilities: ms.RtpCapabilities;
  sinks: SrtpSinkPool;
}

/**
 * Joins and starts receiving; afterwards, like a classroom page, consumes the host's camera and
 * microphone again whenever the lesson state names new producers for them (the host republished).
 */
export async function joinSimulatedClassroom(index: number, o: ClassroomJoin): Promise<SimulatedClassroom> {
  const start = Date.now();
  const socket = await connectClient(o.url);
  const classroom: SimulatedClassroom = {
    index,
    peerId: '',
    socket,
    times: { start, joined: 0, resumed: 0 },
    videoSsrc: 0,
    audioSsrc: 0,
    reconsumed: 0,
    mediaResets: 0,
    statePushes: 0,
  };
  socket.on('media:reset', () => classroom.mediaResets++);
  const consumedProducers = new Map<MediaKind, string>();
  let transportId: string | undefined;
  let following = Promise.resolve();

  /** Consumes and resumes each host track not consumed yet. */
  const follow = async (producers: ProducerInfo[]): Promise<void> => {
    for (const kind of ['video', 'audio'] as const) {
      const producer = producers.find((p) => p.classroomId === null && p.kind === kind);
      if (!producer || !transportId || consumedProducers.get(kind) === producer.id) continue;
      const consumer = await ok(socket, 'media:consume', {
        transportId,
        producerId: producer.id,
        rtpCapabilities: o.rtpCapabilities,
      });
      await ok(socket, 'media:resumeConsumer', { consumerId: consumer.id });
      if (consumedProducers.has(kind)) classroom.reconsumed++;
      consumedProducers.set(kind, producer.id);
      const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc ?? 0;
      if (kind === 'video') classroom.videoSsrc = ssrc;
      else classroom.audioSsrc = ssrc;
    }
    if (!classroom.times.resumed && consumedProducers.size === 2) classroom.times.resumed = Date.now();
  };
  socket.on('lesson:state', (state) => {
    classroom.statePushes++;
    following = following
      .then(() => follow(state.producers))
      .catch((error: unknown) => {
        classroom.followError = error instanceof Error ? error.message : String(error);
      });
  });

  try {
    const joined = await ok(socket, 'lesson:join', {
      lessonId: o.lessonId,
      role: 'classroom',
      token: o.token,
    });
    classroom.times.joined = Date.now();
    classroom.peerId = joined.peerId;
    const transport = await ok(socket, 'media:createPlainTransport', { direction: 'recv', srtp: true });
    if (!transport.srtp) throw new Error('the server made a plain transport without SRTP');
    const sinkPort = o.sinks.add(index, transport.port, transport.srtp.keyBase64);
    await ok(socket, 'media:connectPlainTransport', {
      transportId: transport.id,
      ip: '127.0.0.1',
      port: sinkPort,
      // A receive-only sink never sends, so its own key only has to be well-formed.
      srtp: { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: randomBytes(44).toString('base64') },
    });
    transportId = transport.id;
    // While the host is off the air this consumes nothing; the next lesson state brings the producers.
    following = following.then(() => follow(joined.state.producers));
    await following;
    return classroom;
  } catch (error) {
    socket.disconnect();
    throw new Error(`classroom ${index}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
