import { randomUUID } from 'node:crypto';
import type { types as ms } from 'mediasoup';
import type { MediaPeer, NodePipes } from '@cloudschool/sfu';
import type { BoardRegistry } from '../board/BoardRegistry.ts';
import type { Courseware } from '../board/Courseware.ts';
import { AppError } from '../errors.ts';
import type { JoinAuthorizer } from '../lesson/JoinAuthorizer.ts';
import type { Lesson, LessonRoster } from '../lesson/Lesson.ts';
import type { LessonRegistry } from '../lesson/LessonRegistry.ts';
import type { Lesson as LessonRecord } from '../domain/types.ts';
import type { Logger } from '../logger.ts';
import type { LessonInfo } from '@cloudschool/protocol';
import type { PresenceTracker } from '../services/PresenceTracker.ts';
import { boardHandlers } from './boardHandlers.ts';
import { joined, live } from './context.ts';
import type { HandlerTable } from './edge.ts';
import { interactionHandlers } from './interactionHandlers.ts';
import { classroomRoom, classroomsRoom, lessonRoom, staffRoom } from './rooms.ts';
import type { IoServer, IoSocket } from './types.ts';

export interface HandlerDeps {
  io: IoServer;
  lessons: LessonRegistry;
  authorizer: JoinAuthorizer;
  presence: PresenceTracker;
  /** The schedule side and the invited classrooms' names of a lesson record. */
  describe: (lesson: LessonRecord) => Promise<{ info: LessonInfo; roster: LessonRoster }>;
  allowPlainTransports: boolean;
  log: Logger;
  boards: BoardRegistry;
  courseware: Courseware;
  /** This node, and how it pulls tracks received by other nodes of a cluster. */
  nodeId: string;
  pipes: NodePipes;
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
    // The host sends what everyone receives: it goes to the node's ingest worker, classrooms spread.
    const kind = lesson.participant(peerId)?.role === 'host' ? 'sender' : 'receiver';
    const peer = (await lesson.room()).peer(peerId, kind);
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
      const lesson = await lessons.getOrCreate(grant.lesson.id, () => deps.describe(grant.lesson));
      const room = await lesson.room();
      // One host per lesson: a reloaded or second host page takes over (once this one is in, so the
      // lesson never looks empty in between).
      const previous = grant.role === 'host' ? lesson.hostPeerId : undefined;
      const peerId = randomUUID();
      const { classroomId } = grant;
      socket.data.joined = { lessonId: lesson.id, peerId, role: grant.role, classroomId };
      await socket.join(lessonRoom(lesson.id));
      if (classroomId) await socket.join([classroomsRoom(lesson.id), classroomRoom(lesson.id, classroomId)]);
      else await socket.join(staffRoom(lesson.id));
      lesson.add({ peerId, role: grant.role, displayName: grant.displayName, classroomId });
      if (previous) {
        for (const other of await io.in(lessonRoom(lesson.id)).fetchSockets()) {
          if (other.data.joined?.peerId === previous) {
            other.emit('session:replaced');
            other.disconnect(true);
          }
        }
        // A previous page on another node leaves when its node sees the socket go.
        if (lesson.participant(previous)) lesson.remove(previous);
      }
      if (classroomId) await deps.presence.joined(lesson.id, classroomId, peerId);
      log.info({ lessonId: lesson.id, peerId, role: grant.role, classroomId }, 'joined');
      return {
        peerId,
        role: grant.role,
        displayName: grant.displayName,
        classroomId,
        routerRtpCapabilities: room.rtpCapabilities,
        state: lesson.state(),
        interaction: await lesson.interaction.view(classroomId ? 'classrooms' : 'staff'),
        personal: classroomId ? await lesson.interaction.personal(classroomId) : null,
      };
    },

    'media:createTransport': async ({ direction }, socket) => {
      const j = direction === 'send' ? joined(socket, lessons, 'host', 'classroom') : joined(socket, lessons);
      return (await mediaPeer(j.lesson, j.peerId, socket)).createWebRtcTransport(direction);
    },

    'media:createPlainTransport': async ({ direction, srtp }, socket) => {
      if (!deps.allowPlainTransports) throw new AppError('forbidden', 'plain transports are disabled');
      const j = direction === 'send' ? joined(socket, lessons, 'host', 'classroom') : joined(socket, lessons);
      return (await mediaPeer(j.lesson, j.peerId, socket)).createPlainTransport(direction, srtp);
    },

    'media:connectTransport': async ({ transportId, dtlsParameters }, socket) => {
      const j = joined(socket, lessons);
      await (await mediaPeer(j.lesson, j.peerId, socket)).connectWebRtcTransport(transportId, dtlsParameters);
      return null;
    },

    'media:connectPlainTransport': async ({ transportId, ip, port, srtp }, socket) => {
      if (!deps.allowPlainTransports) throw new AppError('forbidden', 'plain transports are disabled');
      const j = joined(socket, lessons);
      const peer = await mediaPeer(j.lesson, j.peerId, socket);
      await peer.connectPlainTransport(transportId, ip, port, srtp);
      return null;
    },

    'media:produce': async ({ transportId, kind, source, rtpParameters }, socket) => {
      const j = joined(socket, lessons, 'host', 'classroom');
      live(j.lesson);
      if ((source === 'camera') !== (kind === 'video')) {
        throw new AppError('bad_request', `a ${source} source cannot carry ${kind}`);
      }
      j.lesson.assertCanPublish(j.peerId, source);
      const peer = await mediaPeer(j.lesson, j.peerId, socket);
      const producer = await peer.produce(transportId, kind, asRtpParameters(rtpParameters), { source });
      j.lesson.addProducer(
        j.peerId,
        { id: producer.id, kind, source },
        { onClose: (listener) => producer.observer.once('close', listener), pause: () => producer.pause() },
      );
      return { producerId: producer.id };
    },

    'media:closeProducer': async ({ producerId }, socket) => {
      const j = joined(socket, lessons, 'host', 'classroom');
      (await mediaPeer(j.lesson, j.peerId, socket)).closeProducer(producerId);
      return null;
    },

    'media:consume': async ({ transportId, producerId, rtpCapabilities }, socket) => {
      const j = joined(socket, lessons);
      live(j.lesson);
      const { layers, node } = j.lesson.consumeRule(j.peerId, producerId);
      const peer = await mediaPeer(j.lesson, j.peerId, socket);
      if (node !== deps.nodeId) await deps.pipes.pull(await j.lesson.room(), producerId, node);
      const consumer = await peer.consume(
        transportId,
        producerId,
        asRtpCapabilities(rtpCapabilities),
        layers,
      );
      return { id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
    },

    'media:resumeConsumer': async ({ consumerId }, socket) => {
      const j = joined(socket, lessons);
      await (await mediaPeer(j.lesson, j.peerId, socket)).resumeConsumer(consumerId);
      return null;
    },

    'media:closeConsumer': async ({ consumerId }, socket) => {
      const j = joined(socket, lessons);
      (await mediaPeer(j.lesson, j.peerId, socket)).closeConsumer(consumerId);
      return null;
    },

    ...interactionHandlers(lessons),
    ...boardHandlers(deps),
  };
}
