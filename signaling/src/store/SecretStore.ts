/** Secrets (e.g. the join-token signing key), created once and shared by every node. */
export interface SecretStore {
  /** The secret `name`; the first caller anywhere creates it with `create`, every other one reads that. */
  getOrCreateSecret(name: string, create: () => string): Promise<string>;
}
