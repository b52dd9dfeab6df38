import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createCanvas, Path2D } from '@napi-rs/canvas';
import { applyOp, findPage, initialBoard } from '@cloudschool/board';
import type { BoardBackground, BoardOp, BoardPage, BoardState } from '@cloudschool/board';
import { paintPage, viewTransform, type BackgroundImage } from '@cloudschool/board/paint';

// The shared painter draws with the platform's Path2D: on the server, @napi-rs/canvas's.
globalThis.Path2D ??= Path2D as unknown as typeof globalThis.Path2D;

export interface BoardFramesInput {
  /** The board's whole history, in seq order (the replay's). */
  ops: readonly BoardOp[];
  /** The span drawn, in wall-clock ms: the board as it was at `from`, then every change until `to`. */
  from: number;
  to: number;
  width: number;
  height: number;
  /** Where the pictures go (PNG files and the list ffmpeg reads). */
  dir: string;
  background: (bg: BoardBackground) => Promise<BackgroundImage | null>;
  /** Changes closer than this are drawn as one picture (a stroke's ops come in bursts). */
  minGapMs: number;
  /** Called after each picture with the share of the span drawn (0–1). */
  progress?: (done: number) => void;
}

/** What the picture shows: a new picture only when one of these changed (the reducer never mutates). */
function shown(state: BoardState): { page: BoardPage | undefined; view: BoardState['view'] } {
  return { page: findPage(state, state.pageId) ?? state.pages[0], view: state.view };
}

/**
 * The board of a span of the lesson as a sequence of pictures for ffmpeg: its state at `from` (the history
 * before it replayed through the shared reducer), then a picture after each change shown (coalesced to one
 * per `minGapMs`), each held until the next — an ffconcat list of PNGs with durations, whose time 0 is
 * `from`. Painted by the browser's painter (@cloudschool/board/paint), so the video shows the board as the
 * classrooms saw it. Returns the list's path and the number of pictures.
 */
export async function renderBoardFrames(input: BoardFramesInput): Promise<{ list: string; frames: number }> {
  const { ops, from, to, width, height, dir, minGapMs } = input;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d') as unknown as CanvasRenderingContext2D;
  const frames: { at: number; file: string }[] = [];

  const draw = async (state: BoardState, at: number): Promise<void> => {
    const { page, view } = shown(state);
    if (!page) return;
    const background = page.background ? await input.background(page.background) : null;
    paintPage(
      ctx,
      { width, height, ratio: 1, transform: viewTransform(view, width, height) },
      page,
      background,
    );
    const file = `board-${String(frames.length).padStart(6, '0')}.png`;
    await writeFile(path.join(dir, file), await canvas.encode('png'));
    frames.push({ at, file });
    input.progress?.((at - from) / Math.max(1, to - from));
  };

  // The history is whole since it was kept (schema 9); a lesson compacted before starts where it does.
  let state: BoardState = { ...initialBoard(), seq: Math.max(0, (ops[0]?.seq ?? 1) - 1) };
  let i = 0;
  for (; i < ops.length && ops[i]!.at <= from; i++) state = applyOp(state, ops[i]!);
  await draw(state, from);
  let drawn = shown(state);
  while (i < ops.length && ops[i]!.at <= to) {
    // The ops of one burst (within minGapMs of its first, and of the last picture) make one picture, at
    // the last one's time.
    const burstEnd = Math.max(ops[i]!.at, frames.at(-1)!.at) + minGapMs;
    let at = ops[i]!.at;
    for (; i < ops.length && ops[i]!.at <= Math.min(burstEnd, to); i++) {
      state = applyOp(state, ops[i]!);
      at = ops[i]!.at;
    }
    const now = shown(state);
    if (now.page === drawn.page && now.view === drawn.view) continue;
    drawn = now;
    await draw(state, Math.max(at, frames.at(-1)!.at + 1));
  }

  const lines = ['ffconcat version 1.0'];
  frames.forEach((f, n) => {
    const until = frames[n + 1]?.at ?? to;
    lines.push(`file '${f.file}'`, `duration ${(Math.max(1, until - f.at) / 1000).toFixed(3)}`);
  });
  // The concat demuxer gives the last picture no duration unless it is listed once more.
  lines.push(`file '${frames.at(-1)!.file}'`);
  const list = path.join(dir, 'board.ffconcat');
  await writeFile(list, `${lines.join('\n')}\n`);
  return { list, frames: frames.length };
}
