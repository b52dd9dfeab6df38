/**
 * Socket.IO rooms of a lesson: everyone, the host side (host + observers), all classrooms, one classroom,
 * and one page (its socket, wherever it is served).
 */
export const lessonRoom = (lessonId: string): string => `lesson:${lessonId}`;
export const staffRoom = (lessonId: string): string => `lesson:${lessonId}:staff`;
export const classroomsRoom = (lessonId: string): string => `lesson:${lessonId}:classrooms`;
export const classroomRoom = (lessonId: string, classroomId: string): string =>
  `lesson:${lessonId}:classroom:${classroomId}`;
export const pageRoom = (lessonId: string, peerId: string): string => `lesson:${lessonId}:page:${peerId}`;
export const hostRoom = (lessonId: string): string => `lesson:${lessonId}:host`;
/** Every connection a login opened, wherever it is served. */
export const sessionRoom = (sessionId: string): string => `session:${sessionId}`;
