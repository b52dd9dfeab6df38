/**
 * Who may receive what in a lesson, and at which simulcast layer. The rules of the dual-teacher lesson:
 * - the host's media: everyone, at the best layer;
 * - a classroom's microphone: only while that classroom is on stage — a classroom hears another
 *   classroom only then;
 * - a classroom's camera: the host side always (the overview, at the lowest layer, at most
 *   MAX_TILE_CONSUMERS tiles at once), other classrooms only while it is on stage (best layer);
 * - the host teacher's shared screen: everyone (classrooms, observers on patrol); only the host
 *   teacher may share one;
 * - nobody receives itself.
 * Pure: the live lesson applies them when a page asks to consume and when the stage changes.
 */
import { AppError } from '../errors.ts';
import type { MediaKind, MediaSource } from '@cloudschool/protocol';
import type { TrackInfo } from '../fabric/Fabric.ts';
import type { Page } from './Roster.ts';

export interface Layers {
  spatialLayer: number;
  temporalLayer: number;
}

/** An overview tile gets the lowest layer, the main view the highest the producer sends. */
export const LOW: Layers = { spatialLayer: 0, temporalLayer: 2 };
export const HIGH: Layers = { spatialLayer: 2, temporalLayer: 2 };

/** Overview tiles one host-side page may receive at once: a 16-tile page, the stage, and some slack. */
export const MAX_TILE_CONSUMERS = 24;

/**
 * What one page may hold on the SFU, by what it can use: a send and a receive transport (and one spare
 * while it rebuilds), a camera and a microphone (the host teacher also a shared screen), and the streams
 * it can show — the main media (the host with its screen and a full stage, audio and video) for a
 * classroom, plus the overview tiles for the host side.
 */
export const PAGE_CEILINGS = {
  transports: 3,
  producers: { host: 3, classroom: 2 },
  consumers: { classroom: 12, staff: MAX_TILE_CONSUMERS + 12 },
} as const;

/** The most producers a page of this role may hold (observers send nothing). */
export function producerCeiling(page: Page): number {
  return page.role === 'host' ? PAGE_CEILINGS.producers.host : PAGE_CEILINGS.producers.classroom;
}

/** The kind each source carries. */
const SOURCE_KIND: Record<MediaSource, MediaKind> = { camera: 'video', mic: 'audio', screen: 'video' };

/**
 * Whether `who` may publish `kind` as `source`, else an AppError: observers send nothing, only the host
 * teacher shares a screen, and a source carries its own kind only.
 */
export function checkProduce(who: Page, kind: MediaKind, source: MediaSource): void {
  if (who.role === 'observer') throw new AppError('forbidden', 'observers send nothing');
  if (source === 'screen' && who.role !== 'host') {
    throw new AppError('forbidden', 'only the host teacher shares a screen');
  }
  if (SOURCE_KIND[source] !== kind)
    throw new AppError('bad_request', `a ${source} source cannot carry ${kind}`);
}

/** The most consumers a page of this role may hold. */
export function consumerCeiling(page: Page): number {
  return page.role === 'classroom' ? PAGE_CEILINGS.consumers.classroom : PAGE_CEILINGS.consumers.staff;
}

const isStaff = (page: Page): boolean => page.role === 'host' || page.role === 'observer';

/**
 * The layer `who` receives `track` at, or an AppError why it may not. `tiles`: the video consumers
 * `who` has now; `thumbnail`: the page shows it small (the wall's picture of a host), the lowest layer.
 */
export function receiveLayers(
  who: Page,
  track: TrackInfo,
  onStage: boolean,
  tiles: number,
  thumbnail = false,
): Layers {
  if (track.peerId === who.peerId || (track.classroomId !== null && track.classroomId === who.classroomId)) {
    throw new AppError('forbidden', 'a page does not receive its own media');
  }
  if (track.classroomId === null) return thumbnail ? LOW : HIGH;
  if (track.source === 'mic' && !onStage)
    throw new AppError('forbidden', 'only on-stage classrooms are heard');
  if (track.source === 'camera' && !onStage && !isStaff(who)) {
    throw new AppError('forbidden', 'this classroom is not on stage');
  }
  if (!onStage && tiles >= MAX_TILE_CONSUMERS) {
    throw new AppError(
      'conflict',
      `at most ${MAX_TILE_CONSUMERS} overview tiles at once: close tiles off the page`,
    );
  }
  return onStage && !thumbnail ? HIGH : LOW;
}

/** What becomes of a consumer of a classroom's track when that classroom goes on or off the stage. */
export type StageEffect = { close: true } | { close: false; layers: Layers } | null;

export function stageEffect(who: Page | undefined, track: TrackInfo, change: 'joined' | 'left'): StageEffect {
  if (track.classroomId === null) return null;
  const staff = who !== undefined && isStaff(who);
  if (change === 'left') {
    // Off stage: nobody hears it any more; the host side keeps its overview tile at the lowest layer.
    if (track.source === 'mic' || !staff) return { close: true };
    return { close: false, layers: LOW };
  }
  return track.source === 'camera' ? { close: false, layers: HIGH } : null;
}
