import type { Server, Socket } from 'socket.io';
import type { Account } from '../domain/types.ts';
import type { ClientToServerEvents, Role, ServerToClientEvents } from '@cloudschool/protocol';

/** What the server knows of a connection: its login (from the handshake cookie), then the lesson it joined. */
export interface SocketData {
  account?: Account;
  /** The client address (behind a trusted proxy, the one it forwards). */
  address?: string;
  /** The login session the handshake carried (its stored id), and when it ends. */
  session?: { id: string; expiresAt: number };
  /** Set while its `lesson:join` runs: a second join on the connection is refused. */
  joining?: boolean;
  joined?: {
    lessonId: string;
    peerId: string;
    role: Role;
    classroomId: string | null;
    /** What the page shows to take its place back on a new connection (lesson:resume). */
    resumeToken: string;
    /** The classroom PC it joined from (its device id), if a classroom's. */
    deviceId: string | null;
  };
  /** A PC waiting for the host teacher to let it in as a classroom. */
  waiting?: { lessonId: string; requestId: string };
}

/**
 * Between nodes (Socket.IO's serverSideEmit over the adapter): what the fabric of several nodes sends.
 * Typed `unknown`: the receiving node validates every message.
 */
export interface InterServerEvents {
  fabric: (message: unknown) => void;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
