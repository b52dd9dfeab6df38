import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '@cloudschool/testkit/chromium';
import { CLUSTER_BASE_PORT, CLUSTER_NODE_URLS, CLUSTER_NODES, CLUSTER_REDIS_PORT } from './cluster.ts';
import { E2E_MEDIA_PORT, E2E_MEDIA_WORKERS, E2E_PLAIN_PORTS, E2E_PORT as PORT } from './ports.ts';
import { COORDINATOR, TEACHER } from './tests/fixtures.ts';

// Made once in the runner and inherited by the workers, like the ports (./ports.ts).
/** A fresh embedded store per run. */
const DATA_DIR = (process.env.E2E_DATA_DIR ??= mkdtempSync(path.join(tmpdir(), 'cs-e2e-')));
/** The cluster's courseware and Redis files, fresh per run too. */
const CLUSTER_DIR = (process.env.E2E_CLUSTER_DIR ??= mkdtempSync(path.join(tmpdir(), 'cs-e2e-cluster-')));
const admin = (command: string, who: { username: string; password: string }, name: string): string =>
  `node signaling/src/cli.ts ${command} --username ${who.username} --password ${who.password} --name ${name}`;

/** Debian's Chromium with a fake camera and microphone; never a downloaded browser. */
export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  // Every classroom page encodes its camera in simulcast: on 2 cores a lesson with 4–5 pages is slow to start.
  timeout: 300_000,
  expect: { timeout: 30_000 },
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS],
    },
    permissions: ['camera', 'microphone'],
    trace: 'retain-on-failure',
  },
  webServer: [
    {
      command: [
        admin('create-coordinator', COORDINATOR, 'E2E协调员'),
        admin('create-teacher', TEACHER, 'E2E王老师'),
        'node signaling/src/main.ts',
      ].join(' && '),
      cwd: '..',
      url: `http://127.0.0.1:${PORT}/healthz`,
      timeout: 120_000,
      reuseExistingServer: false,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 5000 },
      env: {
        PORT: String(PORT),
        HOST: '127.0.0.1',
        MEDIA_LISTEN_IP: '127.0.0.1',
        MEDIA_ANNOUNCED_ADDRESS: '127.0.0.1',
        MEDIA_PORT_BASE: String(E2E_MEDIA_PORT),
        MEDIA_PLAIN_PORT_MIN: String(E2E_PLAIN_PORTS.min),
        MEDIA_PLAIN_PORT_MAX: String(E2E_PLAIN_PORTS.max),
        MEDIA_WORKERS: String(E2E_MEDIA_WORKERS),
        LOG_LEVEL: 'warn',
        DATA_DIR,
        // Simulated classrooms in overview-grid.spec.ts publish raw RTP.
        ALLOW_PLAIN_TRANSPORTS: '1',
        CLOUDSCHOOL_TEST_MODE: '1',
        // wall.spec.ts: a classroom not joined 10 s after the start is an alert (5 minutes in a school).
        WALL_ABSENT_ALERT_MS: '10000',
      },
    },
    {
      // cluster.spec.ts: three nodes and their Redis; the last node answers once all are up. The launcher
      // picks free media and plain ports for each node itself.
      command: [
        'node infra/cluster.ts',
        `--nodes ${CLUSTER_NODES}`,
        `--base-port ${CLUSTER_BASE_PORT}`,
        `--redis-port ${CLUSTER_REDIS_PORT}`,
        `--data-dir ${CLUSTER_DIR}`,
      ].join(' '),
      cwd: '..',
      url: `${CLUSTER_NODE_URLS.at(-1)}/healthz`,
      timeout: 120_000,
      reuseExistingServer: false,
      gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
      env: { LOG_LEVEL: 'warn' },
    },
  ],
});
