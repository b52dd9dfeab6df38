/**
 * A classroom PC's credential: the server issues it to a classroom's first PC (in the join's answer), to a
 * PC the host teacher admits (`device:decision`) or to one a coordinator pre-approves (the `/enroll#…`
 * link). The browser keeps it in localStorage, one per classroom, and sends it with every join of that
 * classroom: a known PC takes its classroom's page over quietly, a new one waits for the host teacher.
 *
 * What is stored is read back with care (a browser's storage is anyone's to edit) and checked against the
 * protocol's shape, mirrored here so that the classroom page loads no zod (the tests hold them equal).
 */
import type { DeviceCredential } from '@cloudschool/protocol';

/** The protocol's `deviceCredential` limits. */
const ID_MAX = 64;
const SECRET_MIN = 32;
const SECRET_MAX = 128;

const PREFIX = 'cloudschool:device:';
const key = (classroomId: string): string => `${PREFIX}${classroomId}`;

/** The storage, or null where the browser refuses it (privacy modes, storage switched off). */
export type CredentialStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;

export function localCredentialStore(): CredentialStore {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** A credential of the protocol's shape, or null. */
export function asCredential(value: unknown): DeviceCredential | null {
  if (typeof value !== 'object' || value === null) return null;
  const { id, secret } = value as Record<string, unknown>;
  if (typeof id !== 'string' || id.length < 1 || id.length > ID_MAX) return null;
  if (typeof secret !== 'string' || secret.length < SECRET_MIN || secret.length > SECRET_MAX) return null;
  return { id, secret };
}

/** The credential this browser keeps for a classroom, or null (none, unreadable, or no storage). */
export function readCredential(store: CredentialStore, classroomId: string): DeviceCredential | null {
  try {
    const raw = store?.getItem(key(classroomId));
    return raw ? asCredential(JSON.parse(raw)) : null;
  } catch {
    return null;
  }
}

/** Keeps a classroom's credential; false when the browser would not keep it. */
export function keepCredential(
  store: CredentialStore,
  classroomId: string,
  credential: DeviceCredential,
): boolean {
  if (!store) return false;
  try {
    store.setItem(key(classroomId), JSON.stringify({ id: credential.id, secret: credential.secret }));
    return true;
  } catch {
    return false;
  }
}

/**
 * What a live classroom page needs of its PC's credential: the one kept for its classroom (null: none yet,
 * or the classroom is not known) and where to keep a new one.
 */
export interface DeviceKeeper {
  /** What this PC is, for the host teacher to tell two apart ("Windows · Chrome · 1920×1080"). */
  readonly label: string;
  credential(): DeviceCredential | null;
  keep(credential: DeviceCredential): void;
}

export function deviceKeeper(
  store: CredentialStore,
  classroomId: string | null,
  label: string,
): DeviceKeeper {
  return {
    label,
    credential: () => (classroomId ? readCredential(store, classroomId) : null),
    keep: (credential) => {
      if (classroomId && !keepCredential(store, classroomId, credential)) {
        console.warn(
          '[cloudschool] this browser did not keep the PC’s credential: it will ask again next time',
        );
      }
    },
  };
}

/** An entity id as the server makes them (`entityId` in the protocol: letters, digits, `_`, `-`). */
const ENTITY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SECRET = /^[A-Za-z0-9_-]+$/;

/** What an enrol link carries after `#`: `<classroomId>.<deviceId>.<secret>`. */
export interface Enrolment {
  classroomId: string;
  credential: DeviceCredential;
}

/** The enrolment of a `/enroll#…` link's hash (with or without its `#`), or null if it is not one. */
export function parseEnrolment(hash: string): Enrolment | null {
  const parts = hash.replace(/^#/, '').trim().split('.');
  if (parts.length !== 3) return null;
  const [classroomId, id, secret] = parts as [string, string, string];
  if (!ENTITY_ID.test(classroomId) || !ENTITY_ID.test(id) || !SECRET.test(secret)) return null;
  const credential = asCredential({ id, secret });
  return credential ? { classroomId, credential } : null;
}
