import type { PageInfo } from '../fabric/Fabric.ts';

/** A page of the lesson and the node that serves it. */
export interface Page extends PageInfo {
  node: string;
}

/** Who is invited to a lesson and how classrooms are named (school and classroom). */
export interface Invitation {
  invitedClassroomIds: string[];
  classroomNames: Map<string, string>;
}

/**
 * Who is in a lesson: every page on every node serving it, and the invitation. This node's own pages are
 * those whose `node` is this node.
 */
export class Roster {
  readonly #nodeId: string;
  readonly #pages = new Map<string, Page>();
  #invitation: Invitation;
  /** Connected classrooms, built on demand: the host side's view asks for every invited classroom. */
  #connected: Set<string> | undefined;

  constructor(nodeId: string, invitation: Invitation) {
    this.#nodeId = nodeId;
    this.#invitation = invitation;
  }

  set invitation(invitation: Invitation) {
    this.#invitation = invitation;
  }

  add(page: Page): void {
    this.#pages.set(page.peerId, page);
    this.#connected = undefined;
  }

  /** Answers the page that left, if it was here. */
  remove(peerId: string): Page | undefined {
    const page = this.#pages.get(peerId);
    if (page) {
      this.#pages.delete(peerId);
      this.#connected = undefined;
    }
    return page;
  }

  /** A page this node serves. */
  local(peerId: string): Page | undefined {
    const page = this.#pages.get(peerId);
    return page?.node === this.#nodeId ? page : undefined;
  }

  /** A classroom's pages on every node. */
  pagesOf(classroomId: string): Page[] {
    return [...this.#pages.values()].filter((page) => page.classroomId === classroomId);
  }

  localPages(): Page[] {
    return [...this.#pages.values()].filter((page) => page.node === this.#nodeId);
  }

  get localCount(): number {
    let n = 0;
    for (const page of this.#pages.values()) if (page.node === this.#nodeId) n++;
    return n;
  }

  /** The host's pages, on this node or another: one, but two for a moment when a host page takes over. */
  hostPeerIds(): string[] {
    return [...this.#pages.values()].filter((page) => page.role === 'host').map((page) => page.peerId);
  }

  isInvited(classroomId: string): boolean {
    return this.#invitation.invitedClassroomIds.includes(classroomId);
  }

  get invitedClassroomIds(): string[] {
    return this.#invitation.invitedClassroomIds;
  }

  classroomName(classroomId: string): string {
    return this.#invitation.classroomNames.get(classroomId) ?? classroomId;
  }

  isConnected(classroomId: string): boolean {
    return this.#connectedClassrooms().has(classroomId);
  }

  /** Distinct connected classrooms. */
  get classroomCount(): number {
    return this.#connectedClassrooms().size;
  }

  #connectedClassrooms(): Set<string> {
    if (!this.#connected) {
      this.#connected = new Set();
      for (const page of this.#pages.values()) if (page.classroomId) this.#connected.add(page.classroomId);
    }
    return this.#connected;
  }
}
