import { describe, expect, it } from 'vitest';
import { DEFAULT_VIEW, type BoardObject } from '@cloudschool/board';
import {
  cursorFor,
  gesturePreview,
  initialGesture,
  step,
  textKey,
  type GestureCommand,
  type GestureContext,
  type GestureEvent,
  type GestureState,
  type PointerInput,
} from './gesture.ts';
import { HIGHLIGHT_COLOR, PALETTE } from './tools.ts';
import { viewTransform } from '@cloudschool/board/paint';

/** A board 800 × 450 pixels showing the whole page: one pixel is two page units. */
const WIDTH = 800;
const HEIGHT = 450;

const line = (
  id: string,
  by: BoardObject['by'],
  from: [number, number],
  to: [number, number],
): BoardObject => ({
  id,
  by,
  z: 1,
  kind: 'stroke',
  tool: 'pen',
  color: '#000000',
  width: 4,
  points: [
    [...from, 0.5],
    [...to, 0.5],
  ],
});

function context(overrides: Partial<GestureContext> = {}): GestureContext {
  const view = overrides.view ?? DEFAULT_VIEW;
  return {
    page: { id: 'p0', objects: [] },
    view,
    transform: viewTransform(view, WIDTH, HEIGHT),
    me: 'host',
    host: true,
    drawer: true,
    ...overrides,
  };
}

function pointer(x: number, y: number, extra: Partial<PointerInput> = {}): PointerInput {
  return { x, y, pressure: 0.5, pointerId: 1, isPrimary: true, button: 0, pointerType: 'mouse', ...extra };
}

/** Runs events in order; the last state and every command. */
function run(
  events: GestureEvent[],
  ctx: GestureContext = context(),
  from: GestureState = initialGesture,
): { state: GestureState; commands: GestureCommand[] } {
  let state = from;
  const commands: GestureCommand[] = [];
  for (const event of events) {
    const result = step(state, event, ctx);
    state = result.state;
    commands.push(...result.commands);
  }
  return { state, commands };
}

const withTool = (tool: GestureState['tool'], rest: Partial<GestureState> = {}): GestureState => ({
  ...initialGesture,
  tool,
  ...rest,
});

describe('pen and highlighter', () => {
  it('streams a mouse stroke: begin at the press, a point per move, end at the release (page units)', () => {
    const { state, commands } = run([
      { type: 'down', pointer: pointer(10, 20) },
      { type: 'move', pointer: pointer(15, 20) },
      { type: 'move', pointer: pointer(20, 25) },
      { type: 'up', pointer: pointer(20, 25) },
    ]);
    expect(commands.map((c) => c.type)).toEqual([
      'capture',
      'stroke:begin',
      'stroke:point',
      'stroke:point',
      'stroke:end',
    ]);
    expect(commands[1]).toEqual({
      type: 'stroke:begin',
      pageId: 'p0',
      style: { tool: 'pen', color: PALETTE[0], width: 6 },
      point: [20, 40, 0.5],
    });
    const points = commands.flatMap((c) => (c.type === 'stroke:point' ? [c.point] : []));
    expect(points.map(([x, y]) => [x, y])).toEqual([
      [30, 40],
      [40, 50],
    ]);
    // A mouse has no pressure: it is made up from the speed, and changes gradually.
    for (const [, , pressure] of points) expect(pressure).toBeGreaterThan(0.3);
    expect(points[0]![2]).not.toBe(0.5);
    expect(state.drag).toBeNull();
  });

  it("takes a pen's own pressure and every coalesced sample", () => {
    const pen = { pointerType: 'pen', pressure: 0.8 };
    const { commands } = run([
      { type: 'down', pointer: pointer(0, 0, pen) },
      {
        type: 'move',
        pointer: pointer(2, 0, {
          ...pen,
          samples: [
            { x: 1, y: 0, pressure: 0.6 },
            { x: 2, y: 0, pressure: 0 },
          ],
        }),
      },
    ]);
    expect(commands[1]).toMatchObject({ type: 'stroke:begin', point: [0, 0, 0.8] });
    expect(commands.slice(2)).toEqual([
      { type: 'stroke:point', point: [2, 0, 0.6] },
      // A sample without pressure counts as a middling one.
      { type: 'stroke:point', point: [4, 0, 0.5] },
    ]);
  });

  it('draws a wide translucent highlighter in yellow, and gives the colour back when put down', () => {
    const chosen = run([{ type: 'tool', tool: 'highlighter' }]).state;
    expect(chosen.color).toBe(HIGHLIGHT_COLOR);
    const { commands } = run([{ type: 'down', pointer: pointer(0, 0) }], context(), chosen);
    expect(commands[1]).toMatchObject({ style: { tool: 'highlighter', color: HIGHLIGHT_COLOR, width: 32 } });
    expect(run([{ type: 'tool', tool: 'pen' }], context(), chosen).state.color).toBe(PALETTE[0]);
    // A colour picked for the highlighter stays.
    const red = run(
      [
        { type: 'color', color: PALETTE[1] },
        { type: 'tool', tool: 'pen' },
      ],
      context(),
      chosen,
    );
    expect(red.state.color).toBe(PALETTE[1]);
  });

  it('follows only the pointer that began the stroke, and only the main button of a primary pointer', () => {
    const { commands } = run([
      { type: 'down', pointer: pointer(0, 0) },
      { type: 'down', pointer: pointer(50, 50, { pointerId: 2, isPrimary: false }) },
      { type: 'move', pointer: pointer(50, 50, { pointerId: 2, isPrimary: false }) },
      { type: 'up', pointer: pointer(50, 50, { pointerId: 2, isPrimary: false }) },
      { type: 'up', pointer: pointer(5, 5) },
    ]);
    expect(commands.map((c) => c.type)).toEqual(['capture', 'stroke:begin', 'stroke:end']);
    expect(run([{ type: 'down', pointer: pointer(0, 0, { button: 2 }) }]).commands).toEqual([]);
  });

  it('does nothing for a page that may not draw', () => {
    const { state, commands } = run(
      [
        { type: 'down', pointer: pointer(0, 0) },
        { type: 'move', pointer: pointer(5, 5) },
        { type: 'up', pointer: pointer(5, 5) },
      ],
      context({ drawer: false, me: null }),
    );
    expect(commands).toEqual([]);
    expect(state).toBe(initialGesture);
  });
});

describe('shapes', () => {
  it('turns a drag into a shape, previewed while dragged, rounded to the protocol', () => {
    const ctx = context();
    const { state } = run(
      [
        { type: 'down', pointer: pointer(10, 10) },
        { type: 'move', pointer: pointer(100.03, 60) },
      ],
      ctx,
      withTool('rect'),
    );
    expect(gesturePreview(state, 'p0', 'host').shape).toMatchObject({
      kind: 'shape',
      shape: 'rect',
      from: [20, 20],
      to: [200.1, 120],
    });
    const done = step(state, { type: 'up', pointer: pointer(150, 80) }, ctx);
    expect(done.commands).toEqual([
      {
        type: 'add',
        op: {
          type: 'shape',
          pageId: 'p0',
          shape: 'rect',
          from: [20, 20],
          to: [300, 160],
          color: PALETTE[0],
          width: 6,
          fill: null,
        },
      },
    ]);
    expect(gesturePreview(done.state, 'p0', 'host').shape).toBeNull();
  });

  it('drops a slip of the hand', () => {
    const { commands } = run(
      [
        { type: 'down', pointer: pointer(10, 10) },
        { type: 'up', pointer: pointer(10.5, 10) },
      ],
      context(),
      withTool('arrow'),
    );
    expect(commands).toEqual([{ type: 'capture', pointerId: 1 }]);
  });
});

describe('text', () => {
  it('opens a box where pressed, and puts what was typed on the board with Enter', () => {
    const opened = run([{ type: 'down', pointer: pointer(50, 25) }], context(), withTool('text'));
    expect(opened.commands).toEqual([{ type: 'text:open' }]);
    expect(opened.state.text).toEqual({ at: { x: 100, y: 50 }, value: '' });
    const { state, commands } = run(
      [
        { type: 'type', value: ' 你好 ' },
        { type: textKey({ key: 'Enter', shiftKey: false, isComposing: false })! },
      ],
      context(),
      opened.state,
    );
    expect(commands).toEqual([
      {
        type: 'add',
        op: { type: 'text', pageId: 'p0', at: [100, 50], text: '你好', color: PALETTE[0], size: 40 },
      },
    ]);
    expect(state.text).toBeNull();
  });

  it('puts the text on the board when the next press comes, and drops it on Escape or when empty', () => {
    const typed = run(
      [
        { type: 'down', pointer: pointer(0, 0) },
        { type: 'type', value: 'a' },
      ],
      context(),
      withTool('text'),
    ).state;
    const next = run([{ type: 'down', pointer: pointer(100, 100) }], context(), typed);
    expect(next.commands.map((c) => c.type)).toEqual(['add', 'text:open']);
    expect(next.state.text?.at).toEqual({ x: 200, y: 200 });
    expect(run([{ type: 'textCancel' }], context(), typed).state.text).toBeNull();
    expect(run([{ type: 'type', value: '  ' }, { type: 'textDone' }], context(), typed).commands).toEqual([]);
  });

  it('reads the keys of the text box', () => {
    expect(textKey({ key: 'Enter', shiftKey: true, isComposing: false })).toBeNull();
    expect(textKey({ key: 'Enter', shiftKey: false, isComposing: true })).toBeNull();
    expect(textKey({ key: 'Escape', shiftKey: false, isComposing: false })).toBe('textCancel');
    expect(textKey({ key: 'a', shiftKey: false, isComposing: false })).toBeNull();
  });
});

describe('eraser', () => {
  const objects = [
    line('o1', 'host', [100, 100], [300, 100]),
    line('o2', 'host', [100, 100], [100, 300]),
    line('o3', 'classroom:c1', [400, 50], [400, 400]),
    line('o4', 'host', [1000, 800], [1100, 800]),
  ];

  it('takes the topmost object under the press, then every object the swipe touches, once', () => {
    const ctx = context({ page: { id: 'p0', objects } });
    const { state } = run([{ type: 'down', pointer: pointer(50, 50) }], ctx, withTool('eraser'));
    expect(gesturePreview(state, 'p0', 'host').erasing.map((o) => o.id)).toEqual(['o2']);
    const { state: swept, commands } = run(
      [
        { type: 'move', pointer: pointer(250, 50) },
        { type: 'move', pointer: pointer(50, 52) },
        { type: 'up', pointer: pointer(50, 52) },
      ],
      ctx,
      state,
    );
    expect(commands).toEqual([{ type: 'erase', pageId: 'p0', objectIds: ['o2', 'o1', 'o3'] }]);
    expect(swept.drag).toBeNull();
  });

  it('reaches 10 pixels whatever the zoom', () => {
    const objectsHere = [line('o1', 'host', [800, 450], [900, 450])];
    // Zoom 2: one pixel is one page unit; the reach is half the line's width and 10 pixels.
    const view = { zoom: 2, x: 800, y: 450 };
    const ctx = context({
      view,
      transform: viewTransform(view, WIDTH, HEIGHT),
      page: { id: 'p0', objects: objectsHere },
    });
    const miss = run([{ type: 'down', pointer: pointer(450, 225 + 14) }], ctx, withTool('eraser'));
    expect(gesturePreview(miss.state, 'p0', 'host').erasing).toEqual([]);
    const hit = run([{ type: 'down', pointer: pointer(450, 225 + 8) }], ctx, withTool('eraser'));
    expect(gesturePreview(hit.state, 'p0', 'host').erasing).toHaveLength(1);
  });

  it('lets a pen holder erase only its own objects', () => {
    const ctx = context({ page: { id: 'p0', objects }, me: 'classroom:c1', host: false });
    const { commands } = run(
      [
        { type: 'down', pointer: pointer(50, 50) },
        { type: 'move', pointer: pointer(250, 50) },
        { type: 'up', pointer: pointer(250, 50) },
      ],
      ctx,
      withTool('eraser'),
    );
    expect(commands).toEqual([
      { type: 'capture', pointerId: 1 },
      { type: 'erase', pageId: 'p0', objectIds: ['o3'] },
    ]);
  });

  it('shows its ring where it hovers, sends nothing when it touched nothing', () => {
    const { state, commands } = run(
      [
        { type: 'move', pointer: pointer(700, 400) },
        { type: 'down', pointer: pointer(700, 400) },
        { type: 'up', pointer: pointer(700, 400) },
      ],
      context({ page: { id: 'p0', objects } }),
      withTool('eraser'),
    );
    expect(commands).toEqual([{ type: 'capture', pointerId: 1 }]);
    expect(gesturePreview(state, 'p0', 'host').ring).toEqual({ x: 700, y: 400 });
    expect(run([{ type: 'leave' }], context(), state).state.eraserAt).toBeNull();
    expect(run([{ type: 'tool', tool: 'pen' }], context(), state).state.eraserAt).toBeNull();
  });
});

describe('laser', () => {
  it('follows the pointer on the page and goes off when it leaves or another tool is chosen', () => {
    const { commands } = run(
      [
        { type: 'down', pointer: pointer(10, 10) },
        { type: 'move', pointer: pointer(20, 10) },
        { type: 'leave' },
        { type: 'move', pointer: pointer(30, 10) },
        { type: 'tool', tool: 'pen' },
      ],
      context(),
      withTool('laser'),
    );
    expect(commands).toEqual([
      { type: 'laser', pageId: 'p0', x: 20, y: 20 },
      { type: 'laser', pageId: 'p0', x: 40, y: 20 },
      { type: 'laser', pageId: null, x: 0, y: 0 },
      { type: 'laser', pageId: 'p0', x: 60, y: 20 },
      { type: 'laser', pageId: null, x: 0, y: 0 },
    ]);
  });
});

describe('pan and zoom', () => {
  it("moves the host's view with the drag, shows it at once and sends it when released", () => {
    const ctx = context();
    const { state } = run(
      [
        { type: 'down', pointer: pointer(400, 200) },
        { type: 'move', pointer: pointer(300, 150) },
      ],
      ctx,
      withTool('pan'),
    );
    // Dragged 100 × 50 pixels left and up at two units a pixel: the page's centre moves right and down.
    expect(state.panView).toEqual({ zoom: 1, x: 1000, y: 550 });
    const released = step(state, { type: 'up', pointer: pointer(300, 150) }, ctx);
    expect(released.commands).toEqual([{ type: 'view', view: { zoom: 1, x: 1000, y: 550 } }]);
    // Shown until the host's view comes back.
    expect(released.state.panView).not.toBeNull();
    expect(step(released.state, { type: 'view' }, ctx).state.panView).toBeNull();
    expect(step(released.state, { type: 'panRefused' }, ctx).state.panView).toBeNull();
  });

  it('pans by page units at the zoom shown', () => {
    const view = { zoom: 2, x: 800, y: 450 };
    const ctx = context({ view, transform: viewTransform(view, WIDTH, HEIGHT) });
    const { state } = run(
      [
        { type: 'down', pointer: pointer(400, 200) },
        { type: 'move', pointer: pointer(300, 150) },
      ],
      ctx,
      withTool('pan'),
    );
    expect(state.panView).toEqual({ zoom: 2, x: 900, y: 500 });
    // The view pushed by another change while dragging does not end the pan.
    expect(step(state, { type: 'view' }, ctx).state.panView).toEqual(state.panView);
  });

  it('is the host’s only', () => {
    const { state, commands } = run(
      [
        { type: 'down', pointer: pointer(400, 200) },
        { type: 'move', pointer: pointer(300, 150) },
      ],
      context({ host: false, me: 'classroom:c1' }),
      withTool('pan'),
    );
    expect(commands).toEqual([]);
    expect(state.panView).toBeNull();
  });
});

describe('a gesture cut short', () => {
  it('ends a stroke where it got to when the pen is taken back, and closes the text box', () => {
    const drawing = run([{ type: 'down', pointer: pointer(0, 0) }]).state;
    const { state, commands } = run([{ type: 'stop' }], context(), {
      ...drawing,
      text: { at: { x: 0, y: 0 }, value: 'x' },
    });
    expect(commands).toEqual([{ type: 'stroke:end' }]);
    expect(state.drag).toBeNull();
    expect(state.text).toBeNull();
    // Nothing left to stop: the same state, so that nothing redraws.
    expect(step(state, { type: 'stop' }, context()).state).toBe(state);
  });

  it('drops a shape or a swipe when the page turns, but not a pan', () => {
    const shape = run(
      [
        { type: 'down', pointer: pointer(0, 0) },
        { type: 'move', pointer: pointer(50, 50) },
      ],
      context(),
      withTool('line'),
    );
    const turned = run([{ type: 'turn' }, { type: 'up', pointer: pointer(50, 50) }], context(), shape.state);
    expect(turned.commands).toEqual([]);
    const pan = run(
      [
        { type: 'down', pointer: pointer(0, 0) },
        { type: 'move', pointer: pointer(10, 0) },
      ],
      context(),
      withTool('pan'),
    );
    expect(step(pan.state, { type: 'turn' }, context()).state).toBe(pan.state);
    // Stopped for good, a pan goes back to the host's view.
    expect(step(pan.state, { type: 'stop' }, context()).state.panView).toBeNull();
  });

  it('ends a cancelled pointer like a release', () => {
    const { commands } = run([
      { type: 'down', pointer: pointer(0, 0, { pointerType: 'touch' }) },
      { type: 'up', pointer: pointer(0, 0, { pointerType: 'touch' }) },
    ]);
    expect(commands.at(-1)).toEqual({ type: 'stroke:end' });
  });

  it('turns the laser off when the board goes away', () => {
    const drawing = run([{ type: 'down', pointer: pointer(0, 0) }]).state;
    expect(step(drawing, { type: 'dispose' }, context()).commands).toEqual([
      { type: 'stroke:end' },
      { type: 'laser', pageId: null, x: 0, y: 0 },
    ]);
  });
});

describe('cursor', () => {
  it('tells the tool', () => {
    expect(cursorFor('pen', false)).toBe('default');
    expect(cursorFor('text', true)).toBe('text');
    expect(cursorFor('pan', true)).toBe('grab');
    expect(cursorFor('laser', true)).toBe('none');
    expect(cursorFor('rect', true)).toBe('crosshair');
  });
});
