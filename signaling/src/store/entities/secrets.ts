import { z } from 'zod';
import { entity } from '../entity.ts';
import { id } from './fields.ts';

/** Secrets every node shares, e.g. the join-token signing key (SecretStore). */
export const secrets = entity({
  name: 'secret',
  schema: z.object({ name: id, value: z.string() }),
  scope: [],
  id: 'name',
  sqlite: { table: 'secrets', columns: ['name', 'value'] },
  redis: { string: 'secret', value: { text: 'value' } },
});

export type Secret = z.infer<typeof secrets.schema>;
