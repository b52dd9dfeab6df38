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
/** A PC waiting for the host teacher to let it in. */
export const requestRoom = (lessonId: string, requestId: string): string =>
  `lesson:${lessonId}:request:${requestId}`;
/** Every connection a login opened, wherever it is served. */
export const sessionRoom = (sessionId: string): string => `session:${sessionId}`;
/** Every connection an account opened (any of its logins), wherever it is served. */
export const accountRoom = (accountId: string): string => `account:${accountId}`;
/** Every page a classroom PC opened, in any lesson, wherever it is served. */
export const deviceRoom = (deviceId: string): string => `device:${deviceId}`;
/** The coordinators watching the wall on this node (each node pushes its own). */
export const WALL_ROOM = 'wall';
