import { randomInt } from 'node:crypto';

/** No 0/O, 1/I/L: a tutor reads the code off paper and types it on a projector PC. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const CODE_LENGTH = 6;

export function newClassroomCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

/** A code not in `taken` (31^6 ≈ 887 million codes: collisions are rare, but checked). */
export function uniqueCode(taken: Set<string>): string {
  for (;;) {
    const code = newClassroomCode();
    if (!taken.has(code)) {
      taken.add(code);
      return code;
    }
  }
}
