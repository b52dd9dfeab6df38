/**
 * What the host's courseware upload sends and how its refusals are said: the file's type (from its name when
 * the browser gives none, as it may for PowerPoint files), whether the server converts it first, and the
 * message for each refusal (size, type, a presentation it could not convert and why).
 */
import { coursewareTypes, isPresentationType, presentationTypes } from '@cloudschool/protocol';
import { ApiError } from '#lib/client/api.ts';
import type { MessageKey } from '#lib/i18n/index.ts';

const byExtension: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  ...Object.fromEntries(Object.entries(presentationTypes).map(([type, ext]) => [ext, type])),
};

/** The file picker's `accept`: every type the server takes, and their extensions. */
export const COURSEWARE_ACCEPT = [
  ...coursewareTypes,
  ...Object.keys(presentationTypes),
  ...Object.keys(byExtension).map((ext) => `.${ext}`),
].join(',');

/** The file as it is sent: typed by its name when the browser gave it no type or a generic one. */
export function typedForUpload(file: File): File {
  if (file.type !== '' && file.type !== 'application/octet-stream') return file;
  const ext = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? '';
  const type = byExtension[ext];
  return type ? new File([file], file.name, { type }) : file;
}

/** Whether the server converts this upload (PowerPoint / OpenDocument) before it is courseware. */
export function isPresentation(file: File): boolean {
  return isPresentationType(file.type);
}

/** What to tell the teacher when the upload failed. */
export function uploadRefusalKey(error: unknown): MessageKey {
  if (!(error instanceof ApiError)) return 'board.coursewareFailed';
  const reason = error.details.reason;
  if (error.status === 413) return 'board.coursewareTooLarge';
  if (error.status === 415)
    return reason === 'unavailable' ? 'board.coursewareNoConverter' : 'board.coursewareType';
  if (error.status === 422)
    return reason === 'timeout' ? 'board.coursewareConvertTimeout' : 'board.coursewareCorrupt';
  if (error.status === 429) return 'board.coursewareBusy';
  return 'board.coursewareFailed';
}
