import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Sfu } from '@cloudschool/sfu';
import type { BoardOptions } from '../../src/board/Board.ts';
import { ClusteredFabric } from '../../src/cluster/ClusteredFabric.ts';
import { LocalFabric } from '../../src/fabric/Fabric.ts';
import { createApp } from '../../src/server.ts';
import type { App } from '../../src/server.ts';
import { createStore } from '../../src/store/createStore.ts';
import { freePort, freePortRange } from '@cloudschool/testkit';
import type { Store } from '../../src/store/Store.ts';

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
    fabric: async (io) =>
      cluster
        ? ClusteredFabric.join({ io, sfu, log: logger, ...cluster, url: `http://127.0.0.1:${port}` })
        : new LocalFabric('test'),
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
