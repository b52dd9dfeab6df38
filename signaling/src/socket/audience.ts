import type { LessonAudience } from '../lesson/LessonViews.ts';
import { classroomRoom, classroomsRoom, lessonRoom, pageRoom, staffRoom } from './rooms.ts';
import type { IoServer } from './types.ts';

/**
 * A live lesson's pushes over Socket.IO. State, views and board operations go to this node's pages only
 * (`io.local`: every node running the lesson pushes to its own); a chat message is sent once, by the node
 * that took it, to the host side and its classroom wherever they are.
 */
export function socketAudience(io: IoServer): LessonAudience {
  return {
    staffState: (lessonId, state) => io.local.to(staffRoom(lessonId)).emit('lesson:state', state),
    classroomState: (lessonId, state) => io.local.to(classroomsRoom(lessonId)).emit('lesson:state', state),
    interaction: (lessonId, views) => {
      io.local.to(staffRoom(lessonId)).emit('interaction:state', views.staff);
      io.local.to(classroomsRoom(lessonId)).emit('interaction:state', views.classrooms);
    },
    chat: (lessonId, message) =>
      io
        .to([staffRoom(lessonId), classroomRoom(lessonId, message.classroomId)])
        .emit('chat:message', message),
    boardOp: (lessonId, op) => io.local.to(lessonRoom(lessonId)).emit('board:op', op),
    mediaReset: (lessonId, reason) => io.local.to(lessonRoom(lessonId)).emit('media:reset', { reason }),
    consumerClosed: (lessonId, peerId, consumerId) =>
      io.local.to(pageRoom(lessonId, peerId)).emit('consumer:closed', { consumerId }),
  };
}
