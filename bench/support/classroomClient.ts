/**
 * A simulated classroom: its own Socket.IO connection and the real join protocol (join token,
 * `lesson:join`), then, instead of a browser's WebRTC transport, a receive-only plain transport with
 * SRTP on (the worker encrypts per consumer as for Chrome) connected to a sink, and consumers of the
 * host's camera and microphone with Chromium's own rtpCapabilities, resumed as a page would.
 */
import type { types as ms } from 'mediasoup';
import type { ConsumerInfo, MediaKind, ProducerInfo } from '@cloudschool/protocol';
import { connectClient, consumeResumed, openPlainReceiver } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import { BENCH_ACK_TIMEOUT_MS, ok } from './acks.ts';
import type { SrtpSinkPool } from './srtpSink.ts';

export interface ClassroomTimes {
  /** Wall-clock ms: before connecting the socket, after the join ack, after both consumers resumed (0: not yet). */
  start: number;
  joined: number;
  resumed: number;
}

/** One receiving classroom as the fan-out and the join storm measure it, whatever media server it joined. */
export interface SimulatedClassroom {
  /** The sinks know the classroom by this number. */
  index: number;
  /** The media server's id of this participant (the media report names its worker by it). */
  peerId: string;
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
  /** Leaves: its transport and consumers go with it. */
  close(): void;
}

/** A classroom that has just started joining: nothing received, nothing counted yet. */
export function newClassroom(index: number, close: () => void, start = Date.now()): SimulatedClassroom {
  return {
    index,
    peerId: '',
    times: { start, joined: 0, resumed: 0 },
    videoSsrc: 0,
    audioSsrc: 0,
    reconsumed: 0,
    mediaResets: 0,
    statePushes: 0,
    close,
  };
}

/** A classroom of the real server: its socket and what its consumers receive. */
export interface LessonClassroom extends SimulatedClassroom {
  socket: ClientSocket;
  /** The current consumer of each of the host's tracks. */
  consumers: Map<MediaKind, ConsumerInfo>;
}

export interface ClassroomJoin {
  url: string;
  lessonId: string;
  token: string;
  rtpCapabilities: ms.RtpCapabilities;
  /**
   * Where the worker sends: into the SRTP sinks, encrypted as for a browser, or as plain RTP to a local port
   * (the relay that feeds the bare router the host's stream).
   */
  receiveAt: { sinks: SrtpSinkPool } | { port: number };
}

/**
 * Joins and starts receiving; afterwards, like a classroom page, consumes the host's camera and
 * microphone again whenever the lesson state names new producers for them (the host republished).
 */
export async function joinSimulatedClassroom(index: number, o: ClassroomJoin): Promise<LessonClassroom> {
  const start = Date.now();
  const socket = await connectClient(o.url);
  const classroom: LessonClassroom = {
    ...newClassroom(index, () => socket.disconnect(), start),
    socket,
    consumers: new Map(),
  };
  socket.on('media:reset', () => classroom.mediaResets++);
  let transportId: string | undefined;
  // One follow at a time, in the order the states came.
  let following = Promise.resolve();

  /** Consumes and resumes each host track not consumed yet. */
  const follow = async (producers: ProducerInfo[]): Promise<void> => {
    for (const kind of ['video', 'audio'] as const) {
      const producer = producers.find((p) => p.classroomId === null && p.kind === kind);
      const current = classroom.consumers.get(kind);
      if (!producer || !transportId || current?.producerId === producer.id) continue;
      const consumer = await consumeResumed(
        socket,
        transportId,
        producer.id,
        o.rtpCapabilities,
        BENCH_ACK_TIMEOUT_MS,
      );
      if (current) classroom.reconsumed++;
      classroom.consumers.set(kind, consumer);
      if (kind === 'video') classroom.videoSsrc = consumer.ssrc;
      else classroom.audioSsrc = consumer.ssrc;
    }
    if (!classroom.times.resumed && classroom.consumers.size === 2) classroom.times.resumed = Date.now();
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
    const { receiveAt } = o;
    const transport = await openPlainReceiver(socket, {
      timeoutMs: BENCH_ACK_TIMEOUT_MS,
      ...('sinks' in receiveAt
        ? { srtp: true, sinkPort: (t) => receiveAt.sinks.add(index, t.port, t.srtp!.keyBase64) }
        : { srtp: false, sinkPort: receiveAt.port }),
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
