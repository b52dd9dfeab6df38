/** Where playwright.config.ts starts the 3-node cluster (infra/cluster.ts), for cluster.spec.ts. */
const BASE_PORT = Number(process.env.E2E_CLUSTER_PORT ?? 3201);
const REDIS_PORT = Number(process.env.E2E_CLUSTER_REDIS_PORT ?? 6392);

export const CLUSTER_NODES = 3;
export const CLUSTER_BASE_PORT = BASE_PORT;
export const CLUSTER_REDIS_PORT = REDIS_PORT;
export const CLUSTER_REDIS_URL = `redis://127.0.0.1:${REDIS_PORT}`;
export const CLUSTER_NODE_URLS = Array.from(
  { length: CLUSTER_NODES },
  (_, i) => `http://127.0.0.1:${BASE_PORT + i}`,
);
