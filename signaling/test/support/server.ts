import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { io as connect } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { Sfu } from '@cloudschool/sfu';
import type { BoardOptions } from '../../src/board/Board.ts';
import { createApp } from '../../src/server.ts';
import type { App } from '../../src/server.ts';
import { createStore } from '../../src/store/createStore.ts';
import { freePortRange } from '../../../sfu/test/ports.ts';
import { freePort } from './process.ts';
import type { Store } from '../../src/store/Store.ts';
import type {
  Ack,
  ClientEvent,
  ClientToServerEvents,
  RequestOf,
  Responses,
  ServerToClientEvents,
} from '../../src/protocol/index.ts';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestServer {
  url: string;
  /** The server's DATA_DIR (courseware files; the SQLite file unless on Redis). */
  dataDir: string;
  app: App;
  sfu: Sfu;
  store: Store;
  close(): Promise<void>;
}

/**
 * A real server (real mediasoup workers, an embedded store in a temp dir) on a free port, without the UI;
 * with `cluster`, a node of a cluster on that Redis (store, Socket.IO adapter, registry).
 */
export async function startTestServer(
  workerCount = 1,
  options: {
    cluster?: { redisUrl: string; nodeId: string };
    ingestWorker?: boolean;
    board?: BoardOptions;
  } = {},
): Promise<TestServer> {
  const { cluster } = options;
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }).child({ node: cluster?.nodeId });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cs-test-'));
  const store = await createStore({ dataDir, redisUrl: cluster?.redisUrl });
  const port = await freePort();
  const rtcPortBase = await freePortRange(workerCount + 1);
  const sfu = await Sfu.create({
    workerCount,
    ingestWorker: options.ingestWorker ?? false,
    listenIp: '127.0.0.1',
    announcedAddress: '127.0.0.1',
    rtcPortBase,
    plainPortRange: { min: 42000, max: 43999 },
    keyFrameRequestDelayMs: 1000,
    logLevel: 'warn',
    logger,
  });
  const app = await createApp({
    sfu,
    store,
    log: logger,
    nodeId: cluster?.nodeId ?? 'test',
    dataDir,
    allowPlainTransports: true,
    cluster: cluster && { redisUrl: cluster.redisUrl, url: `http://127.0.0.1:${port}` },
    board: options.board,
  });
  await app.listen(port, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    app,
    sfu,
    store,
    close: async () => {
      await app.close();
      sfu.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A Socket.IO client; a cookie makes it a logged-in page. */
export async function connectClient(url: string, cookie?: string): Promise<ClientSocket> {
  const socket: ClientSocket = connect(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: cookie ? { cookie } : {},
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Sends a request and returns the raw Ack (tests look at errors too). */
export function request<E extends ClientEvent>(
  socket: ClientSocket,
  event: E,
  payload: RequestOf<E>,
  timeoutMs = 10_000,
): Promise<Ack<Responses[E]>> {
  // Generic event names defeat socket.io-client's tuple typing; the shape is the protocol's own.
  const timed = socket.timeout(timeoutMs);
  const emit = timed.emitWithAck as (e: E, p: RequestOf<E>) => Promise<Ack<Responses[E]>>;
  return emit.call(timed, event, payload);
}

/** Sends a request that must succeed and returns its data. */
export async function ok<E extends ClientEvent>(
  socket: ClientSocket,
  event: E,
  payload: RequestOf<E>,
  timeoutMs?: number,
): Promise<Responses[E]> {
  const res = await request(socket, event, payload, timeoutMs);
  if (!res.ok) throw new Error(`${event} failed: ${res.error.code} ${res.error.message}`);
  return res.data;
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
