import type { DeviceRequestView } from '@cloudschool/protocol';
import { AppError } from '../errors.ts';
import type { DeviceRequestInfo } from '../fabric/Fabric.ts';

/**
 * PCs waiting to join a lesson as a classroom that is already open on another PC, wherever they wait (every
 * node running the lesson knows every request, as it knows every page), until the host teacher admits or
 * refuses them or they give up. Also the classrooms the host has barred for the rest of the lesson: any PC
 * new to them waits for the host, even when nothing of the classroom is open.
 */
export class DeviceRequests {
  readonly #requests = new Map<string, DeviceRequestInfo>();
  readonly #barred = new Set<string>();

  add(request: DeviceRequestInfo): void {
    this.#requests.set(request.requestId, request);
  }

  /** The request, gone from the list (decided or withdrawn); `not_found` if it is not (or no longer) here. */
  take(requestId: string): DeviceRequestInfo {
    const request = this.#requests.get(requestId);
    if (!request) throw new AppError('not_found', 'no such request: it was decided or withdrawn');
    this.#requests.delete(requestId);
    return request;
  }

  find(requestId: string): DeviceRequestInfo | undefined {
    return this.#requests.get(requestId);
  }

  /** Whether any PC waits (on any node). */
  anyWaiting(): boolean {
    return this.#requests.size > 0;
  }

  remove(requestId: string): boolean {
    return this.#requests.delete(requestId);
  }

  bar(classroomId: string): void {
    this.#barred.add(classroomId);
  }

  barred(classroomId: string): boolean {
    return this.#barred.has(classroomId);
  }

  views(name: (classroomId: string) => string): DeviceRequestView[] {
    return [...this.#requests.values()]
      .sort((a, b) => a.at - b.at)
      .map((r) => ({
        requestId: r.requestId,
        classroomId: r.classroomId,
        name: name(r.classroomId),
        label: r.label,
        at: new Date(r.at).toISOString(),
      }));
  }
}
