import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  coursewareTypes,
  isPresentationType,
  lessonId as lessonIdSchema,
  presentationTypes,
  uploadMaxBytes,
} from '@cloudschool/protocol';
import { coursewareFileId } from '@cloudschool/board';
import type { CoursewareFile, CoursewareType, PresentationType } from '@cloudschool/protocol';
import { ConversionError } from './SlideConverter.ts';
import type { SlideConverter } from './SlideConverter.ts';

/** Longest signature `sniff` looks at. */
const SNIFF_BYTES = 8;
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const PDF = [...'%PDF-'].map((c) => c.charCodeAt(0));
const PART = '.part';

/** The file type its first bytes say, whatever its name or the request's header claim. */
export function sniff(head: Uint8Array): CoursewareType | null {
  const startsWith = (signature: number[]): boolean => signature.every((byte, i) => head[i] === byte);
  if (startsWith(PDF)) return 'application/pdf';
  if (startsWith(PNG)) return 'image/png';
  if (startsWith(JPEG)) return 'image/jpeg';
  return null;
}

function isCoursewareType(type: string): type is CoursewareType {
  return (coursewareTypes as readonly string[]).includes(type);
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/** An upload larger than its type allows (uploadMaxBytes). */
export class CoursewareTooLargeError extends Error {
  override name = 'CoursewareTooLargeError';
}

/** An upload that is not a PDF, PNG or JPEG, or not the type it was declared as. */
export class CoursewareTypeError extends Error {
  override name = 'CoursewareTypeError';
}

/**
 * Courseware files (the host's slides) on this node's disk: `<dir>/<lessonId>/<fileId>`, `dir` being
 * DATA_DIR/courseware — with Redis too, so nodes that share a lesson need a shared DATA_DIR. Files are
 * written to `<fileId>.part` and renamed when complete and checked, so a file id names a whole file.
 * Their type is read from their first bytes, when stored and when served.
 */
export class Courseware {
  readonly #dir: string;
  readonly #converter: SlideConverter | null;

  /** Without a converter, presentations are refused as `unavailable`. */
  constructor(dir: string, converter: SlideConverter | null = null) {
    this.#dir = path.resolve(dir);
    this.#converter = converter;
  }

  /**
   * Stores a file from a stream. Refuses (and keeps nothing) a body larger than its type allows (uploadMaxBytes), or
   * whose content is not the `declared` type; the content is checked as soon as its first bytes arrive.
   * A presentation (PowerPoint, OpenDocument) is converted to PDF and only the PDF is kept; one that cannot
   * be converted leaves nothing behind (ConversionError). The body is left as it is on a refusal (paused,
   * not destroyed).
   */
  async save(lessonId: string, body: Readable, declared: string): Promise<CoursewareFile> {
    const presentation = isPresentationType(declared) ? declared : null;
    if (!isCoursewareType(declared) && !presentation) {
      throw new CoursewareTypeError(
        `courseware is ${[...coursewareTypes, ...Object.keys(presentationTypes)].join(', ')}: not ${declared || 'untyped'}`,
      );
    }
    if (presentation && !this.#converter) {
      throw new ConversionError('unavailable', 'this server converts no presentations');
    }
    const dir = this.#lessonDir(lessonId);
    await mkdir(dir, { recursive: true });
    const fileId = randomUUID();
    const part = path.join(dir, fileId + PART);
    const pdfPart = path.join(dir, fileId + '.pdf' + PART);
    const check = (head: Uint8Array): void => {
      if (presentation) {
        if (!looksLikePresentation(head, presentation)) {
          throw new CoursewareTypeError(`the content is not a ${presentationTypes[presentation]} file`);
        }
        return;
      }
      const type = sniff(head);
      if (type === null) throw new CoursewareTypeError('the content is not a PDF, PNG or JPEG file');
      if (type !== declared) throw new CoursewareTypeError(`the content is ${type}, not ${declared}`);
    };
    try {
      let bytes = await receive(body, part, uploadMaxBytes(declared), check);
      if (presentation) {
        await this.#converter!.convert(part, presentation, pdfPart);
        await rm(part);
        await rename(pdfPart, part);
        bytes = (await stat(part)).size;
      }
      await rename(part, path.join(dir, fileId));
      return { fileId, type: presentation ? 'application/pdf' : (declared as CoursewareType), bytes };
    } catch (error) {
      await Promise.all([rm(part, { force: true }), rm(pdfPart, { force: true })]);
      throw error;
    }
  }

  /** A stored file's path, type and size; undefined if the lesson has no such file. */
  async find(lessonId: string, fileId: string): Promise<(CoursewareFile & { path: string }) | undefined> {
    if (!coursewareFileId.safeParse(fileId).success) return undefined;
    const file = path.join(this.#lessonDir(lessonId), fileId);
    try {
      const [info, type] = await Promise.all([stat(file), typeOf(file)]);
      if (!info.isFile() || type === null) return undefined;
      return { fileId, type, bytes: info.size, path: file };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async has(lessonId: string, fileId: string): Promise<boolean> {
    return (await this.find(lessonId, fileId)) !== undefined;
  }

  /** The lesson's files, by id. */
  async list(lessonId: string): Promise<CoursewareFile[]> {
    let names: string[];
    try {
      names = await readdir(this.#lessonDir(lessonId));
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const files = await Promise.all(names.sort().map((name) => this.find(lessonId, name)));
    return files.flatMap((f) => (f ? [{ fileId: f.fileId, type: f.type, bytes: f.bytes }] : []));
  }

  #lessonDir(lessonId: string): string {
    // Lesson ids are checked like the protocol's, so no id can leave the courseware directory.
    return path.join(this.#dir, lessonIdSchema.parse(lessonId));
  }
}

async function typeOf(file: string): Promise<CoursewareType | null> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(head, 0, SNIFF_BYTES, 0);
    return sniff(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
}

/**
 * Writes `body` to `file` (created, never overwritten), checking its first bytes with `check` as soon as they
 * arrive and its size (at most `maxBytes`) as it goes; returns the size. On a refusal the body is unpiped, not destroyed (the caller
 * reads the rest and answers); `file` may be left partly written for the caller to remove.
 */
async function receive(
  body: Readable,
  file: string,
  maxBytes: number,
  check: (head: Uint8Array) => void,
): Promise<number> {
  let bytes = 0;
  let head = Buffer.alloc(0);
  let checked = false;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        done(new CoursewareTooLargeError(`this upload is at most ${maxBytes / 2 ** 20} MB`));
        return;
      }
      try {
        if (head.length < SNIFF_BYTES) {
          head = Buffer.concat([head, chunk]).subarray(0, SNIFF_BYTES);
          if (head.length === SNIFF_BYTES) {
            check(head);
            checked = true;
          }
        }
      } catch (error) {
        done(asError(error));
        return;
      }
      done(null, chunk);
    },
    flush(done) {
      try {
        if (!checked) check(head);
        done();
      } catch (error) {
        done(asError(error));
      }
    },
  });
  // The body is piped, not part of the pipeline: a refused upload must not destroy it. A body that stops
  // before its end fails the upload.
  const aborted = (): void => {
    if (!body.readableEnded) guard.destroy(new Error('the upload was interrupted'));
  };
  body.once('close', aborted);
  body.once('error', aborted);
  body.pipe(guard);
  try {
    await pipeline(guard, createWriteStream(file, { flags: 'wx' }));
    return bytes;
  } catch (error) {
    body.unpipe(guard);
    throw error;
  } finally {
    body.off('close', aborted);
    body.off('error', aborted);
  }
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

/** pptx and odp are ZIP archives, ppt an OLE compound file: whether LibreOffice can open them is its to say. */
function looksLikePresentation(head: Uint8Array, type: PresentationType): boolean {
  const signature = presentationTypes[type] === 'ppt' ? OLE : ZIP;
  return signature.every((byte, i) => head[i] === byte);
}
