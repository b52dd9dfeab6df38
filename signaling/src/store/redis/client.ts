import { createClient } from 'redis';
import { refundAttemptScript, takeAttemptScript } from './attemptScripts.ts';
import { appendBoardOpScript, compactBoardScript } from './boardScripts.ts';
import { putRecordsScript } from './putRecordsScript.ts';

/** How often the first connection is tried before connecting gives up. */
const CONNECT_ATTEMPTS = 5;

/** A client of the store's Redis, with the store's Lua scripts. */
export function createStoreClient(url: string, onError: (error: Error) => void) {
  let connected = false;
  const client = createClient({
    url,
    scripts: {
      putRecords: putRecordsScript,
      appendBoardOp: appendBoardOpScript,
      compactBoard: compactBoardScript,
      takeAttempt: takeAttemptScript,
      refundAttempt: refundAttemptScript,
    },
    socket: {
      // Fail fast on a wrong URL at start-up; once connected, keep reconnecting (Redis restarts).
      reconnectStrategy: (retries: number, cause: Error) =>
        !connected && retries >= CONNECT_ATTEMPTS ? cause : Math.min(50 * 2 ** retries, 2000),
    },
  });
  client.on('error', onError);
  client.on('ready', () => {
    connected = true;
  });
  return client;
}

export type StoreClient = ReturnType<typeof createStoreClient>;

/** A MULTI being queued. */
export type Multi = ReturnType<StoreClient['multi']>;
