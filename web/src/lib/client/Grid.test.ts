import { describe, expect, it } from 'vitest';
import type { ClassroomTile } from '@cloudschool/protocol';
import {
  clampPage,
  gridPage,
  gridWants,
  isPageSize,
  pageCount,
  rotate,
  rotationSeconds,
  ROTATION_DEFAULT_S,
} from './Grid.ts';

function tile(n: number, partial: Partial<ClassroomTile> = {}): ClassroomTile {
  return {
    classroomId: `c${n}`,
    name: `${n}班`,
    connected: true,
    cameraProducerId: `p${n}`,
    handRaisedAt: null,
    onStage: false,
    unread: 0,
    quality: 'good',
    readiness: null,
    ...partial,
  };
}

const tiles = Array.from({ length: 10 }, (_, i) => tile(i + 1));
const ids = (page: { tiles: { classroomId: string }[] }): string[] => page.tiles.map((t) => t.classroomId);

describe('grid pages', () => {
  it('cuts the tiles into pages in the server order', () => {
    const first = gridPage(tiles, { page: 1, pageSize: 4, pinned: null });
    expect(ids(first)).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(first.pages).toBe(3);
    expect(ids(gridPage(tiles, { page: 3, pageSize: 4, pinned: null }))).toEqual(['c9', 'c10']);
  });

  it('clamps the page to those there are (tiles came and went)', () => {
    expect(gridPage(tiles, { page: 9, pageSize: 4, pinned: null }).page).toBe(3);
    expect(gridPage(tiles, { page: 0, pageSize: 4, pinned: null }).page).toBe(1);
    expect(gridPage(tiles, { page: 2, pageSize: 16, pinned: null }).page).toBe(1);
    expect(clampPage(Number.NaN, 3)).toBe(1);
  });

  it('has one empty page without tiles', () => {
    expect(gridPage([], { page: 1, pageSize: 16, pinned: null })).toEqual({
      tiles: [],
      page: 1,
      pages: 1,
      pinned: null,
    });
  });

  it('keeps the pinned tile first on every page and shares out the rest', () => {
    const options = { pageSize: 4, pinned: 'c7' };
    expect(ids(gridPage(tiles, { ...options, page: 1 }))).toEqual(['c7', 'c1', 'c2', 'c3']);
    expect(ids(gridPage(tiles, { ...options, page: 2 }))).toEqual(['c7', 'c4', 'c5', 'c6']);
    expect(ids(gridPage(tiles, { ...options, page: 3 }))).toEqual(['c7', 'c8', 'c9', 'c10']);
    expect(gridPage(tiles, { ...options, page: 1 }).pages).toBe(3);
    expect(gridPage(tiles, { ...options, page: 1 }).pinned?.classroomId).toBe('c7');
  });

  it('forgets a pin whose classroom is not among the tiles', () => {
    const page = gridPage(tiles, { page: 1, pageSize: 4, pinned: 'gone' });
    expect(page.pinned).toBeNull();
    expect(ids(page)).toEqual(['c1', 'c2', 'c3', 'c4']);
  });

  it('counts pages with and without a pin', () => {
    expect(pageCount(16, 16, false)).toBe(1);
    expect(pageCount(17, 16, false)).toBe(2);
    expect(pageCount(16, 16, true)).toBe(1);
    expect(pageCount(17, 16, true)).toBe(2);
    expect(pageCount(300, 16, false)).toBe(19);
    expect(pageCount(0, 9, false)).toBe(1);
  });

  it('knows the page sizes on offer', () => {
    expect(isPageSize(9)).toBe(true);
    expect(isPageSize(10)).toBe(false);
  });
});

describe('rotation', () => {
  it('goes round the pages', () => {
    expect(rotate(1, 3)).toBe(2);
    expect(rotate(3, 3)).toBe(1);
    expect(rotate(1, 1)).toBe(1);
    expect(rotate(7, 3)).toBe(1);
  });

  it('keeps the interval within 5–60 s', () => {
    expect(rotationSeconds(2)).toBe(5);
    expect(rotationSeconds(90)).toBe(60);
    expect(rotationSeconds(12.4)).toBe(12);
    expect(rotationSeconds(Number.NaN)).toBe(ROTATION_DEFAULT_S);
  });
});

describe('grid cameras', () => {
  it('wants the cameras of connected tiles that publish one', () => {
    const visible = [tile(1), tile(2, { connected: false }), tile(3, { cameraProducerId: null }), tile(4)];
    expect(gridWants(visible)).toEqual([
      { classroomId: 'c1', producerId: 'p1' },
      { classroomId: 'c4', producerId: 'p4' },
    ]);
  });
});
