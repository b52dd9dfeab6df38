/**
 * Configuration from environment variables. Every variable, its default and
 * meaning is listed in infra/configuration.md.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const flag = z
  .enum(['0', '1', 'true', 'false'])
  .transform((v) => v === '1' || v === 'true')
  .default(false);
const port = z.coerce.number().int().min(1).max(65535);

const envSchema = z.object({
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: port.default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEB_HANDLER: z.string().default(path.join(repoRoot, 'web/build/handler.js')),
  MEDIA_WORKERS: z.coerce.number().int().min(1).max(64).default(os.availableParallelism()),
  MEDIA_LISTEN_IP: z.string().min(1).default('0.0.0.0'),
  MEDIA_ANNOUNCED_ADDRESS: z.string().min(1).optional(),
  MEDIA_PORT_BASE: port.default(40000),
  MEDIA_PLAIN_PORT_MIN: port.default(41000),
  MEDIA_PLAIN_PORT_MAX: port.default(41999),
  /** One more worker that only receives the hosts' media (see sfu SfuOptions.ingestWorker); on by default. */
  MEDIA_INGEST_WORKER: z
    .enum(['0', '1', 'true', 'false'])
    .transform((v) => v === '1' || v === 'true')
    .default(true),
  /**
   * 1 s. A classroom joining within it of another key frame request waits for its end; 0.7 s made joins
   * quick but starved the bad link (bench README, "Where a slow join waits"). At 0.5 s (2026-12-06, one run) a
   * join storm of 800 lost 44–61 % of its packets and 57 joins (36,389 datagrams dropped at the workers'
   * sockets against 8,310 at 1 s).
   */
  MEDIA_KEYFRAME_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
  MEDIA_LOG_LEVEL: z.enum(['debug', 'warn', 'error', 'none']).default('warn'),
  /** ICE over TCP on the workers' ports (see sfu SfuOptions.iceTcp); off only in the network lab. */
  MEDIA_ICE_TCP: z
    .enum(['0', '1', 'true', 'false'])
    .transform((v) => v === '1' || v === 'true')
    .default(true),
  ALLOW_PLAIN_TRANSPORTS: flag,
  /** Load and integration tests say so: only then may ALLOW_PLAIN_TRANSPORTS be set. */
  CLOUDSCHOOL_TEST_MODE: flag,
  DATA_DIR: z.string().min(1).default(path.join(repoRoot, 'data')),
  /** LibreOffice, which converts uploaded PowerPoint courseware to PDF (installed by infra/setup.sh). */
  SOFFICE_PATH: z.string().min(1).default('soffice'),
  /** A presentation's conversion is stopped after this long. */
  SLIDES_TIMEOUT_MS: z.coerce.number().int().min(5_000).max(600_000).default(120_000),
  /** Recordings do not start, and stop, below this much free space (MiB) in DATA_DIR. */
  RECORDING_MIN_FREE_MB: z.coerce.number().int().min(0).max(10_000_000).default(2048),
  /**
   * A recording asks the host for a key frame after this many seconds without one. Each ask is a key frame
   * on every simulcast layer for every classroom (a stall); the gap is also the longest seek in a replay.
   */
  RECORDING_KEY_FRAME_SECONDS: z.coerce.number().int().min(4).max(600).default(30),
  /** The wall shows a classroom that has not joined this long after the start as an alert (5 minutes). */
  WALL_ABSENT_ALERT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(300_000),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  /** Nodes sharing one Redis seal what they say to each other with it (the same on every node). */
  CLUSTER_SECRET: z.string().min(32, 'CLUSTER_SECRET: at least 32 characters').optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Sites whose pages may act with a login here (comma-separated origins); PUBLIC_URL by default. */
  ALLOWED_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/ })))
    .optional(),
  /**
   * Which proxies in front are trusted for the client's address and scheme (express's `trust proxy`):
   * `loopback` (default), `false`, `true`, a hop count, or comma-separated addresses/subnets.
   */
  TRUST_PROXY: z.string().min(1).default('loopback'),
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'NODE_ID: 1–64 letters, digits, _ . : -')
    .optional(),
  /** TURN relays (coturn) for classrooms behind firewalls: comma-separated turn:/turns: URLs, and the shared secret. */
  TURN_URLS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().regex(/^turns?:[^\s]+$/, 'TURN_URLS: turn:host:port or turns:host:port URLs'))
        .min(1),
    )
    .optional(),
  TURN_SECRET: z.string().min(16, 'TURN_SECRET: at least 16 characters').optional(),
  TURN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(86_400)
    .default(6 * 3600),
  /** Where browsers reach this very node when nodes share Redis (the node list shows it); by default its LAN address. */
  NODE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** HTTPS (and WSS) on PORT by the server itself: its certificate chain and private key, PEM files; both or neither. */
  TLS_CERT: z.string().min(1).optional(),
  TLS_KEY: z.string().min(1).optional(),
  /** Bearer token of GET /metrics (Prometheus); without it there is no metrics endpoint. */
  METRICS_TOKEN: z
    .string()
    .min(24, 'METRICS_TOKEN: at least 24 characters')
    .regex(/^\S+$/, 'METRICS_TOKEN: no spaces')
    .optional(),
});

export interface Config {
  host: string;
  port: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  webHandler: string;
  /** Embedded store's directory (SQLite); ignored when redisUrl is set. */
  dataDir: string;
  redisUrl: string | undefined;
  /** LibreOffice for presentation courseware. */
  slides: { command: string; timeoutMs: number };
  /** The floor of free space in DATA_DIR for recordings (RECORDING_MIN_FREE_MB). */
  recordingMinFreeMb: number;
  /** How long a recorded video may go without a key frame before the host is asked for one (RECORDING_KEY_FRAME_SECONDS). */
  recordingKeyFrameSeconds: number;
  /** WALL_ABSENT_ALERT_MS. */
  wallAbsentAlertMs: number;
  clusterSecret: string | undefined;
  publicUrl: string | undefined;
  nodeId: string;
  nodeUrl: string;
  allowedOrigins: string[];
  trustProxy: boolean | number | string;
  /** The certificate and key files when the server speaks HTTPS itself (TLS_CERT and TLS_KEY). */
  tls: { certFile: string; keyFile: string } | undefined;
  /** The bearer token of GET /metrics (METRICS_TOKEN); no endpoint without it. */
  metricsToken: string | undefined;
  /** TURN relays handed to pages, when both TURN_URLS and TURN_SECRET are set. */
  turn: { urls: string[]; secret: string; ttlSeconds: number } | undefined;
  media: {
    workerCount: number;
    ingestWorker: boolean;
    listenIp: string;
    announcedAddress: string;
    rtcPortBase: number;
    iceTcp: boolean;
    plainPortRange: { min: number; max: number };
    /** At most one key frame request to a sender per this many ms. */
    keyFrameRequestDelayMs: number;
    logLevel: z.infer<typeof envSchema>['MEDIA_LOG_LEVEL'];
    /** Raw-RTP transports for load and integration tests; never on in production. */
    allowPlainTransports: boolean;
  };
}

/** The first non-internal IPv4 address: what browsers on the LAN can reach. */
function lanAddress(): string {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** express's `trust proxy` from its text form. */
function trustProxy(value: string): boolean | number | string {
  if (value === 'true' || value === 'false') return value === 'true';
  return /^\d+$/.test(value) ? Number(value) : value;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** What the shell's administration needs: the store only (it says nothing to other nodes, so no secret). */
export function loadStoreConfig(env: NodeJS.ProcessEnv = process.env): Pick<Config, 'dataDir' | 'redisUrl'> {
  const parsed = envSchema.pick({ DATA_DIR: true, REDIS_URL: true }).safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid configuration:\n${z.prettifyError(parsed.error)}`);
  return { dataDir: parsed.data.DATA_DIR, redisUrl: parsed.data.REDIS_URL };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`invalid configuration:\n${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  if (e.REDIS_URL && !e.CLUSTER_SECRET) {
    throw new ConfigError(
      'REDIS_URL makes this node one of a cluster: set CLUSTER_SECRET (the same ≥ 32 characters on every node)',
    );
  }
  if (e.ALLOW_PLAIN_TRANSPORTS && !e.CLOUDSCHOOL_TEST_MODE) {
    throw new ConfigError(
      'ALLOW_PLAIN_TRANSPORTS lets any page send raw RTP: it is for load and integration tests, set with CLOUDSCHOOL_TEST_MODE=1',
    );
  }
  if ((e.TURN_URLS === undefined) !== (e.TURN_SECRET === undefined)) {
    throw new ConfigError('TURN_URLS and TURN_SECRET go together: set both, or neither');
  }
  if ((e.TLS_CERT === undefined) !== (e.TLS_KEY === undefined)) {
    throw new ConfigError('TLS_CERT and TLS_KEY go together: set both (HTTPS on PORT), or neither');
  }
  if (e.MEDIA_PLAIN_PORT_MIN > e.MEDIA_PLAIN_PORT_MAX) {
    throw new ConfigError('MEDIA_PLAIN_PORT_MIN must not exceed MEDIA_PLAIN_PORT_MAX');
  }
  return {
    host: e.HOST,
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    webHandler: e.WEB_HANDLER,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    slides: { command: e.SOFFICE_PATH, timeoutMs: e.SLIDES_TIMEOUT_MS },
    recordingMinFreeMb: e.RECORDING_MIN_FREE_MB,
    recordingKeyFrameSeconds: e.RECORDING_KEY_FRAME_SECONDS,
    wallAbsentAlertMs: e.WALL_ABSENT_ALERT_MS,
    clusterSecret: e.CLUSTER_SECRET,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
    allowedOrigins: e.ALLOWED_ORIGINS ?? (e.PUBLIC_URL ? [e.PUBLIC_URL] : []),
    trustProxy: trustProxy(e.TRUST_PROXY),
    tls: e.TLS_CERT && e.TLS_KEY ? { certFile: e.TLS_CERT, keyFile: e.TLS_KEY } : undefined,
    metricsToken: e.METRICS_TOKEN,
    turn:
      e.TURN_URLS && e.TURN_SECRET
        ? { urls: e.TURN_URLS, secret: e.TURN_SECRET, ttlSeconds: e.TURN_TTL_SECONDS }
        : undefined,
    nodeId: e.NODE_ID ?? `${os.hostname()}:${e.PORT}`,
    nodeUrl: (
      e.NODE_URL ??
      `${e.TLS_CERT ? 'https' : 'http'}://${e.MEDIA_ANNOUNCED_ADDRESS ?? lanAddress()}:${e.PORT}`
    ).replace(/\/$/, ''),
    media: {
      workerCount: e.MEDIA_WORKERS,
      ingestWorker: e.MEDIA_INGEST_WORKER,
      listenIp: e.MEDIA_LISTEN_IP,
      announcedAddress: e.MEDIA_ANNOUNCED_ADDRESS ?? lanAddress(),
      rtcPortBase: e.MEDIA_PORT_BASE,
      iceTcp: e.MEDIA_ICE_TCP,
      plainPortRange: { min: e.MEDIA_PLAIN_PORT_MIN, max: e.MEDIA_PLAIN_PORT_MAX },
      keyFrameRequestDelayMs: e.MEDIA_KEYFRAME_DELAY_MS,
      logLevel: e.MEDIA_LOG_LEVEL,
      allowPlainTransports: e.ALLOW_PLAIN_TRANSPORTS,
    },
  };
}
