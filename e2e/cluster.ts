/** Where playwright.config.ts starts the 3-node cluster (infra/cluster.ts), for cluster.spec.ts. */
import { CLUSTER_NODES, E2E_CLUSTER_PORT, E2E_CLUSTER_REDIS_PORT } from './ports.ts';

export { CLUSTER_NODES };
export const CLUSTER_BASE_PORT = E2E_CLUSTER_PORT;
export const CLUSTER_REDIS_PORT = E2E_CLUSTER_REDIS_PORT;
export const CLUSTER_REDIS_URL = `redis://127.0.0.1:${CLUSTER_REDIS_PORT}`;
export const CLUSTER_NODE_URLS = Array.from(
  { length: CLUSTER_NODES },
  (_, i) => `http://127.0.0.1:${CLUSTER_BASE_PORT + i}`,
);
