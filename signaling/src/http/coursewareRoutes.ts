import express from 'express';
import type { Request, Response } from 'express';
import type { JoinTokens } from '../auth/JoinTokens.ts';
import { CoursewareTooLargeError, CoursewareTypeError } from '../board/Courseware.ts';
import { ConversionError } from '../board/SlideConverter.ts';
import type { ConversionFailure } from '@cloudschool/protocol';
import type { Courseware } from '../board/Courseware.ts';
import type { Lesson } from '../domain/types.ts';
import { AppError } from '../errors.ts';
import { PRESENTATION_MAX_BYTES, uploadMaxBytes } from '@cloudschool/protocol';
import type { LessonStore, RosterStore } from '../store/Store.ts';
import { readableLesson } from './lessonReaders.ts';
import { requireAccount } from './middleware.ts';

export interface CoursewareRouteDeps {
  store: LessonStore & RosterStore;
  tokens: JoinTokens;
  courseware: Courseware;
}

/**
 * What a refused upload may still send before its connection is closed: the rest of the body is read
 * and dropped, so that the client gets the answer instead of a reset connection (a presentation just over
 * its limit included).
 */
const DRAIN_MAX_BYTES = PRESENTATION_MAX_BYTES + 4 * 1024 * 1024;

/**
 * Courseware (the host's slides: PDF, PNG, JPEG up to 20 MB), stored as sent and served back; the
 * browsers render it (pdf.js). PowerPoint and OpenDocument presentations (up to 60 MB) are converted to PDF on
 * upload (LibreOffice), the answer coming once the PDF is stored; a refused conversion says why in `reason`. Upload: the lesson's host teacher. Download: the host teacher,
 * coordinators, and classrooms with their join token as `?t=` (classrooms have no login).
 */
export function coursewareRoutes(deps: CoursewareRouteDeps): express.Router {
  const { store, tokens, courseware } = deps;
  const router = express.Router();

  const lessonOf = async (req: Request): Promise<Lesson> => {
    const lesson = await store.getLesson(String(req.params.id));
    if (!lesson) throw new AppError('not_found', 'no such lesson');
    return lesson;
  };

  /** The lesson, if this request may read its courseware. */
  const readable = (req: Request, res: Response): Promise<Lesson> => readableLesson(req, res, store, tokens);

  router.post('/api/lessons/:id/courseware', async (req, res) => {
    const account = requireAccount(res, 'teacher');
    const lesson = await lessonOf(req);
    if (lesson.hostTeacherId !== account.id)
      throw new AppError('forbidden', 'you are not this lesson’s host teacher');
    const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const declaredLength = Number(req.get('content-length') ?? 0);
    if (declaredLength > uploadMaxBytes(type)) {
      refuse(req, res, 413, `this upload is at most ${uploadMaxBytes(type) / 2 ** 20} MB`);
      return;
    }
    try {
      res.status(201).json(await courseware.save(lesson.id, req, type));
    } catch (error) {
      if (error instanceof CoursewareTooLargeError) refuse(req, res, 413, error.message);
      else if (error instanceof CoursewareTypeError) refuse(req, res, 415, error.message);
      else if (error instanceof ConversionError) {
        refuse(req, res, CONVERSION_STATUS[error.reason], error.message, { reason: error.reason });
      } else throw error;
    }
  });

  router.get('/api/lessons/:id/courseware', async (req, res) => {
    const lesson = await readable(req, res);
    res.json({ files: await courseware.list(lesson.id) });
  });

  router.get('/api/lessons/:id/courseware/:fileId', async (req, res) => {
    const lesson = await readable(req, res);
    const file = await courseware.find(lesson.id, String(req.params.fileId));
    if (!file) throw new AppError('not_found', 'no such courseware file');
    // Range requests (pdf.js loads big PDFs in parts) and ETags come with sendFile.
    res.sendFile(file.path, {
      headers: {
        'Content-Type': file.type,
        'Cache-Control': 'private, max-age=86400, immutable',
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });

  return router;
}

/** How a refused conversion is answered: its `reason` goes with it, for the page to say in its words. */
const CONVERSION_STATUS: Record<ConversionFailure, 415 | 422 | 429> = {
  unreadable: 422,
  timeout: 422,
  busy: 429,
  // This server has no LibreOffice: it takes no presentations, as it takes no other type it cannot read.
  unavailable: 415,
};

/**
 * Answers a refused upload once the client has sent it all (reading and dropping the rest, up to
 * DRAIN_MAX_BYTES, beyond which the connection is closed).
 */
function refuse(
  req: Request,
  res: Response,
  status: 413 | 415 | 422 | 429,
  message: string,
  details: { reason?: ConversionFailure } = {},
): void {
  const answer = (): void => {
    if (res.headersSent) return;
    const code = status === 429 ? 'rate_limited' : 'bad_request';
    if (status === 429) res.set('Retry-After', '30');
    res
      .status(status)
      .set('Connection', 'close')
      .json({ error: { code, message, ...details } });
  };
  if (req.readableEnded) {
    answer();
    return;
  }
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_MAX_BYTES) req.destroy();
  });
  req.once('end', answer);
  req.resume();
}
