import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, Role, ServerToClientEvents } from '../protocol/index.ts';

/** What the server knows of a connection once it has joined a lesson. */
export interface SocketData {
  joined?: { lessonId: string; peerId: string; role: Role };
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
