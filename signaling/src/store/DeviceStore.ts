import type { Device } from './entities/devices.ts';

/** The classroom PCs admitted to join as their classroom (classroom devices). */
export interface DeviceStore {
  /** Inserts or replaces a device (seen again, revoked). */
  putDevice(device: Device): Promise<void>;
  getDevice(classroomId: string, deviceId: string): Promise<Device | undefined>;
  /** A classroom's devices, oldest first, revoked ones too. */
  listDevices(classroomId: string): Promise<Device[]>;
}
