/**
 * Classrooms simulated in Node for tests that need many of them: each has its
 * own Socket.IO connection, runs the real join protocol and publishes a camera
 * through a raw-RTP transport (the server allows those only under
 * ALLOW_PLAIN_TRANSPORTS=1, which the e2e server sets).
 */
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '@cloudschool/protocol';
import { RtpSender, videoRtpParameters } from '@cloudschool/testkit';

type ClassroomSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

async function call<T>(socket: ClassroomSocket, event: string, payload: object): Promise<T> {
  // The event name comes from the protocol table; the typed overloads do not take a variable name.
  const emit = socket.timeout(10_000).emitWithAck as unknown as (e: string, p: object) => Promise<Ack<T>>;
  const res = await emit.call(socket.timeout(10_000), event, payload);
  if (!res.ok) throw new Error(`${event}: ${res.error.code} ${res.error.message}`);
  return res.data;
}

export interface SimulatedClassroom {
  close(): void;
}

/** Joins with a join link's token and publishes a VP8 camera stream. */
export async function simulateClassroom(baseUrl: string, joinUrl: string): Promise<SimulatedClassroom> {
  const url = new URL(joinUrl);
  const lessonId = url.pathname.split('/').pop()!;
  const token = url.searchParams.get('t')!;
  const socket: ClassroomSocket = io(baseUrl, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  await call(socket, 'lesson:join', { lessonId, role: 'classroom', token });
  const t = await call<{ id: string; ip: string; port: number }>(socket, 'media:createPlainTransport', {
    direction: 'send',
  });
  await call(socket, 'media:produce', {
    transportId: t.id,
    kind: 'video',
    source: 'camera',
    rtpParameters: videoRtpParameters,
  });
  const sender = new RtpSender();
  sender.start(t.ip, t.port);
  return {
    close: () => {
      sender.close();
      socket.disconnect();
    },
  };
}
