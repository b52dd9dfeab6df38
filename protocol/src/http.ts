/**
 * The HTTP API (JSON over /api) between web/ and signaling/: request schemas
 * validated by the server, response types used by the pages. Errors are
 * `{ error: { code, message, ...details } }` with a matching HTTP status.
 */
import { z } from 'zod';
import type { WallAlertKind } from './wall.ts';
import type { MeasuredLevel, QualityLevel } from './quality.ts';
import type { BoardState } from '@cloudschool/board';
import type { CsvProblemReason } from './errors.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const isoTime = z.iso.datetime({ offset: true });
const entityId = z.string().min(1).max(64);

// ---------------------------------------------------------------- auth
export const loginRequest = z.object({ username: text(64), password: z.string().min(1).max(256) });
export type LoginRequest = z.infer<typeof loginRequest>;

export interface AccountView {
  id: string;
  username: string;
  displayName: string;
  role: 'coordinator' | 'teacher';
  /** A disabled account cannot log in; its sessions were ended when it was disabled. */
  disabled: boolean;
}

const accountRole = z.enum(['coordinator', 'teacher']);
/** A new password, wherever one is set (creation, change, reset). */
export const newPassword = z.string().min(8, 'password: at least 8 characters').max(256);

export const createAccountRequest = z.object({
  username: z.string().regex(/^[A-Za-z0-9_.-]{3,64}$/, 'username: 3–64 letters, digits, . _ -'),
  displayName: text(60),
  role: accountRole,
  password: newPassword,
});
export type CreateAccountRequest = z.infer<typeof createAccountRequest>;

/** PUT /api/accounts/:id (coordinators): the name and the role; the last enabled coordinator keeps its role. */
export const updateAccountRequest = z.object({ displayName: text(60), role: accountRole });
export type UpdateAccountRequest = z.infer<typeof updateAccountRequest>;

/** POST /api/accounts/:id/password (coordinators): a new password; every session of the account ends. */
export const resetPasswordRequest = z.object({ password: newPassword });

/** POST /api/auth/password (anyone logged in): the current password and a new one; other sessions end. */
export const changePasswordRequest = z.object({
  currentPassword: z.string().min(1).max(256),
  newPassword,
});
export type ChangePasswordRequest = z.infer<typeof changePasswordRequest>;

/** The `:id` of /api/accounts/:id/… */
export const accountParams = z.object({ id: entityId });

/** GET /api/accounts/:id/sessions: one login of the account that has not ended. */
export interface SessionView {
  /** ISO 8601, UTC. */
  createdAt: string;
  expiresAt: string;
  /** The client address it logged in from. */
  source: string;
  userAgent: string;
  /** The session of the request that asks. */
  current: boolean;
}

// ---------------------------------------------------------------- roster
export interface SchoolView {
  id: string;
  name: string;
  province: string;
  city: string;
  district: string;
  timeZone: string;
}

export interface ClassroomView {
  id: string;
  schoolId: string;
  name: string;
  kind: 'host' | 'remote';
  notes: string;
  code: string;
}

export const schoolRequest = z.object({
  name: text(100),
  province: text(30),
  city: text(30),
  district: text(30),
  timeZone: z.string().max(64).default('Asia/Shanghai'),
});

export const classroomRequest = z.object({
  schoolId: entityId,
  name: text(60),
  kind: z.enum(['host', 'remote']),
  notes: z.string().trim().max(500).default(''),
});

/** POST /api/classrooms/codes: new codes for these classrooms (their old codes, links and calendar keys stop working). */
export const rotateCodesRequest = z.object({ classroomIds: z.array(entityId).min(1).max(5000) });

export const classroomParams = z.object({ id: entityId });
export const deviceParams = z.object({ id: entityId, deviceId: entityId });

/** POST /api/classrooms/:id/devices: a coordinator admits a PC before it first joins. */
export const approveDeviceRequest = z.object({ label: text(100) });

/** A classroom PC: admitted once, known by the credential its browser keeps. */
export interface DeviceView {
  id: string;
  label: string;
  /** 'first-join' (the classroom's first PC), 'host' (admitted during a lesson) or 'coordinator'. */
  admittedBy: 'first-join' | 'host' | 'coordinator';
  /** ISO 8601, UTC. */
  createdAt: string;
  lastSeenAt: string;
  revokedAt: string | null;
}

/**
 * POST /api/classrooms/:id/devices answers this: open `enrollPath` once on the classroom's PC and its
 * browser keeps the credential (it travels after `#`, so no server or proxy log sees it).
 */
export interface ApprovedDevice {
  device: DeviceView;
  enrollPath: string;
}

/** POST /api/roster/import answers this, or 400 `{ error: { code: 'bad_csv', message, lines } }`. */
export interface ImportResult {
  schoolsCreated: number;
  classroomsCreated: number;
  classroomsUpdated: number;
}

/** The roster CSV's columns, in the template's order; `notes` may be left out. */
export const rosterColumns = [
  'school',
  'province',
  'city',
  'district',
  'classroom',
  'kind',
  'notes',
] as const;
export type RosterColumn = (typeof rosterColumns)[number];

const rosterColumn = z.enum(rosterColumns);
const count = z.number().int().nonnegative();
const lineNumber = z.number().int().positive();
const reason = <R extends CsvProblemReason>(r: R) => z.literal(r);

/** One thing wrong with a line of a roster CSV: a reason (errors.ts) and the values its sentence needs. */
export const csvProblem = z.discriminatedUnion('reason', [
  z.object({ reason: reason('empty_file') }),
  z.object({ reason: reason('unclosed_quote') }),
  z.object({ reason: reason('bad_quote') }),
  z.object({ reason: reason('unreadable') }),
  z.object({ reason: reason('missing_column'), column: rosterColumn }),
  z.object({ reason: reason('too_many_rows'), limit: count }),
  z.object({ reason: reason('too_many_fields'), count, limit: count }),
  z.object({ reason: reason('empty_value'), column: rosterColumn }),
  z.object({ reason: reason('too_long'), column: rosterColumn, limit: count }),
  z.object({ reason: reason('unknown_kind'), value: z.string().max(100) }),
  z.object({ reason: reason('duplicate'), firstLine: lineNumber }),
]);
export type CsvProblem = z.infer<typeof csvProblem>;

/** A refused line of a roster CSV, in `lines` of a 400 bad_csv. */
export const csvLineError = z.object({
  /** Where the refused record (or the header) starts in the file, from 1. */
  line: lineNumber,
  problems: z.array(csvProblem).min(1),
  /** The problems in English, for logs and API users; pages put `problems` into words. */
  message: z.string(),
});
export type CsvLineError = z.infer<typeof csvLineError>;

// ---------------------------------------------------------------- lessons
export type LessonStatusView = 'scheduled' | 'open' | 'live' | 'ended' | 'cancelled';

export interface LessonView {
  id: string;
  title: string;
  subject: string;
  grade: string;
  hostClassroomId: string;
  hostTeacherId: string;
  /** ISO 8601, UTC. */
  startsAt: string;
  endsAt: string;
  invitedClassroomIds: string[];
  seriesId: string | null;
  status: LessonStatusView;
  /** The host school's time zone, in which pages show the times. */
  timeZone: string;
  hostClassroomName: string;
  hostSchoolName: string;
  hostTeacherName: string;
  /** Recording starts by itself when the host teacher broadcasts (set by a coordinator). */
  recordAutomatically: boolean;
}

/** Which classrooms a lesson invites: the union of everything named, or all remote classrooms. */
export const invitationRequest = z.object({
  all: z.boolean().default(false),
  classroomIds: z.array(entityId).max(5000).default([]),
  schoolIds: z.array(entityId).max(1000).default([]),
  cities: z.array(text(30)).max(200).default([]),
  provinces: z.array(text(30)).max(50).default([]),
});

export const lessonRequest = z.object({
  title: text(100),
  subject: text(30),
  grade: text(30),
  hostClassroomId: entityId,
  hostTeacherId: entityId,
  startsAt: isoTime,
  endsAt: isoTime,
  invite: invitationRequest,
  /** Weekly on the same weekday and time until this date (inclusive, ISO date in the host school's zone). */
  repeatWeeklyUntil: z.iso.date().optional(),
  /** Record the lesson from when the host teacher broadcasts, without anyone pressing 录制 (absent: unchanged, or no). */
  recordAutomatically: z.boolean().optional(),
});
export type LessonRequest = z.input<typeof lessonRequest>;

/** 409 `{ error: { code: 'conflict', message, conflicts } }` when a classroom is already booked. */
export interface BookingConflict {
  classroomId: string;
  classroomName: string;
  schoolName: string;
  lessonId: string;
  lessonTitle: string;
  startsAt: string;
  endsAt: string;
}

export interface JoinLink {
  classroomId: string;
  classroomName: string;
  schoolName: string;
  code: string;
  /** Absolute URL that opens the classroom page with its signed token. */
  url: string;
  /** GET: SVG QR code of `url`. */
  qrUrl: string;
  /** iCal feed of this classroom's lessons. */
  calendarUrl: string;
}

export interface LiveLessonView {
  lesson: LessonView;
  invited: number;
  connected: number;
  /**
   * Invited classrooms by how well their media gets through now (protocol/quality.ts), when the node
   * answering runs the lesson; null otherwise.
   */
  quality: Record<QualityLevel, number> | null;
}

export interface ReportRow {
  classroomId: string;
  classroomName: string;
  schoolName: string;
  firstJoinAt: string | null;
  lastLeaveAt: string | null;
  minutesPresent: number;
  attendance: 'on_time' | 'late' | 'absent';
  /** Minutes (tenths) its media got through at each level while it was connected. */
  qualityMinutes: Record<MeasuredLevel, number>;
}

/** What the lesson's classrooms asked, with the teacher's handling and the votes. */
export interface ReportQuestion {
  classroomName: string;
  text: string;
  state: 'open' | 'answered' | 'pinned' | 'dismissed';
  votes: number;
  askedAt: string;
}

/** A quiz and its students per option, summed over the answering classrooms. */
export interface ReportQuiz {
  question: string;
  options: string[];
  tally: number[];
  answeredClassrooms: number;
  startedAt: string;
}

/**
 * The lesson's S-T analysis (S-T 分析法, signaling/src/domain/stAnalysis.ts): a sample every `intervalSeconds`
 * coded T (teacher) or S (students), Rt = T / N, Ch = (runs − 1) / N, and the lesson's type. Null before
 * the lesson started or while it is shorter than one interval.
 */
export interface StReport {
  intervalSeconds: number;
  /** One letter per sample, in order: 'T' or 'S'. */
  samples: string;
  n: number;
  t: number;
  runs: number;
  rt: number;
  ch: number;
  /** 练习型 / 讲授型 / 对话型 / 混合型. */
  kind: 'practice' | 'lecture' | 'dialogue' | 'mixed';
  /** The S-T curve: after n samples, t of them T (S = n − t). */
  curve: { n: number; t: number }[];
  /** Events of each kind the samples were coded from. */
  evidence: Record<string, number>;
  /** Behaviours the method counts that the platform does not record (the analysis infers T without them). */
  notRecorded: string[];
  /** False when early board operations lost their times in a snapshot (their board work is not seen). */
  boardComplete: boolean;
}

/** GET /api/lessons/:id/report?st_interval=<seconds>: the S-T sampling interval, 30 s by default. */
export const reportQuery = z.object({ st_interval: z.coerce.number().int().min(5).max(600).default(30) });

/** An alert the wall raised during the lesson (protocol/wall.ts), oldest first. */
export interface ReportAlert {
  kind: WallAlertKind;
  /** The classroom's school and name; null for the lesson's own (host, recording). */
  classroomName: string | null;
  since: string;
  /** Null while it holds, or if the lesson ended first. */
  endedAt: string | null;
}

export interface LessonReport {
  lesson: LessonView;
  rows: ReportRow[];
  questions: ReportQuestion[];
  quizzes: ReportQuiz[];
  st: StReport | null;
  alerts: ReportAlert[];
}

/** GET /api/lessons/:id/board (a coordinator, or the lesson's host teacher): the board as the reducer has it. */
export interface LessonBoard {
  /** seq 0: nothing was ever put on it. */
  board: BoardState;
}

// ---------------------------------------------------------------- classroom entry
export const joinByCodeRequest = z.object({
  code: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9]{6}$/),
});

export interface JoinByCodeResult {
  lessonId: string;
  token: string;
}

/**
 * POST /api/join/code/recordings: a classroom's recorded lessons of the last RECORDED_LESSONS_DAYS days,
 * newest first, each with the link (token) its replay opens with.
 */
export interface ClassroomRecordedLessons {
  lessons: { lessonId: string; title: string; startsAt: string; token: string }[];
}
export const RECORDED_LESSONS_DAYS = 30;

export const listLessonsQuery = z.object({ from: isoTime, to: isoTime });
/** The `:id` of /api/lessons/:id/… */
export const lessonParams = z.object({ id: entityId });
