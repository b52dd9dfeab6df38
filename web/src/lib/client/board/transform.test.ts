import { describe, expect, it } from 'vitest';
import { boardSchemas } from '@cloudschool/protocol';
import { BOARD_PAGE_HEIGHT, BOARD_PAGE_WIDTH, DEFAULT_VIEW } from '@cloudschool/board';
import { fitIntoPage, fitScale, viewTransform } from '@cloudschool/board/paint';
import {
  isDefaultView,
  normalView,
  pannedView,
  toPage,
  toScreen,
  zoomedView,
  ZOOM_MAX,
  ZOOM_MIN,
} from './transform.ts';

describe('board coordinates', () => {
  it('fits the whole page at zoom 1, centred, whatever the element', () => {
    expect(fitScale(800, 450)).toBe(0.5);
    // A wider element: the height decides, the page is centred with bars left and right.
    const t = viewTransform(DEFAULT_VIEW, 1000, 450);
    expect(t.scale).toBe(0.5);
    expect(toScreen(t, { x: 0, y: 0 })).toEqual({ x: 100, y: 0 });
    expect(toScreen(t, { x: BOARD_PAGE_WIDTH, y: BOARD_PAGE_HEIGHT })).toEqual({ x: 900, y: 450 });
    expect(fitScale(0, 450)).toBe(0);
  });

  it('maps screen points back to page units (the inverse)', () => {
    const t = viewTransform({ zoom: 2.5, x: 300, y: 700 }, 1280, 720);
    for (const p of [
      { x: 0, y: 0 },
      { x: 123.4, y: 567.8 },
      { x: -50, y: 2000 },
    ]) {
      const back = toPage(t, toScreen(t, p));
      expect(back.x).toBeCloseTo(p.x, 9);
      expect(back.y).toBeCloseTo(p.y, 9);
    }
  });

  it('shows the view’s point at the centre of the element, zoomed', () => {
    const t = viewTransform({ zoom: 2, x: 400, y: 200 }, 1600, 900);
    expect(toScreen(t, { x: 400, y: 200 })).toEqual({ x: 800, y: 450 });
    expect(t.scale).toBe(2);
  });

  it('zooms around the centre within the protocol’s bounds', () => {
    expect(zoomedView(DEFAULT_VIEW, 1.25)).toEqual({ ...DEFAULT_VIEW, zoom: 1.25 });
    let view = DEFAULT_VIEW;
    for (let i = 0; i < 40; i++) view = zoomedView(view, 1.25);
    expect(view.zoom).toBe(ZOOM_MAX);
    for (let i = 0; i < 80; i++) view = zoomedView(view, 0.8);
    expect(view.zoom).toBe(ZOOM_MIN);
    expect(() => boardSchemas['board:op'].parse({ op: { type: 'view', ...view } })).not.toThrow();
  });

  it('pans so the page follows the drag', () => {
    const view = { zoom: 2, x: 800, y: 450 };
    const t = viewTransform(view, 1600, 900);
    // Dragging 100 px to the right at scale 2 moves the centre 50 units to the left.
    expect(pannedView(view, t, 100, -40)).toEqual({ zoom: 2, x: 750, y: 470 });
    expect(normalView({ zoom: 1, x: 1e9, y: -1e9 })).toEqual({ zoom: 1, x: 100_000, y: -100_000 });
  });

  it('knows the default view', () => {
    expect(isDefaultView(DEFAULT_VIEW)).toBe(true);
    expect(isDefaultView({ ...DEFAULT_VIEW, zoom: 1.25 })).toBe(false);
  });

  it('fits courseware into the page, centred', () => {
    // A 4:3 slide on a 16:9 page: full height, bars on the sides.
    expect(fitIntoPage(1024, 768)).toEqual({ x: 200, y: 0, width: 1200, height: 900 });
    // A portrait A4 page.
    const a4 = fitIntoPage(595, 842);
    expect(a4.height).toBe(900);
    expect(a4.x + a4.width / 2).toBeCloseTo(800, 9);
    expect(fitIntoPage(0, 0)).toEqual({ x: 0, y: 0, width: 1600, height: 900 });
  });
});
