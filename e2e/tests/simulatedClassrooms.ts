/**
 * Classrooms simulated in Node for tests that need many of them: each has its
 * own Socket.IO connection, runs the real join protocol and publishes a camera
 * through a raw-RTP transport (the server allows those only under
 * ALLOW_PLAIN_TRANSPORTS=1, which the e2e server sets).
 */
import { connectClient, ok, publish, RtpSender } from '@cloudschool/testkit';

export interface SimulatedClassroom {
  close(): void;
}

/** Joins with a join link's token and publishes a VP8 camera stream. */
export async function simulateClassroom(baseUrl: string, joinUrl: string): Promise<SimulatedClassroom> {
  const url = new URL(joinUrl);
  const lessonId = url.pathname.split('/').pop()!;
  const token = url.searchParams.get('t')!;
  const socket = await connectClient(baseUrl);
  const sender = new RtpSender();
  try {
    await ok(socket, 'lesson:join', { lessonId, role: 'classroom', token });
    await publish(socket, sender, ['video']);
  } catch (error) {
    sender.close();
    socket.disconnect();
    throw error;
  }
  return {
    close: () => {
      sender.close();
      socket.disconnect();
    },
  };
}
