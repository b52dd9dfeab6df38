import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { parse as parseCookies } from 'cookie';
import { Server } from 'socket.io';
import type { Sfu } from '@cloudschool/sfu';
import { AccountService } from './auth/Accounts.ts';
import { Audit } from './auth/Audit.ts';
import { CodeEntryLimiter } from './auth/CodeEntryLimiter.ts';
import type { CodeEntryLimits } from './auth/CodeEntryLimiter.ts';
import { JoinTokens } from './auth/JoinTokens.ts';
import { LoginLimiter } from './auth/LoginLimiter.ts';
import type { LoginLimits } from './auth/LoginLimiter.ts';
import { Devices } from './auth/Devices.ts';
import { TurnCredentials } from './auth/TurnCredentials.ts';
import type { TurnOptions } from './auth/TurnCredentials.ts';
import { SESSION_COOKIE, Sessions } from './auth/Sessions.ts';
import type { BoardOptions } from './board/Board.ts';
import { Courseware } from './board/Courseware.ts';
import type { SlideConverter } from './board/SlideConverter.ts';
import { toAckError } from './errors.ts';
import type { Fabric } from './fabric/Fabric.ts';
import { accountRoutes } from './http/accountRoutes.ts';
import { healthRoutes } from './http/api.ts';
import { auditRoutes } from './http/auditRoutes.ts';
import { classroomAccessRoutes } from './http/classroomAccessRoutes.ts';
import { authRoutes } from './http/authRoutes.ts';
import { coursewareRoutes } from './http/coursewareRoutes.ts';
import { recordingLibraryRoutes } from './http/recordingLibraryRoutes.ts';
import { recordingRoutes } from './http/recordingRoutes.ts';
import { replayRoutes } from './http/replayRoutes.ts';
import { Mp4Exports } from './replay/Mp4Export.ts';
import { ReplayMedia } from './replay/ReplayMedia.ts';
import { Recorder } from './recording/Recorder.ts';
import { RetentionSweeper } from './recording/RetentionSweeper.ts';
import { RECORDER_DEFAULTS } from './recording/RecorderTypes.ts';
import { Wall } from './wall/Wall.ts';
import type { AlertDelays } from './wall/wallLesson.ts';
import { WALL_ROOM } from './socket/rooms.ts';
import type { RecorderOptions } from './recording/RecorderTypes.ts';
import { lessonRoutes } from './http/lessonRoutes.ts';
import { metricsRoutes } from './http/metricsRoutes.ts';
import { errorHandler, withAccount } from './http/middleware.ts';
import { Origins, securityHeaders } from './http/origins.ts';
import { rosterRoutes } from './http/rosterRoutes.ts';
import { usageRoutes } from './http/usageRoutes.ts';
import { JoinAuthorizer } from './lesson/JoinAuthorizer.ts';
import { LiveLessons } from './lesson/LiveLessons.ts';
import { unhandledRejections } from './logger.ts';
import type { Logger } from './logger.ts';
import { NodeMetrics } from './metrics/NodeMetrics.ts';
import { LessonService } from './services/LessonService.ts';
import { PresenceTracker } from './services/PresenceTracker.ts';
import { RosterService } from './services/RosterService.ts';
import { socketAudience } from './socket/audience.ts';
import { attachBoardStream } from './socket/boardStream.ts';
import { Departures } from './socket/departures.ts';
import { Revocations } from './socket/revocations.ts';
import { accountRoom, sessionRoom } from './socket/rooms.ts';
import { limitConnectionsPerAddress } from './socket/connectionsPerAddress.ts';
import { attachHandlers } from './socket/edge.ts';
import type { Handler, HandlerTable } from './socket/edge.ts';
import { createHandlers } from './socket/handlers.ts';
import { withdraw } from './socket/joinHandlers.ts';
import type { IoServer } from './socket/types.ts';
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
  /** Where courseware files go (`<dataDir>/courseware`). */
  dataDir: string;
  /**
   * The recorder's settings beside RECORDER_DEFAULTS: the floor of free space (RECORDING_MIN_FREE_MB), the
   * key frame interval (RECORDING_KEY_FRAME_SECONDS) and, in tests, how free space is read.
   */
  recording?: Partial<
    Pick<RecorderOptions, 'minFreeMb' | 'diskCheckMs' | 'statfs' | 'segmentSeconds' | 'keyFrameSeconds'>
  >;
  /** Converts presentation courseware to PDF; without it presentations are refused. */
  slides?: SlideConverter | undefined;
  board?: BoardOptions | undefined;
  /** Sites whose pages may act with a login here (origins); by default the request's own host. */
  allowedOrigins?: string[] | undefined;
  /** express's `trust proxy` (the proxies whose X-Forwarded-* headers count); default loopback. */
  trustProxy?: boolean | number | string | undefined;
  /** Socket.IO connections one client address may hold at once (default 1000). */
  maxConnectionsPerAddress?: number | undefined;
  /** TURN relays handed to pages (coturn's shared secret), if the district runs one. */
  turn?: TurnOptions | undefined;
  /** Failed logins and wrong classroom codes (defaults: LOGIN_LIMITS, CODE_ENTRY_LIMITS). */
  limits?: { login?: LoginLimits; codeEntry?: CodeEntryLimits } | undefined;
  /** How long a page whose connection dropped keeps its place (default 2 minutes). */
  reconnectGraceMs?: number;
  /** How long a condition holds before the wall shows it as an alert (defaults: ALERT_DELAYS). */
  wallAlerts?: Partial<AlertDelays> | undefined;
  /** How this node reaches other nodes (`LocalFabric`: a node alone), made once the Socket.IO server exists. */
  fabric: (io: IoServer) => Promise<Fabric>;
  /** The bearer token of GET /metrics (Prometheus); without it the endpoint answers 404. */
  metricsToken?: string | undefined;
  /** The server the app and Socket.IO listen on: plain HTTP by default; HTTPS with TLS_CERT (`TlsCertificate`). */
  createServer?: ((app: http.RequestListener) => http.Server) | undefined;
}

export interface App {
  httpServer: http.Server;
  io: IoServer;
  fabric: Fabric;
  lessons: LiveLessons;
  lessonService: LessonService;
  /** The audit log: where other parts record what they do (code rotations, device approvals, …). */
  audit: Audit;
  /** Records lessons' media on this node (live lessons drive it); made after closing what a crash left open. */
  recorder: Recorder;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/** Socket.IO payloads are small control messages; media never goes through here. */
const MAX_MESSAGE_BYTES = 64 * 1024;
/**
 * How long a page whose connection dropped keeps its place (its browser resumes it with `lesson:resume`);
 * pings every 10 s with 10 s to answer notice a dead connection within 20 s.
 */
const RECONNECT_GRACE_MS = 2 * 60_000;

const PING_INTERVAL_MS = 10_000;
const MAX_CONNECTIONS_PER_ADDRESS = 1000;
const PING_TIMEOUT_MS = 10_000;

/** One HTTP server: HTTP API, Socket.IO protocol and the SvelteKit UI. */
export async function createApp(deps: AppDeps): Promise<App> {
  const { sfu, store, log } = deps;
  const graceMs = deps.reconnectGraceMs ?? RECONNECT_GRACE_MS;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? 'loopback');
  const origins = new Origins(deps.allowedOrigins ?? []);
  const httpServer = (deps.createServer ?? http.createServer)(app);
  const io: IoServer = new Server(httpServer, {
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    serveClient: false,
    pingInterval: PING_INTERVAL_MS,
    pingTimeout: PING_TIMEOUT_MS,
    // A page of another site cannot open a connection that carries this site's login cookie.
    allowRequest: (req, callback) => callback(null, origins.allows(req)),
  });
  const fabric = await deps.fabric(io);
  // The recordings this node was writing when it last died are marked interrupted, playable up to their
  // last segment.
  const { recorder } = await Recorder.create({
    ...RECORDER_DEFAULTS,
    ...deps.recording,
    store,
    nodeId: deps.nodeId,
    dataDir: deps.dataDir,
    logger: log,
  });

  const tokens = new JoinTokens(
    await store.getOrCreateSecret('join-token', () => randomBytes(32).toString('hex')),
  );
  const sessions = new Sessions(store);
  const audit = new Audit(store, (err, entry) =>
    log.error({ err, audit: entry }, 'could not write an audit entry'),
  );
  // Recordings past the district's retention go, this node's own (their files are on its disk).
  const sweeper = RetentionSweeper.start({
    store,
    nodeId: deps.nodeId,
    directory: (lessonId, recordingId) => recorder.directory(lessonId, recordingId),
    audit,
    logger: log.child({ component: 'retention' }),
  });
  const presence = new PresenceTracker(store, deps.nodeId);
  const roster = new RosterService(store);
  const devices = new Devices(store);
  const courseware = new Courseware(path.join(deps.dataDir, 'courseware'), deps.slides ?? null);
  // The wall judges the lessons this node runs from their pushes to the host side, and pushes to the
  // coordinators watching here. The lessons are made with the wall's audience: it reaches them through
  // `running` once they exist.
  const running: { lessons?: LiveLessons } = {};
  const wall = Wall.create({
    store,
    running: () => running.lessons?.all() ?? [],
    fabric,
    push: (update) => io.local.to(WALL_ROOM).emit('wall:update', update),
    delays: deps.wallAlerts,
    log: log.child({ component: 'wall' }),
  });
  const lessons = new LiveLessons({
    sfu,
    fabric,
    store,
    audience: wall.audience(socketAudience(io)),
    log,
    board: deps.board,
    recorder,
  });
  running.lessons = lessons;
  fabric.setLoad(() => ({ pages: lessons.pageCount, lessons: lessons.size }));
  const revocations = new Revocations(io);
  const accounts = new AccountService({ store, sessions, audit, disconnects: revocations });
  const lessonService = new LessonService(store, tokens, (change) => {
    revocations.lessonChanged(change);
    if (change.kind === 'started' || change.kind === 'ended') {
      void audit.record({
        kind: change.kind === 'started' ? 'lesson_started' : 'lesson_ended',
        actor: change.by && { id: change.by.id, username: change.by.username },
        subject: { type: 'lesson', id: change.lesson.id, name: change.lesson.title },
      });
    }
    lessons
      .recordChanged(change.lesson)
      .catch((err: unknown) => log.error({ err }, 'could not update a running lesson'));
  });

  sfu.on('workerfailed', ({ index, error }) =>
    log.fatal({ index, err: error }, 'a mediasoup worker cannot be replaced'),
  );

  const metrics = deps.metricsToken
    ? new NodeMetrics({
        sfu,
        lessons,
        connections: () => io.engine.clientsCount,
        unhandledRejections: () => unhandledRejections.count,
      })
    : undefined;
  const departures = new Departures(lessons, presence, graceMs, log);
  const handlers = createHandlers({
    io,
    lessons,
    authorizer: new JoinAuthorizer(store, tokens),
    presence,
    allowPlainTransports: deps.allowPlainTransports,
    log,
    courseware,
    departures,
    turn: deps.turn ? new TurnCredentials(deps.turn) : undefined,
    devices,
    audit,
    wall,
  });
  if (metrics) countRefusals(handlers, metrics);

  limitConnectionsPerAddress(
    io,
    deps.maxConnectionsPerAddress ?? MAX_CONNECTIONS_PER_ADDRESS,
    app.get('trust proxy fn'),
  );
  // The login travels with the socket's handshake cookie; classrooms bring tokens in lesson:join instead.
  io.use((socket, next) => {
    const cookie = parseCookies(socket.handshake.headers.cookie ?? '')[SESSION_COOKIE];
    sessions.login(cookie).then(
      (login) => {
        if (login) {
          socket.data.account = login.account;
          socket.data.session = { id: login.sessionId, expiresAt: login.expiresAt };
        }
        next();
      },
      (err: unknown) => next(err instanceof Error ? err : new Error(String(err))),
    );
  });

  io.on('connection', (socket) => {
    const socketLog = log.child({ socket: socket.id });
    revocations.expireWithLogin(socket);
    if (socket.data.session) void socket.join(sessionRoom(socket.data.session.id));
    if (socket.data.account) void socket.join(accountRoom(socket.data.account.id));
    attachHandlers(socket, handlers, socketLog);
    attachBoardStream(socket, lessons, socketLog);
    socket.on('disconnect', (reason) => {
      withdraw(socket, { lessons });
      departures.disconnected(socket, reason);
    });
  });

  const headers = securityHeaders();
  app.use(['/api', '/healthz'], headers.api);
  app.use(headers.pages);
  app.use(origins.guard());
  app.use(express.json({ limit: '256kb' }));
  app.use(withAccount(sessions));
  app.use(
    healthRoutes({
      sfu,
      lessons,
      nodeId: deps.nodeId,
      timers: () => ({ heartbeats: presence.beating, waiting: departures.waiting }),
    }),
  );
  app.use(metricsRoutes(metrics, deps.metricsToken));
  const fabricRoutes = fabric.routes();
  if (fabricRoutes) app.use(fabricRoutes);
  app.use(
    authRoutes({
      store,
      sessions,
      accounts,
      audit,
      limiter: new LoginLimiter(store, deps.limits?.login),
      loggedOut: (sessionId) => revocations.loggedOut(sessionId),
    }),
  );
  app.use(accountRoutes({ store, sessions, accounts }));
  app.use(auditRoutes({ audit }));
  app.use(rosterRoutes({ store, roster }));
  app.use(usageRoutes({ store }));
  app.use(
    classroomAccessRoutes({
      store,
      roster,
      devices,
      audit,
      deviceRevoked: (deviceId) => revocations.deviceRevoked(deviceId),
    }),
  );
  app.use(
    lessonRoutes({
      store,
      lessons: lessonService,
      presence,
      publicUrl: deps.publicUrl,
      liveQuality: (lesson) => lessons.get(lesson.id)?.quality.counts(lesson.invitedClassroomIds) ?? null,
      codeEntry: new CodeEntryLimiter(store, { limits: deps.limits?.codeEntry, log }),
    }),
  );
  app.use(coursewareRoutes({ store, tokens, courseware }));
  app.use(recordingRoutes({ store, tokens }));
  app.use(recordingLibraryRoutes({ store, audit, sweeper }));
  const replayMedia = new ReplayMedia({
    directory: (lessonId, recordingId) => recorder.directory(lessonId, recordingId),
    ffmpeg: RECORDER_DEFAULTS.ffmpeg,
  });
  const mp4Exports = new Mp4Exports({
    directory: (lessonId, recordingId) => recorder.directory(lessonId, recordingId),
    ffmpeg: RECORDER_DEFAULTS.ffmpeg,
    courseware,
    logger: log.child({ component: 'export' }),
  });
  app.use(replayRoutes({ store, tokens, media: replayMedia, exports: mp4Exports }));
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'no such API route' } });
  });
  app.use(errorHandler(log));
  if (deps.webHandler) app.use(deps.webHandler);

  return {
    httpServer,
    io,
    fabric,
    lessons,
    lessonService,
    audit,
    recorder,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve((httpServer.address() as AddressInfo).port));
      }),
    close: async () => {
      await wall.close();
      departures.close();
      revocations.close();
      metrics?.close();
      presence.close();
      await sweeper.close();
      await mp4Exports.close();
      await recorder.close();
      await io.close();
      await lessons.close();
      await fabric.close();
      httpServer.closeAllConnections();
    },
  };
}

/** Joins and resumes their handlers refuse are counted by error code (what an operator pages on at 8:05). */
function countRefusals(handlers: HandlerTable, metrics: NodeMetrics): void {
  const counted =
    <E extends 'lesson:join' | 'lesson:resume'>(event: E, handler: Handler<E>): Handler<E> =>
    async (payload, socket) => {
      try {
        return await handler(payload, socket);
      } catch (error) {
        metrics.refused(event, toAckError(error).ack.code);
        throw error;
      }
    };
  handlers['lesson:join'] = counted('lesson:join', handlers['lesson:join']);
  handlers['lesson:resume'] = counted('lesson:resume', handlers['lesson:resume']);
}
