/**
 * The typed HTTP client of signaling's JSON API (`/api`, same origin, the
 * session cookie travels by itself). One function per endpoint; every failure
 * is an ApiError carrying the server's `{ error: { code, message, ...details } }`.
 * Request and response shapes come from the protocol module, so a change on
 * the server side is a type error here.
 */
import type {
  AccountView,
  AuditPage,
  AuditQuery,
  BookingConflict,
  ClassroomView,
  CoursewareFile,
  ErrorCode,
  ImportResult,
  JoinByCodeResult,
  JoinLink,
  LessonBoard,
  LessonReport,
  ClassroomRecordedLessons,
  LessonView,
  LiveLessonView,
  SchoolView,
  SessionView,
  UsageQuery,
  UsageReport,
} from '@cloudschool/protocol';
import type { BoardState } from '@cloudschool/board';
import type { z } from 'zod';
import type {
  ChangePasswordRequest,
  classroomRequest,
  createAccountRequest,
  LessonRequest,
  LoginRequest,
  schoolRequest,
  UpdateAccountRequest,
} from '@cloudschool/protocol';

export type SchoolRequest = z.input<typeof schoolRequest>;
export type ClassroomRequest = z.input<typeof classroomRequest>;
export type CreateAccountRequest = z.input<typeof createAccountRequest>;
/** A lesson edit: the same fields, one lesson (no weekly repeat). */
export type LessonUpdate = Omit<LessonRequest, 'repeatWeeklyUntil'>;

/** The server's codes, plus `network` (no answer at all) and `bad_response` (an answer that is not the API's). */
export type ApiErrorCode = ErrorCode | 'network' | 'bad_response';

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  /** Everything in the error body besides code and message (`conflicts`, `lines`, …). */
  readonly details: Readonly<Record<string, unknown>>;
  /** The HTTP status; 0 when no answer came back. */
  readonly status: number;

  constructor(code: ApiErrorCode, message: string, details: Record<string, unknown> = {}, status = 0) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
    this.status = status;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The booked lessons that a 409 conflict names. */
export function conflictsOf(error: ApiError): BookingConflict[] {
  const list = error.details.conflicts;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (item): item is BookingConflict =>
      isRecord(item) &&
      typeof item.classroomId === 'string' &&
      typeof item.lessonId === 'string' &&
      typeof item.startsAt === 'string' &&
      typeof item.endsAt === 'string',
  );
}

// ---------------------------------------------------------------- transport

type Fetch = typeof fetch;

interface Call {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is with this content type. */
  text?: { body: string; type: string };
  /** A file, sent as is with its content type. */
  blob?: Blob;
  /** The load function's fetch, or the global one. */
  fetch?: Fetch | undefined;
  /** A 401 here is an answer, not an expired session (login, who-am-I). */
  expect401?: boolean;
}

let sessionExpired: (() => void) | null = null;

/**
 * Called when a request of a logged-in page comes back 401 unauthenticated
 * (the session ran out). The console layouts send the person to the login
 * page. Returns the function that removes the handler.
 */
export function onSessionExpired(handler: () => void): () => void {
  sessionExpired = handler;
  return () => {
    if (sessionExpired === handler) sessionExpired = null;
  };
}

function errorFrom(status: number, body: unknown): ApiError {
  const error = isRecord(body) ? body.error : undefined;
  if (isRecord(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    const { code, message, ...details } = error;
    // The code list is the server's; an unknown code still carries its message.
    return new ApiError(code as ErrorCode, message, details, status);
  }
  return new ApiError('bad_response', `HTTP ${status}`, {}, status);
}

/** One API request: JSON back, or an ApiError. Endpoint modules beside this one build on it. */
export async function call<T>(path: string, options: Call = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: string | Blob | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.text) {
    headers['content-type'] = options.text.type;
    body = options.text.body;
  } else if (options.blob) {
    headers['content-type'] = options.blob.type;
    body = options.blob;
  }
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(path, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      credentials: 'same-origin',
    });
  } catch (error) {
    throw new ApiError('network', error instanceof Error ? error.message : String(error));
  }
  if (response.status === 204) return undefined as T;
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    throw new ApiError(
      response.ok ? 'bad_response' : 'internal',
      `HTTP ${response.status}`,
      {},
      response.status,
    );
  }
  if (!response.ok) {
    const error = errorFrom(response.status, parsed);
    if (error.code === 'unauthenticated' && !options.expect401) sessionExpired?.();
    throw error;
  }
  // Our own server's answer, typed by the protocol module it is built from.
  return parsed as T;
}

const enc = encodeURIComponent;

// ---------------------------------------------------------------- auth

export async function login(request: LoginRequest): Promise<AccountView> {
  const { account } = await call<{ account: AccountView }>('/api/auth/login', {
    json: request,
    expect401: true,
  });
  return account;
}

export async function logout(): Promise<void> {
  await call<void>('/api/auth/logout', { method: 'POST', expect401: true });
}

/** The logged-in account; ApiError `unauthenticated` (401) when nobody is. */
export async function me(fetchFn?: Fetch): Promise<AccountView> {
  const { account } = await call<{ account: AccountView }>('/api/auth/me', {
    fetch: fetchFn,
    expect401: true,
  });
  return account;
}

// ---------------------------------------------------------------- roster (coordinator)

export async function listSchools(fetchFn?: Fetch): Promise<SchoolView[]> {
  return (await call<{ schools: SchoolView[] }>('/api/schools', { fetch: fetchFn })).schools;
}

export async function createSchool(request: SchoolRequest): Promise<SchoolView> {
  return (await call<{ school: SchoolView }>('/api/schools', { json: request })).school;
}

export async function listClassrooms(fetchFn?: Fetch): Promise<ClassroomView[]> {
  return (await call<{ classrooms: ClassroomView[] }>('/api/classrooms', { fetch: fetchFn })).classrooms;
}

export async function createClassroom(request: ClassroomRequest): Promise<ClassroomView> {
  return (await call<{ classroom: ClassroomView }>('/api/classrooms', { json: request })).classroom;
}

export async function updateClassroom(id: string, request: ClassroomRequest): Promise<ClassroomView> {
  const path = `/api/classrooms/${enc(id)}`;
  return (await call<{ classroom: ClassroomView }>(path, { method: 'PUT', json: request })).classroom;
}

/** The CSV text as is; ApiError `bad_csv` with the refused lines in `details.lines` when any line is refused (nothing imported). */
export async function importRoster(csv: string): Promise<ImportResult> {
  return call<ImportResult>('/api/roster/import', { text: { body: csv, type: 'text/csv; charset=utf-8' } });
}

/** A download link, not a fetch: the browser saves the file. */
export const rosterExportUrl = '/api/roster/export';

export async function listAccounts(fetchFn?: Fetch): Promise<AccountView[]> {
  return (await call<{ accounts: AccountView[] }>('/api/accounts', { fetch: fetchFn })).accounts;
}

export async function createAccount(request: CreateAccountRequest): Promise<AccountView> {
  return (await call<{ account: AccountView }>('/api/accounts', { json: request })).account;
}

/** Name and role; ApiError `last_coordinator` when it would demote the last enabled coordinator. */
export async function updateAccount(id: string, request: UpdateAccountRequest): Promise<AccountView> {
  const path = `/api/accounts/${enc(id)}`;
  return (await call<{ account: AccountView }>(path, { method: 'PUT', json: request })).account;
}

/** A new password set by a coordinator: every session of the account ends. */
export async function resetAccountPassword(id: string, password: string): Promise<AccountView> {
  const path = `/api/accounts/${enc(id)}/password`;
  return (await call<{ account: AccountView }>(path, { json: { password } })).account;
}

/** Disabled: it cannot log in, its sessions end; ApiError `last_coordinator` for the last coordinator. */
export async function setAccountDisabled(id: string, disabled: boolean): Promise<AccountView> {
  const path = `/api/accounts/${enc(id)}/${disabled ? 'disable' : 'enable'}`;
  return (await call<{ account: AccountView }>(path, { method: 'POST' })).account;
}

/** The account's sessions that have not ended, oldest first. */
export async function accountSessions(id: string, fetchFn?: Fetch): Promise<SessionView[]> {
  const path = `/api/accounts/${enc(id)}/sessions`;
  return (await call<{ sessions: SessionView[] }>(path, { fetch: fetchFn })).sessions;
}

/** Ends every session of the account; answers how many there were. */
export async function endAccountSessions(id: string): Promise<number> {
  const path = `/api/accounts/${enc(id)}/sessions/revoke`;
  return (await call<{ ended: number }>(path, { method: 'POST' })).ended;
}

/** One's own password; ApiError `invalid_credentials` when the current one is wrong. Other sessions end. */
export async function changePassword(request: ChangePasswordRequest): Promise<void> {
  await call<void>('/api/auth/password', { json: request });
}

// ---------------------------------------------------------------- audit log (coordinator)

function auditSearch(query: AuditQuery): URLSearchParams {
  const search = new URLSearchParams({ from: query.from, to: query.to });
  if (query.kind) search.set('kind', query.kind);
  if (query.cursor) search.set('cursor', query.cursor);
  if (query.limit !== undefined) search.set('limit', String(query.limit));
  return search;
}

/** A page of the audit log, newest first; `next` is the cursor of the following page. */
export async function auditPage(query: AuditQuery, fetchFn?: Fetch): Promise<AuditPage> {
  return call<AuditPage>(`/api/audit?${auditSearch(query)}`, { fetch: fetchFn });
}

/** A download link: the whole range (and kind) as CSV. */
export function auditCsvUrl(query: Omit<AuditQuery, 'cursor' | 'limit'>): string {
  return `/api/audit.csv?${auditSearch(query)}`;
}

// ---------------------------------------------------------------- usage over time (coordinator)

function usageSearch(query: UsageQuery): URLSearchParams {
  const search = new URLSearchParams({ from: query.from, to: query.to });
  if (query.group) search.set('group', query.group);
  if (query.period) search.set('period', query.period);
  return search;
}

export async function usageReport(query: UsageQuery, fetchFn?: Fetch): Promise<UsageReport> {
  return call<UsageReport>(`/api/usage?${usageSearch(query)}`, { fetch: fetchFn });
}

/** A download link: the same rows as CSV (Chinese headers, UTF-8 with a BOM). */
export function usageCsvUrl(query: UsageQuery): string {
  return `/api/usage.csv?${usageSearch(query)}`;
}

// ---------------------------------------------------------------- lessons

/** Lessons that start in [from, to): all of them for a coordinator, their own for a teacher. */
export async function listLessons(from: string, to: string, fetchFn?: Fetch): Promise<LessonView[]> {
  const query = new URLSearchParams({ from, to });
  return (await call<{ lessons: LessonView[] }>(`/api/lessons?${query}`, { fetch: fetchFn })).lessons;
}

/** One lesson, or a weekly series with `repeatWeeklyUntil`; ApiError `conflict` with `conflictsOf()`. */
export async function createLesson(request: LessonRequest): Promise<LessonView[]> {
  return (await call<{ lessons: LessonView[] }>('/api/lessons', { json: request })).lessons;
}

export async function getLesson(id: string, fetchFn?: Fetch): Promise<LessonView> {
  return (await call<{ lesson: LessonView }>(`/api/lessons/${enc(id)}`, { fetch: fetchFn })).lesson;
}

export async function updateLesson(id: string, request: LessonUpdate): Promise<LessonView> {
  const path = `/api/lessons/${enc(id)}`;
  return (await call<{ lesson: LessonView }>(path, { method: 'PUT', json: request })).lesson;
}

export async function cancelLesson(id: string): Promise<LessonView> {
  return (await call<{ lesson: LessonView }>(`/api/lessons/${enc(id)}/cancel`, { method: 'POST' })).lesson;
}

export async function lessonLinks(id: string, fetchFn?: Fetch): Promise<JoinLink[]> {
  return (await call<{ links: JoinLink[] }>(`/api/lessons/${enc(id)}/links`, { fetch: fetchFn })).links;
}

export async function liveLessons(fetchFn?: Fetch): Promise<LiveLessonView[]> {
  return (await call<{ lessons: LiveLessonView[] }>('/api/live', { fetch: fetchFn })).lessons;
}

export async function lessonReport(id: string, fetchFn?: Fetch): Promise<LessonReport> {
  return call<LessonReport>(`/api/lessons/${enc(id)}/report`, { fetch: fetchFn });
}

/** The lesson's board (any status; seq 0 when nothing was ever put on it), for the report's export. */
export async function lessonBoard(id: string, fetchFn?: Fetch): Promise<BoardState> {
  return (await call<LessonBoard>(`/api/lessons/${enc(id)}/board`, { fetch: fetchFn })).board;
}

export function reportCsvUrl(id: string): string {
  return `/api/lessons/${enc(id)}/report.csv`;
}

// ---------------------------------------------------------------- teacher

export async function teacherToday(fetchFn?: Fetch): Promise<LessonView[]> {
  return (await call<{ lessons: LessonView[] }>('/api/teacher/today', { fetch: fetchFn })).lessons;
}

/** ApiError `outside_window` (403) when it is too early or too late. */
export async function startLesson(id: string): Promise<LessonView> {
  return (await call<{ lesson: LessonView }>(`/api/lessons/${enc(id)}/start`, { method: 'POST' })).lesson;
}

export async function endLesson(id: string): Promise<LessonView> {
  return (await call<{ lesson: LessonView }>(`/api/lessons/${enc(id)}/end`, { method: 'POST' })).lesson;
}

// ---------------------------------------------------------------- courseware (the whiteboard's slides)

/**
 * The host teacher uploads a PDF, PNG, JPEG (≤ 20 MB) or presentation (≤ 60 MB; it answers once converted to
 * PDF); refusals come back as ApiError, a conversion's with its `reason` in details (coursewareUpload.ts).
 */
export async function uploadCourseware(lessonId: string, file: Blob): Promise<CoursewareFile> {
  return call<CoursewareFile>(`/api/lessons/${enc(lessonId)}/courseware`, { method: 'POST', blob: file });
}

/** Where a courseware file is read: by the session (host, coordinator) or, for a classroom, its join token. */
export function coursewareUrl(lessonId: string, fileId: string, token: string | null = null): string {
  const path = `/api/lessons/${enc(lessonId)}/courseware/${enc(fileId)}`;
  return token ? `${path}?${new URLSearchParams({ t: token })}` : path;
}

// ---------------------------------------------------------------- classroom

/** ApiError `not_found` when the classroom has no lesson today. */
export async function joinByCode(code: string): Promise<JoinByCodeResult> {
  return call<JoinByCodeResult>('/api/join/code', { json: { code } });
}

/** A classroom's recorded lessons of the last weeks, by its code, each with the link its replay opens with. */
export async function recordedLessonsByCode(code: string): Promise<ClassroomRecordedLessons> {
  return call<ClassroomRecordedLessons>('/api/join/code/recordings', { json: { code } });
}
