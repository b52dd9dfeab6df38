/**
 * What a live page tells whoever looks at its console while diagnosing a classroom on site: how long
 * it took to come back after a dropped connection, an ICE restart. Information, not a problem (those
 * are console.warn).
 */
export function note(message: string): void {
  // eslint-disable-next-line no-console -- recovery times are for the people diagnosing a classroom
  console.info(`[cloudschool] ${message}`);
}
