import { AppError } from '../errors.ts';
import { boardHandlers } from './boardHandlers.ts';
import { classroomOf, joined, live } from './context.ts';
import type { HandlerTable } from './edge.ts';
import type { HandlerDeps } from './HandlerDeps.ts';
import { interactionHandlers } from './interactionHandlers.ts';
import { joinHandlers } from './joinHandlers.ts';
import { wallHandlers } from './wallHandlers.ts';

/** Every acknowledged event: who may do what is decided here, the rules in the live lesson. */
export function createHandlers(deps: HandlerDeps): HandlerTable {
  const { lessons } = deps;

  const plainAllowed = (): void => {
    if (!deps.allowPlainTransports) throw new AppError('forbidden', 'plain transports are disabled');
  };

  return {
    ...joinHandlers(deps),

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

    /** Only the host teacher chooses what the classrooms show large. */
    'lesson:layout': async ({ layout }, socket) => {
      const j = joined(socket, lessons, 'host');
      live(j.lesson);
      j.lesson.chooseLayout(layout);
      return null;
    },

    'media:closeProducer': async ({ producerId }, socket) => {
      const j = joined(socket, lessons, 'host', 'classroom');
      await j.lesson.media.closeProducer(j.page, producerId);
      return null;
    },

    'media:consume': async ({ transportId, producerId, rtpCapabilities, thumbnail }, socket) => {
      const j = joined(socket, lessons);
      live(j.lesson);
      return j.lesson.media.consume(j.page, transportId, producerId, rtpCapabilities, thumbnail);
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

    'media:keyFrames': async ({ transportId }, socket) => {
      const j = joined(socket, lessons);
      await j.lesson.media.requestKeyFrames(j.page, transportId);
      return null;
    },

    /**
     * The host teacher, or a coordinator on patrol (district staff run recordings too), starts and stops
     * the recording; the role is checked at each request, so a page whose role changed is refused.
     */
    'recording:start': async (_req, socket) => {
      const j = joined(socket, lessons, 'host', 'observer');
      live(j.lesson);
      return j.lesson.recording.start();
    },

    'recording:stop': async (_req, socket) => {
      const j = joined(socket, lessons, 'host', 'observer');
      return j.lesson.recording.stop();
    },

    /** Every page reports how its media gets through; the answer is its level and what to say. */
    'quality:report': async (report, socket) => {
      const j = joined(socket, lessons);
      return j.lesson.quality.report(j.page, report);
    },

    /** A classroom's self-check, for its own page only (the socket's, never a classroom named in the payload). */
    'readiness:report': async (results, socket) => {
      const j = classroomOf(socket, lessons);
      j.lesson.readiness.report(j.page, results);
      return null;
    },

    ...interactionHandlers(lessons),
    ...boardHandlers({ lessons, courseware: deps.courseware }),
    ...wallHandlers(deps.wall),
  };
}
