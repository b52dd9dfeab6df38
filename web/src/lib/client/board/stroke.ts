/**
 * A stroke while it is drawn, as the protocol wants it: points rounded to 0.1 unit, a pressure for
 * every point (the pen's own, or one made up from the speed for a mouse or a finger), live batches of at
 * most BOARD_LIMITS.pointsPerBatch points every ~30 ms, and a finished stroke that fits one operation (at
 * most BOARD_LIMITS.pointsPerStroke points and BOARD_LIMITS.opBytes of JSON): a longer line goes on as a
 * new stroke, which starts where the last one ended.
 *
 * No timers and no transport here: the caller feeds points, calls flush() every STROKE_BATCH_MS and sends
 * what comes out.
 */
import { BOARD_LIMITS } from '@cloudschool/board';
import type { StrokeTool } from '@cloudschool/board/paint';
import type { BoardStreamPayload, RequestOf } from '@cloudschool/protocol';

export type BoardPointTuple = [number, number, number];
export type StrokeBegin = BoardStreamPayload<'board:stroke:begin'>;
export type StrokePoints = BoardStreamPayload<'board:stroke:points'>;
export type StrokeEnd = RequestOf<'board:stroke:end'>;

export const STROKE_BATCH_MS = 30;
/** Points closer than this (page units) to the last one are skipped: they add bytes, not shape. */
export const MIN_POINT_DISTANCE = 0.5;
/** What a finished stroke may take of BOARD_LIMITS.opBytes: the rest is room for the other fields. */
const STROKE_BYTES = BOARD_LIMITS.opBytes - 512;

export interface StrokeStyle {
  tool: StrokeTool;
  color: string;
  width: number;
}

export type StrokeMessage =
  | { type: 'begin'; payload: StrokeBegin }
  | { type: 'points'; payload: StrokePoints }
  | { type: 'end'; payload: StrokeEnd };

export const roundCoord = (v: number): number => Math.round(v * 10) / 10;
export const roundPressure = (p: number): number => Math.round(Math.min(1, Math.max(0, p)) * 100) / 100;

export function boardPoint(x: number, y: number, pressure: number): BoardPointTuple {
  return [roundCoord(x), roundCoord(y), roundPressure(pressure)];
}

/**
 * The pressure of the next point of a mouse or finger stroke: slow is heavy, fast is light, changing
 * gradually (a pen reports its own). `distance` is from the previous point, in page units.
 */
export function simulatedPressure(previous: number | null, distance: number, width: number): number {
  if (previous === null) return 0.5;
  const speed = Math.min(1, distance / Math.max(2 * width, 8));
  const target = 0.9 - 0.6 * speed;
  return roundPressure(previous + (target - previous) * 0.35);
}

/** A random stroke id (protocol: 1–64 letters, digits, - or _). */
export function newStrokeId(random: () => number = Math.random): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = 's';
  for (let i = 0; i < 15; i++) id += alphabet[Math.floor(random() * alphabet.length)];
  return id;
}

/** The JSON bytes of one point inside the points array (with its comma). */
const pointBytes = (p: BoardPointTuple): number => JSON.stringify(p).length + 1;

export class StrokeRecorder {
  readonly #pageId: string;
  readonly #style: StrokeStyle;
  readonly #newId: () => string;
  readonly #send: (message: StrokeMessage) => void;
  #strokeId: string;
  /** Every point of the current stroke. */
  #points: BoardPointTuple[] = [];
  /** Its points not yet sent live. */
  #pending: BoardPointTuple[] = [];
  #bytes = 0;
  #finished = false;

  /** Starts a stroke at its first point: sends its begin (with the point). */
  constructor(
    pageId: string,
    style: StrokeStyle,
    first: BoardPointTuple,
    send: (message: StrokeMessage) => void,
    newId: () => string = newStrokeId,
  ) {
    this.#pageId = pageId;
    this.#style = style;
    this.#newId = newId;
    this.#send = send;
    this.#strokeId = newId();
    this.#start(first);
  }

  get strokeId(): string {
    return this.#strokeId;
  }

  get pageId(): string {
    return this.#pageId;
  }

  get style(): StrokeStyle {
    return this.#style;
  }

  /** The current stroke's points so far (for drawing it here). */
  get points(): readonly BoardPointTuple[] {
    return this.#points;
  }

  get finished(): boolean {
    return this.#finished;
  }

  /** A new sample; false when it was too close to the last one to matter. */
  add(point: BoardPointTuple): boolean {
    if (this.#finished) return false;
    const last = this.#points.at(-1);
    if (last && Math.hypot(point[0] - last[0], point[1] - last[1]) < MIN_POINT_DISTANCE) return false;
    if (
      this.#points.length >= BOARD_LIMITS.pointsPerStroke ||
      this.#bytes + pointBytes(point) > STROKE_BYTES
    ) {
      // Full: this stroke ends here, the line goes on as a new one from the same spot.
      const joint = this.#points.at(-1) ?? point;
      this.#end();
      this.#strokeId = this.#newId();
      this.#start(joint);
    }
    this.#push(point);
    return true;
  }

  /** Sends the points gathered since the last flush (called every STROKE_BATCH_MS while drawing). */
  flush(): void {
    while (this.#pending.length > 0) {
      const points = this.#pending.splice(0, BOARD_LIMITS.pointsPerBatch);
      this.#send({ type: 'points', payload: { strokeId: this.#strokeId, points } });
    }
  }

  /** The pen is lifted: the last points, then the finished stroke. */
  finish(): void {
    if (this.#finished) return;
    this.#end();
    this.#finished = true;
  }

  /** A stroke's begin carries its first point: it is relayed reliably, so every page can start drawing. */
  #start(first: BoardPointTuple): void {
    this.#points = [first];
    this.#pending = [];
    this.#bytes = pointBytes(first);
    const { tool, color, width } = this.#style;
    this.#send({
      type: 'begin',
      payload: { strokeId: this.#strokeId, pageId: this.#pageId, tool, color, width, points: [first] },
    });
  }

  #push(point: BoardPointTuple): void {
    this.#points.push(point);
    this.#pending.push(point);
    this.#bytes += pointBytes(point);
  }

  #end(): void {
    this.flush();
    const { tool, color, width } = this.#style;
    this.#send({
      type: 'end',
      payload: { strokeId: this.#strokeId, pageId: this.#pageId, tool, color, width, points: this.#points },
    });
  }
}
