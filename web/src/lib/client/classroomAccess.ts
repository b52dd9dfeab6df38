/**
 * Who may enter as a classroom, as coordinators manage it (signaling/src/http/classroomAccessRoutes.ts):
 * classroom codes (a new one for one classroom, or for many at once before slips are reprinted) and the
 * PCs admitted to join as a classroom (list, pre-approve with an enrol link, revoke). Every failure is an
 * ApiError (api.ts).
 */
import type { ApprovedDevice, ClassroomView, DeviceView } from '@cloudschool/protocol';
import { call } from './api.ts';

const enc = encodeURIComponent;

/** A new code: the old code, its join links and calendar keys stop working; admitted PCs stay admitted. */
export async function rotateCode(classroomId: string): Promise<ClassroomView> {
  const path = `/api/classrooms/${enc(classroomId)}/code`;
  return (await call<{ classroom: ClassroomView }>(path, { method: 'POST' })).classroom;
}

/** New codes for these classrooms, all or none (ApiError `not_found` if one is unknown). */
export async function rotateCodes(classroomIds: readonly string[]): Promise<ClassroomView[]> {
  const body = { classroomIds: [...classroomIds] };
  return (await call<{ classrooms: ClassroomView[] }>('/api/classrooms/codes', { json: body })).classrooms;
}

/** Every PC ever admitted for the classroom, revoked ones too. */
export async function listDevices(classroomId: string): Promise<DeviceView[]> {
  const path = `/api/classrooms/${enc(classroomId)}/devices`;
  return (await call<{ devices: DeviceView[] }>(path)).devices;
}

/** A PC admitted before it first joins: open `enrollPath` once on it. */
export async function approveDevice(classroomId: string, label: string): Promise<ApprovedDevice> {
  return call<ApprovedDevice>(`/api/classrooms/${enc(classroomId)}/devices`, { json: { label } });
}

/** Revoked: its open pages close; it must be let in again. */
export async function revokeDevice(classroomId: string, deviceId: string): Promise<void> {
  await call<void>(`/api/classrooms/${enc(classroomId)}/devices/${enc(deviceId)}`, { method: 'DELETE' });
}

/** How many classrooms go in one bulk request (the server takes up to 5000). */
export const ROTATE_BATCH = 500;

/**
 * New codes for many classrooms, a batch at a time, telling the progress after each; a failed batch stops
 * it with a RotateError that names the classrooms rotated before it.
 */
export async function rotateCodesInBatches(
  classroomIds: readonly string[],
  progress: (done: number, total: number) => void,
  rotate: (ids: readonly string[]) => Promise<ClassroomView[]> = rotateCodes,
): Promise<ClassroomView[]> {
  const rotated: ClassroomView[] = [];
  for (let i = 0; i < classroomIds.length; i += ROTATE_BATCH) {
    try {
      rotated.push(...(await rotate(classroomIds.slice(i, i + ROTATE_BATCH))));
    } catch (error) {
      throw new RotateError(rotated, error);
    }
    progress(rotated.length, classroomIds.length);
  }
  return rotated;
}

/** A bulk rotation stopped by a failed batch: the classrooms rotated before it, and why it stopped. */
export class RotateError extends Error {
  readonly rotated: readonly ClassroomView[];
  /** The failure of the batch that stopped it (an ApiError, usually). */
  readonly reason: unknown;

  constructor(rotated: readonly ClassroomView[], reason: unknown) {
    super(
      `rotated ${rotated.length} codes, then: ${reason instanceof Error ? reason.message : String(reason)}`,
    );
    this.name = 'RotateError';
    this.rotated = rotated;
    this.reason = reason;
  }
}

/** The full address to open on the PC, from the server's `enrollPath`. */
export function enrollUrl(enrollPath: string, origin: string): string {
  return new URL(enrollPath, origin).toString();
}
