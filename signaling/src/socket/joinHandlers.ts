import { randomBytes, randomUUID } from 'node:crypto';
import type { DeviceCredential, Role } from '@cloudschool/protocol';
import type { AuditActor, AuditSubject } from '../auth/Audit.ts';
import { AppError } from '../errors.ts';
import type { LiveLesson } from '../lesson/LiveLesson.ts';
import { joined } from './context.ts';
import type { HandlerTable } from './edge.ts';
import type { HandlerDeps } from './HandlerDeps.ts';
import {
  classroomRoom,
  classroomsRoom,
  deviceRoom,
  hostRoom,
  lessonRoom,
  pageRoom,
  requestRoom,
  staffRoom,
} from './rooms.ts';
import type { IoSocket } from './types.ts';

type JoinEvents = 'lesson:join' | 'lesson:resume' | 'device:admit' | 'device:refuse' | 'page:remove';

/**
 * Who gets into a lesson, and as which page. A host teacher's page takes over any other host page. A
 * classroom's PC is known by the credential its browser keeps: a known PC (or a classroom's first PC, which
 * gets its credential now) joins and takes over the classroom's other pages; a new PC for a classroom that
 * is already open elsewhere waits (`device_pending`) until the host teacher admits it (it then joins with
 * the credential the decision gives it) or refuses it.
 */
export function joinHandlers(deps: HandlerDeps): Pick<HandlerTable, JoinEvents> {
  const { io, lessons, authorizer, log } = deps;

  /** Another page of the lesson gives way to the one that joined: told, closed, forgotten. */
  const replace = (lesson: LiveLesson, peerId: string): void => {
    io.in(pageRoom(lesson.id, peerId)).emit('session:replaced');
    io.in(pageRoom(lesson.id, peerId)).disconnectSockets(true);
    lesson.leave(peerId);
  };

  /** The PC waits for the host: its request is shown on the host side until decided or withdrawn. */
  const waitForHost = async (socket: IoSocket, lesson: LiveLesson, classroomId: string, label: string) => {
    const requestId = randomUUID();
    socket.data.waiting = { lessonId: lesson.id, requestId };
    await socket.join(requestRoom(lesson.id, requestId));
    if (socket.disconnected) throw new AppError('not_joined', 'the connection closed while joining');
    lesson.askToJoin({ requestId, classroomId, label, at: Date.now() });
    log.info({ lessonId: lesson.id, classroomId, requestId }, 'a new PC waits for the host');
    throw new AppError('device_pending', 'this classroom is open on another PC: the host teacher decides');
  };

  /** A classroom's PC: its known device, or a new one admitted now; waits for the host if it must. */
  const admitDevice = async (
    socket: IoSocket,
    lesson: LiveLesson,
    classroomId: string,
    req: { device?: DeviceCredential | undefined; deviceLabel?: string | undefined },
  ): Promise<{ deviceId: string; issued: DeviceCredential | null }> => {
    const known = await deps.devices.known(classroomId, req.device);
    if (known) return { deviceId: known.id, issued: null };
    const open = lesson.pagesOf(classroomId).some((page) => !page.reconnecting);
    if (open || lesson.devices.barred(classroomId)) {
      await waitForHost(socket, lesson, classroomId, req.deviceLabel ?? '');
    }
    const issued = await deps.devices.admit(classroomId, req.deviceLabel ?? '', 'first-join');
    await deps.audit.record({
      kind: 'device_approved',
      source: socket.data.address ?? null,
      subject: classroomSubject(lesson, classroomId),
      details: { device: issued.id, label: req.deviceLabel ?? '', by: 'first-join', lesson: lesson.id },
    });
    return { deviceId: issued.id, issued };
  };

  /** The host's page and lesson, for the host's decisions. */
  const host = (socket: IoSocket) => {
    const j = joined(socket, lessons, 'host');
    return { lesson: j.lesson, account: socket.data.account };
  };

  return {
    'lesson:join': async (req, socket) => {
      if (socket.data.joined || socket.data.joining)
        throw new AppError('already_joined', 'this connection has already joined a lesson');
      socket.data.joining = true;
      try {
        withdraw(socket, deps);
        const grant = await authorizer.authorize(req, socket.data.account);
        const { classroomId, role, displayName } = grant;
        const device = classroomId
          ? await admitDevice(socket, await lessons.open(grant.lesson), classroomId, req)
          : null;
        const peerId = randomUUID();
        const lesson = await lessons.enter(grant.lesson, { peerId, role, displayName, classroomId });
        const id = lesson.id;
        try {
          const routerRtpCapabilities = await lesson.media.rtpCapabilities();
          const resumeToken = randomBytes(24).toString('base64url');
          await socket.join(roomsOf(id, peerId, role, classroomId, device?.deviceId ?? null));
          // A connection that closed while it joined must not leave a page behind.
          if (socket.disconnected) throw new AppError('not_joined', 'the connection closed while joining');
          const j = {
            lessonId: id,
            peerId,
            role,
            classroomId,
            resumeToken,
            deviceId: device?.deviceId ?? null,
          };
          socket.data.joined = j;
          // One page per host and per classroom: the newest takes over (once it is in, so the lesson never
          // looks empty in between). A page on another node leaves when its node sees its socket go.
          const previous = classroomId
            ? lesson.pagesOf(classroomId).map((p) => p.peerId)
            : role === 'host'
              ? lesson.hostPeerIds()
              : [];
          if (classroomId) deps.departures.replacedBy(j);
          for (const other of previous) if (other !== peerId) replace(lesson, other);
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
            device: device?.issued ?? null,
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
      await socket.join(roomsOf(j.lessonId, j.peerId, j.role, j.classroomId, j.deviceId));
      return {
        state: lesson.state(),
        interaction: await lesson.interaction.view(j.classroomId ? 'classrooms' : 'staff'),
        personal: j.classroomId ? await lesson.interaction.personal(j.classroomId) : null,
        consumerIds: lesson.media.consumerIds(j.peerId),
        iceServers: deps.turn?.iceServers(j.peerId) ?? [],
      };
    },

    'device:admit': async ({ requestId }, socket) => {
      const { lesson, account } = host(socket);
      const request = lesson.settle(requestId);
      const device = await deps.devices.admit(
        request.classroomId,
        request.label,
        `host:${account?.id ?? ''}`,
      );
      io.in(requestRoom(lesson.id, requestId)).emit('device:decision', { admitted: true, device });
      await deps.audit.record({
        kind: 'device_approved',
        actor: actorOf(socket),
        subject: classroomSubject(lesson, request.classroomId),
        details: { device: device.id, label: request.label, by: 'host', lesson: lesson.id },
      });
      log.info(
        { lessonId: lesson.id, classroomId: request.classroomId, requestId },
        'the host admitted a PC',
      );
      return null;
    },

    'device:refuse': async ({ requestId }, socket) => {
      const { lesson } = host(socket);
      const request = lesson.settle(requestId);
      const room = requestRoom(lesson.id, requestId);
      io.in(room).emit('device:decision', { admitted: false, device: null });
      io.in(room).disconnectSockets(true);
      await deps.audit.record({
        kind: 'device_refused',
        actor: actorOf(socket),
        subject: classroomSubject(lesson, request.classroomId),
        details: { label: request.label, lesson: lesson.id },
      });
      log.info({ lessonId: lesson.id, classroomId: request.classroomId, requestId }, 'the host refused a PC');
      return null;
    },

    'page:remove': async ({ classroomId, block }, socket) => {
      const { lesson } = host(socket);
      if (!lesson.isInvited(classroomId)) throw new AppError('not_found', 'no such classroom');
      const room = classroomRoom(lesson.id, classroomId);
      if (block) {
        // The PCs it is open on are barred, and so is any new one until the host admits it.
        lesson.bar(classroomId);
        for (const other of await io.in(room).fetchSockets()) {
          const deviceId = other.data.joined?.deviceId;
          if (deviceId) await deps.devices.revoke(classroomId, deviceId);
        }
      }
      io.in(room).emit('session:removed', { by: 'host' });
      io.in(room).disconnectSockets(true);
      await deps.audit.record({
        kind: 'page_removed',
        actor: actorOf(socket),
        subject: classroomSubject(lesson, classroomId),
        details: { block, lesson: lesson.id },
      });
      log.info({ lessonId: lesson.id, classroomId, block }, 'the host removed a classroom’s page');
      return null;
    },
  };
}

/** The logged-in account of a connection, as the audit log names it. */
function actorOf(socket: IoSocket): AuditActor | null {
  const account = socket.data.account;
  return account ? { id: account.id, username: account.username } : null;
}

/** A classroom of a lesson as the audit log's subject (named as its pages show it). */
function classroomSubject(lesson: LiveLesson, classroomId: string): AuditSubject {
  return { type: 'classroom', id: classroomId, name: lesson.classroomName(classroomId) };
}

/** A PC that stops waiting (it joins again, or its connection closed) withdraws its request. */
export function withdraw(socket: IoSocket, deps: Pick<HandlerDeps, 'lessons'>): void {
  const waiting = socket.data.waiting;
  if (!waiting) return;
  delete socket.data.waiting;
  void socket.leave(requestRoom(waiting.lessonId, waiting.requestId));
  const lesson = deps.lessons.get(waiting.lessonId);
  if (!lesson) return;
  lesson.withdraw(waiting.requestId);
}

/**
 * A page's Socket.IO rooms: the lesson, itself, its PC, and its side (one classroom and all classrooms, or
 * the host side).
 */
function roomsOf(
  lessonId: string,
  peerId: string,
  role: Role,
  classroomId: string | null,
  deviceId: string | null,
): string[] {
  return [
    lessonRoom(lessonId),
    pageRoom(lessonId, peerId),
    ...(deviceId ? [deviceRoom(deviceId)] : []),
    ...(classroomId
      ? [classroomsRoom(lessonId), classroomRoom(lessonId, classroomId)]
      : [staffRoom(lessonId), ...(role === 'host' ? [hostRoom(lessonId)] : [])]),
  ];
}
