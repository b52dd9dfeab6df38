/**
 * The whiteboard's events. Two kinds of traffic:
 * - sequenced operations: `board:op` and `board:stroke:end` (acked). The server numbers every accepted
 *   operation (seq 1, 2, 3… per lesson, no gaps), stores it, then pushes it to everyone as `board:op`.
 *   A client applies them in seq order; `board:sync` fills what it missed.
 * - live traffic: a stroke while it is drawn (`board:stroke:begin`, `board:stroke:points`) and the laser
 *   pointer (`board:laser`). Sent without an ack, relayed as volatile (may be dropped), never stored nor
 *   sequenced. The finished stroke arrives once more, complete, as one sequenced operation.
 */
import { z } from 'zod';
import {
  BOARD_LIMITS,
  boardPageId,
  boardPoint,
  boardWriteBody,
  color,
  coord,
  jsonBytes,
  lineWidth,
  seqOrZero,
  strokeFields,
  strokeId,
  strokeTool,
} from '@cloudschool/board';
import type { BoardAuthor, BoardOp, BoardSyncResult } from '@cloudschool/board';
import { id } from './media.ts';

// ---------------------------------------------------------------- requests

const withinOpBytes = (value: unknown): boolean => jsonBytes(value) <= BOARD_LIMITS.opBytes;
const opTooLarge = `an operation is at most ${BOARD_LIMITS.opBytes} bytes of JSON: round the coordinates`;

export const boardSchemas = {
  /**
   * Everything after `afterSeq` (the last seq this page applied; omit it on a first load). Answers the
   * operations after it, or, if it is too old (compacted) or unknown, a snapshot and the operations after
   * the snapshot.
   */
  'board:sync': z.strictObject({ afterSeq: seqOrZero.optional() }),
  /** Shapes, text, erase, clear, pages, background, view, undo, redo. */
  'board:op': z
    .strictObject({
      op: boardWriteBody,
    })
    .refine(withinOpBytes, opTooLarge),
  /** The finished stroke, complete: it becomes one sequenced operation. */
  'board:stroke:end': z.strictObject(strokeFields).refine(withinOpBytes, opTooLarge),
  /** Host: let an on-stage classroom write (draw, write text, erase and undo its own). */
  'board:pen:grant': z.strictObject({ classroomId: id }),
  /** Host: take the pen back from one classroom, or from all. */
  'board:pen:revoke': z.strictObject({ classroomId: id.optional() }),
} as const;

// ---------------------------------------------------------------- live traffic (no ack, never stored)

export const boardStreamSchemas = {
  /** Pen down: the stroke's style, and its first points (relayed reliably: every page can start it). */
  'board:stroke:begin': z.strictObject({
    strokeId,
    pageId: boardPageId,
    tool: strokeTool,
    color,
    width: lineWidth,
    points: z.array(boardPoint).max(BOARD_LIMITS.pointsPerBatch).default([]),
  }),
  'board:stroke:points': z.strictObject({
    strokeId,
    points: z.array(boardPoint).min(1).max(BOARD_LIMITS.pointsPerBatch),
  }),
  /** The laser pointer at a point of a page; `{ pageId: null }` hides it. */
  'board:laser': z.union([
    z.strictObject({ pageId: boardPageId, x: coord, y: coord }),
    z.strictObject({ pageId: z.null() }),
  ]),
} as const;

export type BoardStreamEvent = keyof typeof boardStreamSchemas;
export type BoardStreamPayload<E extends BoardStreamEvent> = z.input<(typeof boardStreamSchemas)[E]>;

/** Client → server live events: emitted without an ack (volatile is fine), silently dropped if not allowed. */
export type BoardStreamClientEvents = {
  [E in BoardStreamEvent]: (payload: BoardStreamPayload<E>) => void;
};

/** Live events as relayed to the other pages of the lesson, with their author. */
type Relayed<E extends BoardStreamEvent> = z.output<(typeof boardStreamSchemas)[E]> & { by: BoardAuthor };
export type LiveStrokeBegin = Relayed<'board:stroke:begin'>;
export type LiveStrokePoints = Relayed<'board:stroke:points'>;
export type LiveLaser = Relayed<'board:laser'>;

// ---------------------------------------------------------------- responses and server events

/** The ack of a write: the seq it got (null when it changed nothing, e.g. granting a pen already held). */
export interface BoardWriteResult {
  seq: number | null;
}

export interface BoardResponses {
  'board:sync': BoardSyncResult;
  'board:op': BoardWriteResult;
  'board:stroke:end': BoardWriteResult;
  'board:pen:grant': BoardWriteResult;
  'board:pen:revoke': BoardWriteResult;
}

export interface BoardServerEvents {
  /** A sequenced operation, to every page of the lesson (its writer too). */
  'board:op': (op: BoardOp) => void;
  /** Live: a stroke started on another page (relayed reliably, but not stored). */
  'board:stroke:begin': (stroke: LiveStrokeBegin) => void;
  /** Live: more points of it (volatile). The finished stroke comes as a `board:op` with its strokeId. */
  'board:stroke:points': (points: LiveStrokePoints) => void;
  /** Live: the laser pointer of the host or a pen holder (volatile). */
  'board:laser': (laser: LiveLaser) => void;
}

// ---------------------------------------------------------------- courseware (HTTP)

export const coursewareTypes = ['application/pdf', 'image/png', 'image/jpeg'] as const;
export type CoursewareType = (typeof coursewareTypes)[number];
export const COURSEWARE_MAX_BYTES = 20 * 1024 * 1024;
/** Presentations may be bigger (their pictures): what is kept is the PDF made of them, far smaller. */
export const PRESENTATION_MAX_BYTES = 60 * 1024 * 1024;

/**
 * Presentations the host teacher may upload too: the server converts them to PDF (LibreOffice), which is what
 * it keeps. By the file extension each is known by (LibreOffice picks its reader by it; browsers may give no type).
 */
export const presentationTypes = {
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.oasis.opendocument.presentation': 'odp',
} as const;
export type PresentationType = keyof typeof presentationTypes;

export function isPresentationType(type: string): type is PresentationType {
  return Object.hasOwn(presentationTypes, type);
}

/** The largest upload of this (declared) type. */
export function uploadMaxBytes(type: string): number {
  return isPresentationType(type) ? PRESENTATION_MAX_BYTES : COURSEWARE_MAX_BYTES;
}

/**
 * Why the server did not convert a presentation, sent as `reason` beside the error's code: `unreadable`
 * (corrupt, or not really one; 422), `timeout` (stopped; 422), `busy` (too many conversions; 429),
 * `unavailable` (this server converts none; 415).
 */
export const conversionFailures = ['unreadable', 'timeout', 'busy', 'unavailable'] as const;
export type ConversionFailure = (typeof conversionFailures)[number];

/**
 * POST /api/lessons/:id/courseware (the lesson's host teacher; body = the file) answers this (201).
 * GET /api/lessons/:id/courseware/:fileId serves the file to the host teacher, coordinators, and
 * classrooms with their join token as `?t=`; GET /api/lessons/:id/courseware lists them.
 */
export interface CoursewareFile {
  fileId: string;
  type: CoursewareType;
  bytes: number;
}
