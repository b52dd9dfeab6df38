import { AppError } from '../errors.ts';
import type { LiveLessons } from '../lesson/LiveLessons.ts';
import type { HandlerTable } from './edge.ts';
import { classroomOf, joined, live } from './context.ts';

type InteractionEvents =
  | 'hand:raise'
  | 'hand:lower'
  | 'hand:dismiss'
  | 'stage:invite'
  | 'stage:remove'
  | 'stage:leave'
  | 'stage:mute'
  | 'stage:capacity'
  | 'question:ask'
  | 'question:vote'
  | 'question:mark'
  | 'quiz:start'
  | 'quiz:answer'
  | 'quiz:close'
  | 'quiz:reveal'
  | 'chat:send'
  | 'chat:read'
  | 'chat:history';

/** Hands, stage, questions, quizzes, backchannel: who may do what is decided here, the rules in Interaction. */
export function interactionHandlers(lessons: LiveLessons): Pick<HandlerTable, InteractionEvents> {
  const host = (socket: Parameters<typeof joined>[0]) => {
    const j = joined(socket, lessons, 'host');
    live(j.lesson);
    return j.lesson.interaction;
  };
  const classroom = (socket: Parameters<typeof joined>[0]) => {
    const j = classroomOf(socket, lessons);
    live(j.lesson);
    return { interaction: j.lesson.interaction, classroomId: j.classroomId };
  };

  return {
    'hand:raise': async (_req, socket) => {
      const c = classroom(socket);
      await c.interaction.raiseHand(c.classroomId);
      return null;
    },
    'hand:lower': async (_req, socket) => {
      const c = classroom(socket);
      await c.interaction.lowerHand(c.classroomId);
      return null;
    },
    'hand:dismiss': async ({ classroomId }, socket) => {
      await host(socket).lowerHand(classroomId);
      return null;
    },
    'stage:invite': async ({ classroomId }, socket) => {
      await host(socket).invite(classroomId);
      return null;
    },
    'stage:remove': async ({ classroomId }, socket) => {
      await host(socket).removeFromStage(classroomId);
      return null;
    },
    'stage:leave': async (_req, socket) => {
      const c = classroom(socket);
      await c.interaction.removeFromStage(c.classroomId);
      return null;
    },
    'stage:mute': async ({ classroomId, muted }, socket) => {
      await host(socket).mute(classroomId, muted);
      return null;
    },
    'stage:capacity': async ({ capacity }, socket) => {
      await host(socket).setCapacity(capacity);
      return null;
    },
    'question:ask': async ({ text }, socket) => {
      const c = classroom(socket);
      return c.interaction.ask(c.classroomId, text);
    },
    'question:vote': async ({ questionId, on }, socket) => {
      const c = classroom(socket);
      await c.interaction.vote(c.classroomId, questionId, on);
      return null;
    },
    'question:mark': async ({ questionId, state }, socket) => {
      await host(socket).mark(questionId, state);
      return null;
    },
    'quiz:start': async (req, socket) => ({ quizId: await host(socket).startQuiz(req) }),
    'quiz:answer': async (req, socket) => {
      const c = classroom(socket);
      return c.interaction.answer(c.classroomId, req);
    },
    'quiz:close': async ({ quizId }, socket) => {
      await host(socket).closeQuiz(quizId);
      return null;
    },
    'quiz:reveal': async ({ quizId }, socket) => {
      await host(socket).reveal(quizId);
      return null;
    },
    /**
     * The host side writes to a classroom's tutor: the host teacher, or a coordinator on patrol answering an
     * alert on the wall (as the host side: the teacher sees it in the same conversation).
     */
    'chat:send': async ({ text, classroomId }, socket) => {
      const { lesson, page } = joined(socket, lessons, 'host', 'observer', 'classroom');
      live(lesson);
      if (page.classroomId === null) {
        if (!classroomId) throw new AppError('bad_request', 'name the classroom to write to');
        return lesson.interaction.send(classroomId, 'host', text);
      }
      if (classroomId !== undefined && classroomId !== page.classroomId) {
        throw new AppError('forbidden', 'a classroom writes only to the host side');
      }
      return lesson.interaction.send(page.classroomId, 'classroom', text);
    },
    'chat:read': async ({ classroomId }, socket) => {
      const { lesson, page } = joined(socket, lessons, 'host', 'classroom');
      if (page.classroomId === null) {
        if (!classroomId) throw new AppError('bad_request', 'name the classroom');
        await lesson.interaction.read(classroomId, 'host');
      } else {
        await lesson.interaction.read(page.classroomId, 'classroom');
      }
      return null;
    },
    /** A coordinator's patrol does not mark the host teacher's messages read (chat:read), but reads them. */
    'chat:history': async ({ classroomId }, socket) => {
      const { lesson } = joined(socket, lessons, 'host', 'observer');
      if (!lesson.isInvited(classroomId)) throw new AppError('not_found', 'no such classroom');
      return lesson.interaction.history(classroomId);
    },
  };
}
