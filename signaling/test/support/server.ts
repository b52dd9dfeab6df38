import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import type { Sfu } from '@cloudschool/sfu';
import { testSfu } from '@cloudschool/sfu/testing';
import type { BoardOptions } from '../../src/board/Board.ts';
import { ClusteredFabric } from '../../src/cluster/ClusteredFabric.ts';
import { LocalFabric } from '../../src/fabric/Fabric.ts';
import { createApp } from '../../src/server.ts';
import { SlideConverter } from '../../src/board/SlideConverter.ts';
import type { App, AppDeps } from '../../src/server.ts';
import { createStore } from '../../src/store/createStore.ts';
import { connectClient, freePort, RtpSender, RtpSink, TEST_CLUSTER_SECRET } from '@cloudschool/testkit';
import type { ClientSocket } from '@cloudschool/testkit';
import type { Store } from '../../src/store/Store.ts';
import type { AlertDelays } from '../../src/wall/wallLesson.ts';

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
    reconnectGraceMs?: number;
    /** METRICS_TOKEN: GET /metrics answers with it (404 without). */
    metricsToken?: string;
    /** The recorder's floor of free space and how free space is read (a disk that fills up). */
    recording?: AppDeps['recording'];
    /** The wall's alert delays (tests shorten them). */
    wallAlerts?: Partial<AlertDelays>;
  } = {},
): Promise<TestServer> {
  const { cluster } = options;
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }).child({ node: cluster?.nodeId });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cs-test-'));
  const store = await createStore({ dataDir, redisUrl: cluster?.redisUrl });
  const port = await freePort();
  const sfu = await testSfu(workerCount, { ingestWorker: options.ingestWorker, logger });
  const app = await createApp({
    sfu,
    store,
    log: logger,
    nodeId: cluster?.nodeId ?? 'test',
    dataDir,
    allowPlainTransports: true,
    fabric: async (io) =>
      cluster
        ? ClusteredFabric.join({
            io,
            sfu,
            log: logger,
            ...cluster,
            url: `http://127.0.0.1:${port}`,
            mediaAddress: '127.0.0.1',
            secret: TEST_CLUSTER_SECRET,
          })
        : new LocalFabric('test'),
    board: options.board,
    reconnectGraceMs: options.reconnectGraceMs,
    metricsToken: options.metricsToken,
    wallAlerts: options.wallAlerts,
    recording: options.recording,
    // The real LibreOffice, started only when a test uploads a presentation.
    slides: SlideConverter.create(),
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

/** A test file's server started afresh for each test, with what the test opens on it closed after it. */
export interface ServerPerTest {
  /** The running test's server. */
  readonly server: TestServer;
  /** Run after the test, before its server closes (testkit's `openMediaPage` pushes here). */
  readonly cleanups: (() => void)[];
  /** A Socket.IO client (signed in with `cookie`), disconnected after the test. */
  client(cookie?: string): Promise<ClientSocket>;
  /** An RTP sender, closed after the test. */
  sender(): RtpSender;
  /** An RTP sink (not yet bound), closed after the test. */
  sink(): RtpSink;
  /** Closes the running test's server and starts it again with other options. */
  restart(...args: Parameters<typeof startTestServer>): Promise<TestServer>;
}

/** Registers `beforeEach` / `afterEach`: each test gets a server started with these arguments. */
export function serverPerTest(...args: Parameters<typeof startTestServer>): ServerPerTest {
  let server: TestServer | undefined;
  const current = (): TestServer => {
    if (!server) throw new Error('no test server outside a test');
    return server;
  };
  const cleanups: (() => void)[] = [];
  const closeAfter = <T extends { close(): void }>(thing: T): T => {
    cleanups.push(() => thing.close());
    return thing;
  };
  beforeEach(async () => {
    server = await startTestServer(...args);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
    await server?.close();
    server = undefined;
  });
  return {
    get server(): TestServer {
      return current();
    },
    cleanups,
    client: async (cookie) => {
      const socket = await connectClient(current().url, cookie);
      cleanups.push(() => socket.disconnect());
      return socket;
    },
    sender: () => closeAfter(new RtpSender()),
    sink: () => closeAfter(new RtpSink()),
    restart: async (...again) => {
      await server?.close();
      server = undefined;
      server = await startTestServer(...again);
      return server;
    },
  };
}
