import { pino } from 'pino';
import type { Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  /**
   * Human-readable lines (time, coloured level, message, then the fields) instead of one JSON object per line.
   * Default: when stdout is a terminal. CI, systemd and files (not terminals) get JSON for their collectors.
   */
  pretty?: boolean;
  /** Where lines go (tests); stdout by default. */
  destination?: NodeJS.WritableStream;
}

const BASE = { service: 'cloudschool' };

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const { destination } = options;
  const human = options.pretty ?? process.stdout.isTTY === true;
  if (!human) return pino({ level, base: BASE }, destination ?? pino.destination(1));
  return pino(
    { level, base: BASE },
    pretty({
      destination: destination ?? 1,
      // Written synchronously in this thread: a line logged just before process.exit() is still shown.
      sync: true,
      colorize: destination === undefined && pretty.isColorSupported,
      translateTime: 'SYS:HH:MM:ss.l',
      // The same on every line: noise on a terminal (JSON keeps it for collectors).
      ignore: 'service',
      singleLine: true,
      errorLikeObjectKeys: ['err', 'error'],
    }),
  );
}

/** How many promise rejections nobody handled since the process started (main.ts counts them; /healthz shows). */
export const unhandledRejections = { count: 0 };
