import { z } from 'zod';
import { entity } from '../entity.ts';
import { id, time } from './fields.ts';

/**
 * A classroom's PC, admitted once (its first join, the host's or a coordinator's approval) and known by a
 * credential its browser keeps: the device id and a secret of which only the hash is stored. Revocable.
 */
export const devices = entity({
  name: 'device',
  schema: z.object({
    classroomId: id,
    id,
    /** sha256 of the device's secret. */
    secretHash: z.string().regex(/^[0-9a-f]{64}$/),
    /** What its browser said it was, to tell two PCs apart in a list (e.g. "Windows · Chrome"). */
    label: z.string().max(100),
    /** Who let it in: its first join, the host teacher or a coordinator (account id). */
    admittedBy: z.string().max(100),
    createdAt: time,
    lastSeenAt: time,
    revokedAt: time.nullable(),
  }),
  scope: ['classroomId'],
  id: 'id',
  order: ['createdAt', 'id'],
  sqlite: { table: 'devices', columns: ['classroomId', 'id'], data: 'record' },
  redis: { hash: 'devices' },
});

export type Device = z.infer<typeof devices.schema>;
