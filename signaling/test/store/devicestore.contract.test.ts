import { beforeEach, describe, expect, it } from 'vitest';
import type { Device } from '../../src/store/entities/devices.ts';
import { InvalidRecordError } from '../../src/store/records.ts';
import type { Store } from '../../src/store/Store.ts';
import { storeFactories, storePerTest } from '../support/stores.ts';

const device = (
  id: string,
  classroomId: string,
  createdAt: number,
  overrides: Partial<Device> = {},
): Device => ({
  classroomId,
  id,
  secretHash: 'a'.repeat(64),
  label: 'Windows · Chrome',
  admittedBy: 'first-join',
  createdAt,
  lastSeenAt: createdAt,
  revokedAt: null,
  ...overrides,
});

describe.each(storeFactories())('$name device store contract', (factory) => {
  const suite = storePerTest(factory);
  let store: Store;

  beforeEach(() => {
    store = suite.store;
  });

  it('keeps each classroom’s devices, oldest first, and finds one by its classroom and id', async () => {
    await store.putDevice(device('d2', 'c1', 2000));
    await store.putDevice(device('d1', 'c1', 1000));
    await store.putDevice(device('d3', 'c2', 500));
    expect((await store.listDevices('c1')).map((d) => d.id)).toEqual(['d1', 'd2']);
    expect((await store.getDevice('c2', 'd3'))?.createdAt).toBe(500);
    expect(await store.getDevice('c1', 'd3')).toBeUndefined();
  });

  it('replaces a device that is seen again or revoked, and keeps it when reopened', async () => {
    await store.putDevice(device('d1', 'c1', 1000));
    await store.putDevice(device('d1', 'c1', 1000, { lastSeenAt: 9000, revokedAt: 9500 }));
    const again = await suite.open();
    expect(await again.getDevice('c1', 'd1')).toMatchObject({ lastSeenAt: 9000, revokedAt: 9500 });
    expect(await again.listDevices('c1')).toHaveLength(1);
  });

  it('refuses a device whose secret is not a hash, and changes nothing', async () => {
    await expect(
      store.putDevice(device('d1', 'c1', 1000, { secretHash: 'the secret itself' })),
    ).rejects.toBeInstanceOf(InvalidRecordError);
    expect(await store.listDevices('c1')).toEqual([]);
  });
});
