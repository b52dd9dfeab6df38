/**
 * Debian's Chromium as e2e and the benchmarks start it: never a downloaded browser, a fake camera and
 * microphone, and nothing that calls home (this machine's closed network refuses it, many times a second).
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];
