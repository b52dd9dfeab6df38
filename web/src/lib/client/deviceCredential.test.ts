import { describe, expect, it } from 'vitest';
import { deviceCredential } from '@cloudschool/protocol';
import {
  asCredential,
  deviceKeeper,
  keepCredential,
  parseEnrolment,
  readCredential,
  type CredentialStore,
} from './deviceCredential.ts';

const secret = 'Qm9vdHN0cmFwcGluZy1hLWNsYXNzcm9vbS1wYy1zZWNyZXQ'; // 47 characters, base64url
const credential = { id: '0b7c2f7e-6c1d-4a49-9f57-3f7a1c1f9e21', secret };

function memoryStore(): NonNullable<CredentialStore> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

const refusing: CredentialStore = {
  getItem: () => {
    throw new Error('denied');
  },
  setItem: () => {
    throw new Error('QuotaExceededError');
  },
  removeItem: () => {
    throw new Error('denied');
  },
};

describe('asCredential', () => {
  it('accepts exactly what the server’s schema accepts', () => {
    const samples: unknown[] = [
      credential,
      { id: 'd', secret: 'x'.repeat(32) },
      { id: 'd'.repeat(64), secret: 'x'.repeat(128) },
      { id: 'd'.repeat(65), secret },
      { id: '', secret },
      { id: 'd', secret: 'x'.repeat(31) },
      { id: 'd', secret: 'x'.repeat(129) },
      { id: 7, secret },
      { id: 'd' },
      { secret },
      null,
      'd.secret',
      [],
    ];
    for (const sample of samples) {
      expect(asCredential(sample) !== null, JSON.stringify(sample)).toBe(
        deviceCredential.safeParse(sample).success,
      );
    }
  });

  it('keeps only the id and the secret', () => {
    expect(asCredential({ ...credential, extra: 'x' })).toEqual(credential);
  });
});

describe('the credential kept per classroom', () => {
  it('is kept and read back per classroom', () => {
    const store = memoryStore();
    expect(readCredential(store, 'c1')).toBeNull();
    expect(keepCredential(store, 'c1', credential)).toBe(true);
    expect(readCredential(store, 'c1')).toEqual(credential);
    expect(readCredential(store, 'c2')).toBeNull();
  });

  it('replaces an older credential of the same classroom', () => {
    const store = memoryStore();
    keepCredential(store, 'c1', credential);
    keepCredential(store, 'c1', { id: 'newer', secret });
    expect(readCredential(store, 'c1')).toEqual({ id: 'newer', secret });
  });

  it('reads anything else stored under its key as no credential', () => {
    const store = memoryStore();
    for (const raw of ['not json', '{"id":"d"}', '"text"', 'null', '[1,2]', `{"id":"d","secret":"short"}`]) {
      store.data.set('cloudschool:device:c1', raw);
      expect(readCredential(store, 'c1'), raw).toBeNull();
    }
  });

  it('works without storage, or with storage that refuses', () => {
    expect(readCredential(null, 'c1')).toBeNull();
    expect(keepCredential(null, 'c1', credential)).toBe(false);
    expect(readCredential(refusing, 'c1')).toBeNull();
    expect(keepCredential(refusing, 'c1', credential)).toBe(false);
  });
});

describe('deviceKeeper', () => {
  it('reads and keeps the credential of its classroom', () => {
    const store = memoryStore();
    const keeper = deviceKeeper(store, 'c1', 'Windows · Chrome');
    expect(keeper.label).toBe('Windows · Chrome');
    expect(keeper.credential()).toBeNull();
    keeper.keep(credential);
    expect(keeper.credential()).toEqual(credential);
    expect(readCredential(store, 'c1')).toEqual(credential);
  });

  it('has no credential for an unknown classroom, and keeps none', () => {
    const store = memoryStore();
    const keeper = deviceKeeper(store, null, '');
    keeper.keep(credential);
    expect(keeper.credential()).toBeNull();
    expect(store.data.size).toBe(0);
  });
});

describe('parseEnrolment', () => {
  const classroomId = 'a1b2c3d4-0000-4000-8000-000000000001';

  it('reads the hash of the server’s enrol link', () => {
    const enrolment = { classroomId, credential };
    expect(parseEnrolment(`#${classroomId}.${credential.id}.${secret}`)).toEqual(enrolment);
    expect(parseEnrolment(`${classroomId}.${credential.id}.${secret}`)).toEqual(enrolment);
  });

  it('refuses anything else', () => {
    for (const hash of [
      '',
      '#',
      `#${classroomId}.${credential.id}`,
      `#${classroomId}.${credential.id}.${secret}.more`,
      `#${classroomId}.${credential.id}.short`,
      `#${classroomId}..${secret}`,
      `#.${credential.id}.${secret}`,
      `#${classroomId}.${credential.id}.${secret.slice(0, 40)}%20`,
      `#${classroomId}.${credential.id}.${'x'.repeat(129)}`,
      `#<script>.${credential.id}.${secret}`,
    ]) {
      expect(parseEnrolment(hash), hash).toBeNull();
    }
  });
});
