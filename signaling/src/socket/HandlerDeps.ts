import type { Audit } from '../auth/Audit.ts';
import type { Devices } from '../auth/Devices.ts';
import type { TurnCredentials } from '../auth/TurnCredentials.ts';
import type { Courseware } from '../board/Courseware.ts';
import type { JoinAuthorizer } from '../lesson/JoinAuthorizer.ts';
import type { LiveLessons } from '../lesson/LiveLessons.ts';
import type { Logger } from '../logger.ts';
import type { PresenceTracker } from '../services/PresenceTracker.ts';
import type { Departures } from './departures.ts';
import type { IoServer } from './types.ts';
import type { Wall } from '../wall/Wall.ts';

/** What the socket handlers act on. */
export interface HandlerDeps {
  io: IoServer;
  lessons: LiveLessons;
  authorizer: JoinAuthorizer;
  presence: PresenceTracker;
  allowPlainTransports: boolean;
  log: Logger;
  courseware: Courseware;
  departures: Departures;
  turn: TurnCredentials | undefined;
  devices: Devices;
  audit: Audit;
  wall: Wall;
}
