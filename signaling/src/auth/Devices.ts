import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { DeviceCredential } from '@cloudschool/protocol';
import type { Device } from '../store/entities/devices.ts';
import type { DeviceStore } from '../store/Store.ts';

const hash = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** How often a known device's last-seen time is written (a join more often writes nothing). */
const SEEN_EVERY_MS = 10 * 60_000;

/**
 * Classroom PCs: a code or a link admits a PC once, and from then on the PC is known by the credential its
 * browser keeps (an id and a secret; the store keeps only the secret's hash). A classroom's other PCs wait
 * for the host teacher (or a coordinator) before they may join as that classroom.
 */
export class Devices {
  readonly #store: DeviceStore;

  constructor(store: DeviceStore) {
    this.#store = store;
  }

  /** Admits a new PC for a classroom; answers the credential its browser keeps. */
  async admit(
    classroomId: string,
    label: string,
    admittedBy: string,
    now = Date.now(),
  ): Promise<DeviceCredential> {
    const credential = { id: randomUUID(), secret: randomBytes(32).toString('base64url') };
    await this.#store.putDevice({
      classroomId,
      id: credential.id,
      secretHash: hash(credential.secret),
      label: label.slice(0, 100),
      admittedBy,
      createdAt: now,
      lastSeenAt: now,
      revokedAt: null,
    });
    return credential;
  }

  /** The classroom's device this credential proves, unless it is unknown, wrong or revoked. */
  async known(
    classroomId: string,
    credential: DeviceCredential | undefined,
    now = Date.now(),
  ): Promise<Device | undefined> {
    if (!credential) return undefined;
    const device = await this.#store.getDevice(classroomId, credential.id);
    if (!device || device.revokedAt !== null) return undefined;
    const given = Buffer.from(hash(credential.secret), 'hex');
    if (!timingSafeEqual(given, Buffer.from(device.secretHash, 'hex'))) return undefined;
    if (now - device.lastSeenAt > SEEN_EVERY_MS) await this.#store.putDevice({ ...device, lastSeenAt: now });
    return device;
  }

  async revoke(classroomId: string, deviceId: string, now = Date.now()): Promise<boolean> {
    const device = await this.#store.getDevice(classroomId, deviceId);
    if (!device || device.revokedAt !== null) return false;
    await this.#store.putDevice({ ...device, revokedAt: now });
    return true;
  }

  list(classroomId: string): Promise<Device[]> {
    return this.#store.listDevices(classroomId);
  }
}
