import type { Server, Socket } from 'socket.io';
import type { ClusterEnvelope } from '../cluster/ClusterBus.ts';
import type { Account } from '../domain/types.ts';
import type { ClientToServerEvents, Role, ServerToClientEvents } from '@cloudschool/protocol';

/** What the server knows of a connection: its login (from the handshake cookie), then the lesson it joined. */
export interface SocketData {
  account?: Account;
  joined?: { lessonId: string; peerId: string; role: Role; classroomId: string | null };
}

/** Between nodes (Socket.IO's serverSideEmit over the Redis adapter). */
export interface InterServerEvents {
  cluster: (envelope: ClusterEnvelope) => void;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
