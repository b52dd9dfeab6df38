import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Server } from 'socket.io';
import type { Sfu } from '@cloudschool/sfu';
import { createApiRouter } from './http/api.ts';
import { AdHocJoinAuthorizer } from './lesson/JoinAuthorizer.ts';
import type { JoinAuthorizer } from './lesson/JoinAuthorizer.ts';
import { LessonRegistry } from './lesson/LessonRegistry.ts';
import type { Logger } from './logger.ts';
import { attachHandlers } from './socket/edge.ts';
import { createHandlers, lessonRoom } from './socket/handlers.ts';
import type { IoServer } from './socket/types.ts';

export interface AppDeps {
  sfu: Sfu;
  log: Logger;
  allowPlainTransports: boolean;
  /** Serves the UI; absent in tests that speak only the protocol. */
  webHandler?: express.RequestHandler;
  authorizer?: JoinAuthorizer;
}

export interface App {
  httpServer: http.Server;
  io: IoServer;
  lessons: LessonRegistry;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

/** Socket.IO payloads are small control messages; media never goes through here. */
const MAX_MESSAGE_BYTES = 64 * 1024;

/** One HTTP server: HTTP API, Socket.IO protocol and the SvelteKit UI. */
export function createApp(deps: AppDeps): App {
  const { sfu, log } = deps;
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const io: IoServer = new Server(httpServer, { maxHttpBufferSize: MAX_MESSAGE_BYTES, serveClient: false });

  const lessons = new LessonRegistry(sfu, (lesson) => {
    const lessonLog = log.child({ lessonId: lesson.id });
    lesson.on('state', (state) => io.to(lessonRoom(lesson.id)).emit('lesson:state', state));
    lesson.on('mediareset', (reason) => {
      lessonLog.warn({ reason }, 'media reset');
      io.to(lessonRoom(lesson.id)).emit('media:reset', { reason });
    });
  });

  sfu.on('workerfailed', ({ index, error }) =>
    log.fatal({ index, err: error }, 'a mediasoup worker cannot be replaced'),
  );

  const handlers = createHandlers({
    io,
    lessons,
    authorizer: deps.authorizer ?? new AdHocJoinAuthorizer(),
    allowPlainTransports: deps.allowPlainTransports,
    log,
  });

  io.on('connection', (socket) => {
    const socketLog = log.child({ socket: socket.id });
    attachHandlers(socket, handlers, socketLog);
    socket.on('disconnect', (reason) => {
      const j = socket.data.joined;
      if (!j) return;
      socketLog.info({ lessonId: j.lessonId, peerId: j.peerId, reason }, 'left');
      lessons.get(j.lessonId)?.remove(j.peerId);
    });
  });

  app.use(createApiRouter({ sfu, lessons }));
  if (deps.webHandler) app.use(deps.webHandler);

  return {
    httpServer,
    io,
    lessons,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve((httpServer.address() as AddressInfo).port));
      }),
    close: async () => {
      await io.close();
      httpServer.closeAllConnections();
    },
  };
}
