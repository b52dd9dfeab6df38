/**
 * Lesson ids as the server accepts them. The pattern mirrors the `lessonId`
 * schema in protocol/src/events.ts (lessonId.test.ts keeps the two
 * in step) so that zod is not shipped to the browser for one check.
 */
const lessonIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export function isLessonId(value: string): boolean {
  return lessonIdPattern.test(value);
}
