/**
 * Every port an e2e run listens on, decided once. Playwright evaluates the config (and so this module) in its
 * runner and again in each worker process: the runner picks free ports for whatever the environment does not
 * set and writes them into process.env, which the workers (and the web servers) inherit, so every process and
 * every spec reads the same numbers from here. Set a variable to pin a port; unset, nothing else listening on
 * the usual ports (a developer's `npm start`, another run) can fail the suite.
 */
import { freePort, freePortRange } from '@cloudschool/testkit';

/** Workers of the single e2e server (forwarding) + its ingest worker: one UDP + TCP port each. */
export const E2E_MEDIA_WORKERS = 2;
/** Plain transports (simulated classrooms publishing raw RTP) and pipes between the server's workers. */
const PLAIN_PORTS = 300;
export const CLUSTER_NODES = 3;

const env = process.env;
env.E2E_PORT ??= String(await freePort());
env.E2E_MEDIA_PORT ??= String(await freePortRange(E2E_MEDIA_WORKERS + 1));
env.E2E_PLAIN_PORT ??= String(await freePortRange(PLAIN_PORTS));
// The cluster's nodes listen on consecutive ports; infra/cluster.ts picks their media ports itself.
env.E2E_CLUSTER_PORT ??= String(await freePortRange(CLUSTER_NODES));
env.E2E_CLUSTER_REDIS_PORT ??= String(await freePort());

/** The single server every spec but cluster.spec.ts talks to. */
export const E2E_PORT = Number(env.E2E_PORT);
export const E2E_MEDIA_PORT = Number(env.E2E_MEDIA_PORT);
export const E2E_PLAIN_PORTS = {
  min: Number(env.E2E_PLAIN_PORT),
  max: Number(env.E2E_PLAIN_PORT) + PLAIN_PORTS - 1,
};
/** Node i of the cluster listens on E2E_CLUSTER_PORT + i − 1; its Redis on E2E_CLUSTER_REDIS_PORT. */
export const E2E_CLUSTER_PORT = Number(env.E2E_CLUSTER_PORT);
export const E2E_CLUSTER_REDIS_PORT = Number(env.E2E_CLUSTER_REDIS_PORT);
