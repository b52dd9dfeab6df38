import { randomBytes, randomUUID } from 'node:crypto';
import type { TurnCredentials } from '../auth/TurnCredentials.ts';
import type { Courseware } from '../board/Courseware.ts';
import type { Role } from '@cloudschool/protocol';
import { AppError } from '../errors.ts';
import type { JoinAuthorizer } from '../lesson/JoinAuthorizer.ts';
import type { LiveLessons } from '../lesson/LiveLessons.ts';
import type { Logger } from '../logger.ts';
import type { PresenceTracker } from '../services/PresenceTracker.ts';
import { boardHandlers } from './boardHandlers.ts';
import { joined, live } from './context.ts';
import type { HandlerTable } from './edge.ts';
import { interactionHandlers } from './interactionHandlers.ts';
import { classroomRoom, classroomsRoom, hostRoom, lessonRoom, pageRoom, staffRoom } from './rooms.ts';
import type { Departures } from './departures.ts';
import type { IoServer } from './types.ts';

export interface HandlerDeps {
  io: IoServer;
  lessons: LiveLessons;
  authorizer: JoinAuthorizer;
  presence: PresenceTracker;
  allowPlainTransports: boolean;
  log: Logger;
  courseware: Courseware;
  departures: Departures;
  turn: TurnCredentials | undefined;
}

/** Every acknowledged event: who may do what is decided here, the rules in the live lesson. */
export function createHandlers(deps: HandlerDeps): HandlerTable {
  const { io, lessons, authorizer, log } = deps;

  const plainAllowed = (): void => {
    if (!deps.allowPlainTransports) throw new AppError('forbidden', 'plain transports are disabled');
  };

  return {
    'lesson:join': async (req, socket) => {
      if (socket.data.joined || socket.data.joining)
        throw new AppError('already_joined', 'this connection has already joined a lesson');
      socket.data.joining = true;
      try {
        const grant = await authorizer.authorize(req, socket.data.account);
        const { classroomId, role, displayName } = grant;
        const peerId = randomUUID();
        const lesson = await lessons.enter(grant.lesson, { peerId, role, displayName, classroomId });
        const id = lesson.id;
        try {
          const routerRtpCapabilities = await lesson.media.rtpCapabilities();
          const resumeToken = randomBytes(24).toString('base64url');
          await socket.join(roomsOf(id, peerId, role, classroomId));
          // A connection that closed while it joined must not leave a page behind.
          if (socket.disconnected) throw new AppError('not_joined', 'the connection closed while joining');
          socket.data.joined = { lessonId: id, peerId, role, classroomId, resumeToken };
          if (classroomId) deps.departures.replacedBy(socket.data.joined);
          // One host per lesson: a reloaded or second host page takes over (once this one is in, so the
          // lesson never looks empty in between). A previous page on another node leaves when its
          // node sees the socket go.
          if (role === 'host') {
            for (const previous of lesson.hostPeerIds().filter((p) => p !== peerId)) {
              io.in(pageRoom(id, previous)).emit('session:replaced');
              io.in(pageRoom(id, previous)).disconnectSockets(true);
              lesson.leave(previous);
            }
          }
          if (classroomId) await deps.presence.joined(id, classroomId, peerId);
          log.info({ lessonId: id, peerId, role, classroomId }, 'joined');
          return {
            peerId,
            role,
            displayName,
            classroomId,
            routerRtpCapabilities,
            resumeToken,
            iceServers: deps.turn?.iceServers(peerId) ?? [],
            state: lesson.state(),
            interaction: await lesson.interaction.view(classroomId ? 'classrooms' : 'staff'),
            personal: classroomId ? await lesson.interaction.personal(classroomId) : null,
          };
        } catch (error) {
          if (!socket.data.joined) lesson.leave(peerId);
          throw error;
        }
      } finally {
        socket.data.joining = false;
      }
    },

    'lesson:resume': async (request, socket) => {
      if (socket.data.joined || socket.data.joining)
        throw new AppError('already_joined', 'this connection has already joined a lesson');
      const j = deps.departures.resume(request);
      const lesson = lessons.get(j.lessonId);
      if (!lesson?.page(j.peerId))
        throw new AppError('not_found', 'this page is no longer in the lesson: join again');
      // Joined before anything is awaited: if this connection drops too, the page waits again.
      socket.data.joined = j;
      await socket.join(roomsOf(j.lessonId, j.peerId, j.role, j.classroomId));
      return {
        state: lesson.state(),
        interaction: await lesson.interaction.view(j.classroomId ? 'classrooms' : 'staff'),
        personal: j.classroomId ? await lesson.interaction.personal(j.classroomId) : null,
        consumerIds: lesson.media.consumerIds(j.peerId),
        iceServers: deps.turn?.iceServers(j.peerId) ?? [],
      };
    },

    'media:createTransport': async ({ direction }, socket) => {
      const j = direction === 'send' ? joined(socket, lessons, 'host', 'classroom') : joined(socket, lessons);
      return j.lesson.media.createTransport(j.page, direction);
    },

    'media:createPlainTransport': async ({ direction, srtp }, socket) => {
      plainAllowed();
      const j = direction === 'send' ? joined(socket, lessons, 'host', 'classroom') : joined(socket, lessons);
      return j.lesson.media.createPlainTransport(j.page, direction, srtp);
    },

    'media:connectTransport': async ({ transportId, dtlsParameters }, socket) => {
      const j = joined(socket, lessons);
      await j.lesson.media.connectTransport(j.page, transportId, dtlsParameters);
      return null;
    },

    'media:connectPlainTransport': async ({ transportId, ip, port, srtp }, socket) => {
      plainAllowed();
      const j = joined(socket, lessons);
      await j.lesson.media.connectPlainTransport(j.page, transportId, ip, port, srtp);
      return null;
    },

    'media:produce': async ({ transportId, kind, source, rtpParameters }, socket) => {
      const j = joined(socket, lessons, 'host', 'classroom');
      live(j.lesson);
      const producerId = await j.lesson.media.produce(j.page, transportId, kind, source, rtpParameters);
      return { producerId };
    },

    'media:closeProducer': async ({ producerId }, socket) => {
      const j = joined(socket, lessons, 'host', 'classroom');
      await j.lesson.media.closeProducer(j.page, producerId);
      return null;
    },

    'media:consume': async ({ transportId, producerId, rtpCapabilities }, socket) => {
      const j = joined(socket, lessons);
      live(j.lesson);
      return j.lesson.media.consume(j.page, transportId, producerId, rtpCapabilities);
    },

    'media:resumeConsumer': async ({ consumerId }, socket) => {
      const j = joined(socket, lessons);
      await j.lesson.media.resumeConsumer(j.page, consumerId);
      return null;
    },

    'media:closeConsumer': async ({ consumerId }, socket) => {
      const j = joined(socket, lessons);
      await j.lesson.media.closeConsumer(j.page, consumerId);
      return null;
    },

    'media:restartIce': async ({ transportId }, socket) => {
      const j = joined(socket, lessons);
      return { iceParameters: await j.lesson.media.restartIce(j.page, transportId) };
    },

    /** Every page reports how its media gets through; the answer is its level and what to say. */
    'quality:report': async (report, socket) => {
      const j = joined(socket, lessons);
      return j.lesson.quality.report(j.page, report);
    },

    ...interactionHandlers(lessons),
    ...boardHandlers({ lessons, courseware: deps.courseware }),
  };
}

/** A page's Socket.IO rooms: the lesson, itself, and its side (one classroom and all classrooms, or the host side). */
function roomsOf(lessonId: string, peerId: string, role: Role, classroomId: string | null): string[] {
  return [
    lessonRoom(lessonId),
    pageRoom(lessonId, peerId),
    ...(classroomId
      ? [classroomsRoom(lessonId), classroomRoom(lessonId, classroomId)]
      : [staffRoom(lessonId), ...(role === 'host' ? [hostRoom(lessonId)] : [])]),
  ];
}
