import { Sfu } from '@cloudschool/sfu';
import { ConfigError, loadConfig } from './config.ts';
import { loadWebHandler } from './http/webHandler.ts';
import { createLogger } from './logger.ts';
import { createApp } from './server.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const sfu = await Sfu.create({ ...config.media, logger: log.child({ component: 'sfu' }) });
  const app = createApp({
    sfu,
    log,
    allowPlainTransports: config.media.allowPlainTransports,
    webHandler: await loadWebHandler(config.webHandler, log),
  });
  const port = await app.listen(config.port, config.host);
  log.info(
    {
      url: `http://localhost:${port}`,
      announcedAddress: config.media.announcedAddress,
      workers: config.media.workerCount,
    },
    'CloudSchool is up',
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    void app.close().finally(() => {
      sfu.close();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
