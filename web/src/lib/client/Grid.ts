/**
 * The host side's overview of the classrooms (pure): pages of tiles, a pinned
 * tile that stays first on every page, automatic rotation (轮巡) through the
 * pages, and which cameras the visible page needs.
 *
 * Pages are counted from 1, as the console shows them ("第 2 / 5 页").
 */
import type { ClassroomTile } from '@cloudschool/protocol';
import type { GridWant } from './Receiver.ts';

export const PAGE_SIZES = [4, 9, 16] as const;
export type PageSize = (typeof PAGE_SIZES)[number];
export const DEFAULT_PAGE_SIZE: PageSize = 16;

/** Seconds between two pages while rotating. */
export const ROTATION_MIN_S = 5;
export const ROTATION_MAX_S = 60;
export const ROTATION_DEFAULT_S = 10;

export interface GridOptions {
  /** 1-based; clamped to the pages there are. */
  page: number;
  pageSize: number;
  /** The pinned classroom; ignored when it is not among the tiles. */
  pinned: string | null;
}

export interface GridPage<T> {
  /** The visible tiles, the pinned one first. */
  tiles: T[];
  /** The page shown (1-based, clamped). */
  page: number;
  pages: number;
  /** The pinned tile, if it is among the tiles. */
  pinned: T | null;
}

export function isPageSize(value: number): value is PageSize {
  return PAGE_SIZES.some((size) => size === value);
}

/** How many pages the tiles fill: the pinned tile takes a place on every page. */
export function pageCount(total: number, pageSize: number, hasPinned: boolean): number {
  const others = hasPinned ? total - 1 : total;
  const perPage = Math.max(1, hasPinned ? pageSize - 1 : pageSize);
  return Math.max(1, Math.ceil(others / perPage));
}

export function clampPage(page: number, pages: number): number {
  if (!Number.isFinite(page)) return 1;
  return Math.min(Math.max(1, Math.trunc(page)), Math.max(1, pages));
}

/** The tiles of one page, in the server's order, the pinned tile first on every page. */
export function gridPage<T extends { classroomId: string }>(
  tiles: readonly T[],
  { page, pageSize, pinned }: GridOptions,
): GridPage<T> {
  const pin = pinned === null ? null : (tiles.find((tile) => tile.classroomId === pinned) ?? null);
  const others = pin ? tiles.filter((tile) => tile !== pin) : tiles;
  const perPage = Math.max(1, pin ? pageSize - 1 : pageSize);
  const pages = pageCount(tiles.length, pageSize, pin !== null);
  const current = clampPage(page, pages);
  const start = (current - 1) * perPage;
  const shown = others.slice(start, start + perPage);
  return { tiles: pin ? [pin, ...shown] : shown, page: current, pages, pinned: pin };
}

/** The page a rotation shows next: round and round. */
export function rotate(page: number, pages: number): number {
  return pages <= 1 ? 1 : (clampPage(page, pages) % pages) + 1;
}

/** A typed rotation interval, kept within 5–60 s (the default for anything unreadable). */
export function rotationSeconds(value: number): number {
  if (!Number.isFinite(value)) return ROTATION_DEFAULT_S;
  return Math.min(ROTATION_MAX_S, Math.max(ROTATION_MIN_S, Math.round(value)));
}

/** The cameras the visible tiles need: connected classrooms that publish one. */
export function gridWants(visible: readonly ClassroomTile[]): GridWant[] {
  const wants: GridWant[] = [];
  for (const tile of visible) {
    if (tile.connected && tile.cameraProducerId) {
      wants.push({ classroomId: tile.classroomId, producerId: tile.cameraProducerId });
    }
  }
  return wants;
}
