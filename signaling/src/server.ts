import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { parse as parseCookies } from 'cookie';
import { Server } from 'socket.io';
import { NodePipes } from '@cloudschool/sfu';
import type { Sfu } from '@cloudschool/sfu';
import { JoinTokens } from './auth/JoinTokens.ts';
import { SESSION_COOKIE, Sessions } from './auth/Sessions.ts';
import type { BoardOptions } from './board/Board.ts';
import type { BoardRegistry } from './board/BoardRegistry.ts';
import { Courseware } from './board/Courseware.ts';
import { ClusterBus } from './cluster/ClusterBus.ts';
import { joinCluster } from './cluster/joinCluster.ts';
import type { ClusterMembership } from './cluster/joinCluster.ts';
import { healthRoutes } from './http/api.ts';
import { authRoutes } from './http/authRoutes.ts';
import { coursewareRoutes } from './http/coursewareRoutes.ts';
import { lessonRoutes } from './http/lessonRoutes.ts';
import { errorHandler, withAccount } from './http/middleware.ts';
import { rosterRoutes } from './http/rosterRoutes.ts';
import { JoinAuthorizer } from './lesson/JoinAuthorizer.ts';
import { LessonRegistry } from './lesson/LessonRegistry.ts';
import type { Logger } from './logger.ts';
import { LessonService } from './services/LessonService.ts';
import type { LessonChange } from './services/LessonService.ts';
import { PresenceTracker } from './services/PresenceTracker.ts';
import { RosterService } from './services/RosterService.ts';
import { lessonInfo } from './services/views.ts';
import { attachBoardStream } from './socket/boardStream.ts';
import { createBoards } from './socket/boardSocket.ts';
import { attachHandlers } from './socket/edge.ts';
import { createHandlers } from './socket/handlers.ts';
import { classroomRoom, classroomsRoom, lessonRoom, staffRoom } from './socket/rooms.ts';
import type { Lesson as LessonRecord } from './domain/types.ts';
import type { LessonRoster } from './lesson/Lesson.ts';
import type { IoServer } from './socket/types.ts';
import type { LessonInfo } from '@cloudschool/protocol';
import type { LessonEvent } from './cluster/messages.ts';
import type { Store } from './store/Store.ts';

export interface AppDeps {
  sfu: Sfu;
  store: Store;
  log: Logger;
  allowPlainTransports: boolean;
  /** Distinguishes this node's presences in a shared store. */
  nodeId: string;
  /** Origin for join links (e.g. https://cloudschool.example.cn); by default the request's. */
  publicUrl?: string | undefined;
  /** Serves the UI; absent in tests that speak only the API and protocol. */
  webHandler?: express.RequestHandler;
  /** Where courseware files go (`<dataDir>/courseware`, with Redis too). */
  dataDir: string;
  board?: BoardOptions | undefined;
  /**
   * Several nodes sharing one Redis: Socket.IO rooms span the nodes (Redis streams adapter), the node
   * registers itself (heartbeat), and lessons and tracks cross nodes. `url` is where browsers reach this node.
   */
  cluster?: { redisUrl: string; url: string } | undefined;
}

export interface App {
  httpServer: http.Server;
  io: IoServer;
  lessons: LessonRegistry;
  boards: BoardRegistry;
  lessonService: LessonService;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/** Socket.IO payloads are small control messages; media never goes through here. */
const MAX_MESSAGE_BYTES = 64 * 1024;

/** One HTTP server: HTTP API, Socket.IO protocol and the SvelteKit UI. */
export async function createApp(deps: AppDeps): Promise<App> {
  const { sfu, store, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const httpServer = http.createServer(app);
  const io: IoServer = new Server(httpServer, { maxHttpBufferSize: MAX_MESSAGE_BYTES, serveClient: false });
  const membership: ClusterMembership | undefined = deps.cluster
    ? await joinCluster(io, deps.cluster.redisUrl, { nodeId: deps.nodeId, url: deps.cluster.url }, log)
    : undefined;
  const bus = new ClusterBus(io, deps.nodeId, membership !== undefined, log);
  const pipes = new NodePipes(sfu, {
    request: (to, request) => bus.request(to, request),
    notify: (to, notice) => bus.publish({ type: 'pipe', to, notice }),
  });
  bus.serve((from, request) => pipes.serve(from, request));

  const tokens = new JoinTokens(
    await store.getOrCreateSecret('join-token', () => randomBytes(32).toString('hex')),
  );
  const sessions = new Sessions(store);
  const presence = new PresenceTracker(store, deps.nodeId);
  const roster = new RosterService(store);

  const peers = {
    nodeId: deps.nodeId,
    announce: (event: LessonEvent) => bus.publish(event),
    others: async () =>
      membership
        ? (await membership.registry.nodes()).map((n) => n.id).filter((id) => id !== deps.nodeId)
        : [],
  };
  // State and views are pushed by each node to its own pages (io.local): every node running the lesson
  // has all of it. Chat messages are events, sent once by the node that took them, to every node's pages.
  const lessons = new LessonRegistry(sfu, store, peers, (lesson) => {
    const lessonLog = log.child({ lessonId: lesson.id });
    // Classrooms show the host and the main media, not how many others are connected: a join or leave
    // elsewhere is pushed to the host side only, or 800 joins would make 800 × 800 pushes.
    let forClassrooms = '';
    lesson.on('state', (state) => {
      io.local.to(staffRoom(lesson.id)).emit('lesson:state', state);
      const shown = JSON.stringify({ lesson: state.lesson, host: state.host, producers: state.producers });
      if (shown === forClassrooms) return;
      forClassrooms = shown;
      io.local.to(classroomsRoom(lesson.id)).emit('lesson:state', state);
    });
    lesson.on('mediareset', (reason) => {
      lessonLog.warn({ reason }, 'media reset');
      io.local.to(lessonRoom(lesson.id)).emit('media:reset', { reason });
    });
    lesson.on('interaction', () => {
      // One view per side, not per socket: classrooms' personal data travels in acks and chat messages.
      void Promise.all([lesson.interaction.view('staff'), lesson.interaction.view('classrooms')])
        .then(([staff, classrooms]) => {
          io.local.to(staffRoom(lesson.id)).emit('interaction:state', staff);
          io.local.to(classroomsRoom(lesson.id)).emit('interaction:state', classrooms);
        })
        .catch((err: unknown) => lessonLog.error({ err }, 'interaction push failed'));
    });
    lesson.on('chat', (message) => {
      io.to([staffRoom(lesson.id), classroomRoom(lesson.id, message.classroomId)]).emit(
        'chat:message',
        message,
      );
    });
  });

  const boards = createBoards({ io, bus, store, log, options: deps.board });
  const courseware = new Courseware(path.join(deps.dataDir, 'courseware'));

  /** What a running lesson needs of its record: the schedule side and the invited classrooms' names. */
  const describe = async (lesson: LessonRecord): Promise<{ info: LessonInfo; roster: LessonRoster }> => {
    const [zone, classrooms, schools] = await Promise.all([
      lessonService.timeZoneOf(lesson),
      store.listClassrooms(),
      store.listSchools(),
    ]);
    const schoolName = new Map(schools.map((s) => [s.id, s.name]));
    const classroomNames = new Map(
      classrooms.map((c) => [c.id, `${schoolName.get(c.schoolId) ?? ''} ${c.name}`.trim()]),
    );
    return {
      info: lessonInfo(lesson, Date.now(), zone),
      roster: { invitedClassroomIds: lesson.invitedClassroomIds, classroomNames },
    };
  };

  /** The schedule side of a lesson changed (here, or on another node): its running lesson follows. */
  const refresh = (lesson: LessonRecord): void => {
    const running = lessons.get(lesson.id);
    if (!running) return;
    void describe(lesson)
      .then(({ info, roster }) => running.setInfo(info, roster))
      .catch((err: unknown) => log.error({ err }, 'could not update a running lesson'));
  };
  const lessonService = new LessonService(store, tokens, (change: LessonChange) => {
    refresh(change.lesson);
    bus.publish({ type: 'info', lessonId: change.lesson.id });
  });

  bus.on('event', (from, event) => {
    switch (event.type) {
      case 'pipe':
        if (event.to === deps.nodeId) pipes.notice(event.notice);
        return;
      case 'board':
        // A board still loading applies it once loaded (or already has it: applyRemote skips what it has).
        void boards
          .ofRunning(event.lessonId)
          ?.then((board) => board.applyRemote(event.op))
          .catch((err: unknown) => log.error({ err }, 'board op from another node failed'));
        return;
      case 'hello': {
        // Every node answers, running the lesson or not, so the asking node knows when it has heard all.
        const running = lessons.get(event.lessonId);
        bus.publish(
          running?.snapshot() ?? { type: 'snapshot', lessonId: event.lessonId, peers: [], tracks: [] },
        );
        return;
      }
      case 'info':
        if (!lessons.get(event.lessonId)) return;
        void store.getLesson(event.lessonId).then((record) => record && refresh(record));
        return;
      default:
        lessons
          .get(event.lessonId)
          ?.receive(from, event)
          .catch((err: unknown) => log.error({ err, from, event: event.type }, 'cluster event failed'));
    }
  });
  membership?.setLoad(() => ({
    peers: lessons.all().reduce((n, l) => n + l.localPageCount, 0),
    lessons: lessons.size,
  }));
  membership?.registry.on('gone', (nodeId) => {
    pipes.dropNode(nodeId);
    for (const lesson of lessons.all()) lesson.forgetNode(nodeId);
  });

  sfu.on('workerfailed', ({ index, error }) =>
    log.fatal({ index, err: error }, 'a mediasoup worker cannot be replaced'),
  );

  const handlers = createHandlers({
    io,
    lessons,
    authorizer: new JoinAuthorizer(store, tokens),
    presence,
    describe,
    allowPlainTransports: deps.allowPlainTransports,
    log,
    boards,
    courseware,
    nodeId: deps.nodeId,
    pipes,
  });

  // The login travels with the socket's handshake cookie; classrooms bring tokens in lesson:join instead.
  io.use((socket, next) => {
    const cookie = parseCookies(socket.handshake.headers.cookie ?? '')[SESSION_COOKIE];
    sessions.resolve(cookie).then(
      (account) => {
        if (account) socket.data.account = account;
        next();
      },
      (err: unknown) => next(err instanceof Error ? err : new Error(String(err))),
    );
  });

  io.on('connection', (socket) => {
    const socketLog = log.child({ socket: socket.id });
    attachHandlers(socket, handlers, socketLog);
    attachBoardStream(socket, { lessons, boards }, socketLog);
    socket.on('disconnect', (reason) => {
      const j = socket.data.joined;
      if (!j) return;
      socketLog.info({ lessonId: j.lessonId, peerId: j.peerId, reason }, 'left');
      lessons.get(j.lessonId)?.remove(j.peerId);
      if (j.classroomId) {
        presence
          .left(j.lessonId, j.classroomId, j.peerId)
          .catch((err: unknown) => socketLog.error({ err }, 'presence'));
      }
    });
  });

  app.use(express.json({ limit: '256kb' }));
  app.use(withAccount(sessions));
  app.use(healthRoutes({ sfu, lessons, pipes, nodeId: deps.nodeId, registry: membership?.registry }));
  app.use(authRoutes({ store, sessions }));
  app.use(rosterRoutes({ store, roster }));
  app.use(lessonRoutes({ store, lessons: lessonService, presence, publicUrl: deps.publicUrl }));
  app.use(coursewareRoutes({ store, tokens, courseware }));
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'no such API route' } });
  });
  app.use(errorHandler(log));
  if (deps.webHandler) app.use(deps.webHandler);

  return {
    httpServer,
    io,
    lessons,
    boards,
    lessonService,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve((httpServer.address() as AddressInfo).port));
      }),
    close: async () => {
      presence.close();
      await io.close();
      await boards.close();
      bus.close();
      await membership?.close();
      httpServer.closeAllConnections();
    },
  };
}
