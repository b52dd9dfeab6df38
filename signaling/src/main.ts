import type { types as ms } from 'mediasoup';
import { Sfu } from '@cloudschool/sfu';
import { SlideConverter } from './board/SlideConverter.ts';
import { ClusteredFabric } from './cluster/ClusteredFabric.ts';
import { ConfigError, loadConfig } from './config.ts';
import { LocalFabric } from './fabric/Fabric.ts';
import { TlsCertificate } from './http/tls.ts';
import { loadWebHandler } from './http/webHandler.ts';
import { createLogger, unhandledRejections } from './logger.ts';
import { createApp } from './server.ts';
import { createStore } from './store/createStore.ts';

const SHUTDOWN_GRACE_MS = 5000;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  // Everything the server writes (database, courseware, keys) is this user's alone.
  process.umask(0o077);
  // HTTPS by the server itself: its key read now, under that umask, and checked (a ConfigError ends it here).
  const tls = config.tls ? await TlsCertificate.load(config.tls, log) : undefined;
  // A promise nobody waited for must not end a lesson for hundreds of classrooms: logged and counted.
  process.on('unhandledRejection', (err) => {
    unhandledRejections.count++;
    log.error({ err }, 'unhandled rejection');
  });
  const store = await createStore({ redisUrl: config.redisUrl, dataDir: config.dataDir });
  const sfu = await Sfu.create({ ...config.media, logger: log.child({ component: 'sfu' }) });
  const app = await createApp({
    sfu,
    store,
    log,
    nodeId: config.nodeId,
    dataDir: config.dataDir,
    recording: { minFreeMb: config.recordingMinFreeMb, keyFrameSeconds: config.recordingKeyFrameSeconds },
    wallAlerts: { absentMs: config.wallAbsentAlertMs },
    slides: SlideConverter.create(config.slides),
    publicUrl: config.publicUrl,
    turn: config.turn,
    metricsToken: config.metricsToken,
    allowedOrigins: config.allowedOrigins,
    trustProxy: config.trustProxy,
    allowPlainTransports: config.media.allowPlainTransports,
    webHandler: await loadWebHandler(config.webHandler, log),
    createServer: tls ? (handler) => tls.serve(handler) : undefined,
    // Cross-node behaviour is switched on here, and only here: with Redis a node is one of a cluster
    // (perhaps alone) and lessons span the nodes sharing it; without, a node is alone.
    fabric: async (io) => {
      const { redisUrl, clusterSecret } = config;
      if (!redisUrl || !clusterSecret) return new LocalFabric(config.nodeId);
      return ClusteredFabric.join({
        io,
        redisUrl,
        secret: clusterSecret,
        nodeId: config.nodeId,
        url: config.nodeUrl,
        mediaAddress: config.media.announcedAddress,
        sfu,
        log,
      });
    },
  });
  const port = await app.listen(config.port, config.host);
  if (tls) {
    // A renewed certificate is served from the next connection on: when its files change, or on SIGHUP.
    tls.watch();
    process.on('SIGHUP', () => void tls.reload());
  }
  log.info(
    {
      url: `${tls ? 'https' : 'http'}://localhost:${port}`,
      store: store.kind === 'redis' ? 'redis' : `sqlite in ${config.dataDir}`,
      node: config.nodeId,
      announcedAddress: config.media.announcedAddress,
      workers: config.media.workerCount,
      ingestWorker: config.media.ingestWorker,
    },
    'CloudSchool is up',
  );
  if ((await store.listAccounts()).length === 0) {
    log.warn('no accounts yet: create the first coordinator with `npm run admin -- create-coordinator`');
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    // Once: a repeated signal (Ctrl-C again, or one a parent such as npm forwards) changes nothing.
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // The media plane first, at once. Ctrl-C (the terminal's process group) and systemd (the control group)
    // signal the workers too, and they close themselves; closed by us now, their exits are the pool's own, not
    // deaths to log and replace, however long the lessons and the store take below.
    const workers = sfu.workers;
    sfu.close();
    tls?.close();
    // A clean close waits for Redis; if Redis is gone too (a whole machine stopping), do not wait forever.
    setTimeout(() => {
      log.warn('shutdown took too long: exiting');
      killWorkers(workers);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    // Then no new connections, the lessons (each board stores its final snapshot), the store, and the worker
    // processes gone: nothing is left behind when the terminal's prompt comes back.
    app
      .close()
      .then(() => store.close())
      .then(() => workersExited(workers))
      .then(
        () => {
          log.info('stopped');
          process.exit(0);
        },
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          killWorkers(workers);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** Resolves once every one of these workers' processes has ended. */
function workersExited(workers: readonly ms.Worker[]): Promise<void> {
  return Promise.all(
    workers.map((w) =>
      w.subprocessClosed ? undefined : new Promise<void>((resolve) => w.once('subprocessclose', resolve)),
    ),
  ).then(() => undefined);
}

/** A worker that has not ended when the node must go: not left running without its node. */
function killWorkers(workers: readonly ms.Worker[]): void {
  for (const w of workers) {
    if (w.subprocessClosed) continue;
    try {
      process.kill(w.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
