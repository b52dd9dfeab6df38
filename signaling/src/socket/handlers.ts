import { randomUUID } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import type { MediaPeer } from '@cloudschool/sfu';
import { AppError } from '../errors.ts';
import type { JoinAuthorizer } from '../lesson/JoinAuthorizer.ts';
import type { PresenceTracker } from '../services/PresenceTracker.ts';
import { lessonInfo } from '../services/views.ts';
import type { Lesson } from '../lesson/Lesson.ts';
import type { LessonRegistry } from '../lesson/LessonRegistry.ts';
import type { Logger } from '../logger.ts';
import type { Role } from '../protocol/index.ts';
import type { HandlerTable } from './edge.ts';
import type { IoServer, IoSocket } from './types.ts';

export interface HandlerDeps {
  io: IoServer;
  lessons: LessonRegistry;
  authorizer: JoinAuthorizer;
  presence: PresenceTracker;
  timeZoneOf: (lesson: { hostClassroomId: string }) => Promise<string>;
  allowPlainTransports: boolean;
  log: Logger;
}

export const lessonRoom = (lessonId: string): string => `lesson:${lessonId}`;

/** The lesson and role of a joined socket; refuses sockets that have not joined, or lack the role. */
function joined(socket: IoSocket, lessons: LessonRegistry, role?: Role): { lesson: Lesson; peerId: string } {
  const j = socket.data.joined;
  const lesson = j && lessons.get(j.lessonId);
  if (!j || !lesson) throw new AppError('not_joined', 'join a lesson first');
  if (role && j.role !== role) throw new AppError('forbidden', `only the ${role} may do this`);
  return { lesson, peerId: j.peerId };
}

/** Media flows only while the lesson is live. */
function live(lesson: Lesson): void {
  if (lesson.info.status !== 'live') throw new AppError('lesson_closed', 'the lesson is not live');
}

/**
 * Validated payloads are typed like mediasoup's own parameters except that
 * the schemas keep unknown keys; mediasoup checks them again in the worker.
 */
const asRtpParameters = (p: object): ms.RtpParameters => p as ms.RtpParameters;
const asRtpCapabilities = (p: object): ms.RtpCapabilities => p as ms.RtpCapabilities;

export function createHandlers(deps: HandlerDeps): HandlerTable {
  const { io, lessons, authorizer, log } = deps;
  const wired = new WeakSet<MediaPeer>();

  /** This socket's media peer; server-side consumer closes are forwarded to the socket once per peer. */
  async function mediaPeer(lesson: Lesson, peerId: string, socket: IoSocket): Promise<MediaPeer> {
    const peer = (await lesson.room()).peer(peerId);
    if (!wired.has(peer)) {
      wired.add(peer);
      peer.on('consumerclose', (consumerId) => socket.emit('consumer:closed', { consumerId }));
    }
    return peer;
  }

  return {
    'lesson:join': async (req, socket) => {
      if (socket.data.joined)
        throw new AppError('already_joined', 'this connection has already joined a lesson');
      const grant = await authorizer.authorize(req, socket.data.account);
      const info = lessonInfo(grant.lesson, Date.now(), await deps.timeZoneOf(grant.lesson));
      const lesson = lessons.getOrCreate(grant.lesson.id, info);
      const room = await lesson.room();
      if (grant.role === 'host') {
        // One host per lesson: a reloaded or second host page takes over.
        const previous = lesson.hostPeerId;
        if (previous) {
          for (const other of await io.in(lessonRoom(lesson.id)).fetchSockets()) {
            if (other.data.joined?.peerId === previous) {
              other.emit('session:replaced');
              other.disconnect(true);
            }
          }
          lesson.remove(previous);
        }
      }
      const peerId = randomUUID();
      socket.data.joined = { lessonId: lesson.id, peerId, role: grant.role, classroomId: grant.classroomId };
      await socket.join(lessonRoom(lesson.id));
      lesson.add({ peerId, role: grant.role, displayName: grant.displayName });
      if (grant.classroomId) await deps.presence.joined(lesson.id, grant.classroomId, peerId);
      log.info({ lessonId: lesson.id, peerId, role: grant.role, classroomId: grant.classroomId }, 'joined');
      return {
        peerId,
        role: grant.role,
        displayName: grant.displayName,
        routerRtpCapabilities: room.rtpCapabilities,
        state: lesson.state(),
      };
    },

    'media:createTransport': async ({ direction }, socket) => {
      const { lesson, peerId } = joined(socket, lessons, direction === 'send' ? 'host' : undefined);
      return (await mediaPeer(lesson, peerId, socket)).createWebRtcTransport(direction);
    },

    'media:createPlainTransport': async ({ direction }, socket) => {
      if (!deps.allowPlainTransports) throw new AppError('forbidden', 'plain transports are disabled');
      const { lesson, peerId } = joined(socket, lessons, direction === 'send' ? 'host' : undefined);
      return (await mediaPeer(lesson, peerId, socket)).createPlainTransport(direction);
    },

    'media:connectTransport': async ({ transportId, dtlsParameters }, socket) => {
      const { lesson, peerId } = joined(socket, lessons);
      await (await mediaPeer(lesson, peerId, socket)).connectWebRtcTransport(transportId, dtlsParameters);
      return null;
    },

    'media:connectPlainTransport': async ({ transportId, ip, port }, socket) => {
      if (!deps.allowPlainTransports) throw new AppError('forbidden', 'plain transports are disabled');
      const { lesson, peerId } = joined(socket, lessons);
      await (await mediaPeer(lesson, peerId, socket)).connectPlainTransport(transportId, ip, port);
      return null;
    },

    'media:produce': async ({ transportId, kind, source, rtpParameters }, socket) => {
      const { lesson, peerId } = joined(socket, lessons, 'host');
      live(lesson);
      if ((source === 'camera') !== (kind === 'video')) {
        throw new AppError('bad_request', `a ${source} source cannot carry ${kind}`);
      }
      if (lesson.hasHostSource(source))
        throw new AppError('bad_request', `the ${source} is already broadcasting`);
      const peer = await mediaPeer(lesson, peerId, socket);
      const producer = await peer.produce(transportId, kind, asRtpParameters(rtpParameters), { source });
      lesson.addHostProducer({ id: producer.id, kind, source }, (listener) =>
        producer.observer.once('close', listener),
      );
      return { producerId: producer.id };
    },

    'media:closeProducer': async ({ producerId }, socket) => {
      const { lesson, peerId } = joined(socket, lessons, 'host');
      (await mediaPeer(lesson, peerId, socket)).closeProducer(producerId);
      return null;
    },

    'media:consume': async ({ transportId, producerId, rtpCapabilities }, socket) => {
      const { lesson, peerId } = joined(socket, lessons);
      live(lesson);
      if (!lesson.isHostProducer(producerId))
        throw new AppError('not_found', `no producer ${producerId} in this lesson`);
      const peer = await mediaPeer(lesson, peerId, socket);
      const consumer = await peer.consume(transportId, producerId, asRtpCapabilities(rtpCapabilities));
      return { id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
    },

    'media:resumeConsumer': async ({ consumerId }, socket) => {
      const { lesson, peerId } = joined(socket, lessons);
      await (await mediaPeer(lesson, peerId, socket)).resumeConsumer(consumerId);
      return null;
    },
  };
}
