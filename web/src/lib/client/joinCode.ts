/**
 * Classroom codes as the server accepts them at POST /api/join/code: six
 * letters or digits, in capitals. Mirrors `joinByCodeRequest` in
 * protocol/src/http.ts (joinCode.test.ts keeps the two in step), so
 * the projector's join page does not load zod for one check.
 */
export const JOIN_CODE_LENGTH = 6;

const joinCodePattern = /^[A-Z0-9]{6}$/;

/** What a tutor typed: capitals, without spaces or dashes a printed code may show. */
export function normalizeJoinCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]+/g, '');
}

export function isJoinCode(value: string): boolean {
  return joinCodePattern.test(value);
}
