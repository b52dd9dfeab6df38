/**
 * The dual-teacher interaction: hands, stage, questions, quizzes and the
 * tutor backchannel. Requests are validated here; views are what each role
 * is sent (classrooms never see other classrooms' private data).
 */
import { z } from 'zod';
import type { QualityLevel } from './quality.ts';
import type { ClassroomReadiness } from './readiness.ts';
import { id } from './media.ts';

export const STAGE_MAX = 4;
/**
 * The most students a classroom counts in a quiz answer: an option's count, and for a one-choice quiz the
 * sum of them (each student chose one), is at most this.
 */
export const CLASS_SIZE_MAX = 200;

const text = (max: number) => z.string().trim().min(1).max(max);

export const interactionSchemas = {
  'hand:raise': z.strictObject({}),
  'hand:lower': z.strictObject({}),
  /** Host: take a hand down without inviting it. */
  'hand:dismiss': z.strictObject({ classroomId: id }),
  /** Host: bring a classroom on stage (its voice and video go to everyone). */
  'stage:invite': z.strictObject({ classroomId: id }),
  /** Host: take a classroom off stage. */
  'stage:remove': z.strictObject({ classroomId: id }),
  /** Classroom: leave the stage. */
  'stage:leave': z.strictObject({}),
  /** Host: mute or unmute an on-stage classroom's microphone for everyone. */
  'stage:mute': z.strictObject({ classroomId: id, muted: z.boolean() }),
  /** The host teacher answers a PC asking to join as a classroom already open elsewhere. */
  'device:admit': z.strictObject({ requestId: id }),
  'device:refuse': z.strictObject({ requestId: id }),
  /** The host teacher takes a classroom's pages out of the lesson; `block` also bars the PC it was on. */
  'page:remove': z.strictObject({ classroomId: id, block: z.boolean() }),
  /** Host: how many classrooms may be on stage at once. */
  'stage:capacity': z.strictObject({ capacity: z.number().int().min(1).max(STAGE_MAX) }),
  'question:ask': z.strictObject({ text: text(300) }),
  'question:vote': z.strictObject({ questionId: id, on: z.boolean() }),
  'question:mark': z.strictObject({
    questionId: id,
    state: z.enum(['open', 'answered', 'pinned', 'dismissed']),
  }),
  'quiz:start': z.strictObject({
    question: text(300),
    kind: z.enum(['single', 'multiple']),
    options: z.array(text(100)).min(2).max(6),
    durationSec: z.number().int().min(10).max(3600).optional(),
  }),
  /** A classroom answers with its choice(s), or with how many students chose each option. */
  'quiz:answer': z
    .strictObject({
      quizId: id,
      choices: z.array(z.number().int().min(0).max(5)).min(1).max(6).optional(),
      counts: z.array(z.number().int().min(0).max(CLASS_SIZE_MAX)).min(2).max(6).optional(),
    })
    .refine((a) => (a.choices === undefined) !== (a.counts === undefined), 'give either choices or counts'),
  'quiz:close': z.strictObject({ quizId: id }),
  'quiz:reveal': z.strictObject({ quizId: id }),
  /** Tutor ↔ host side; the host names the classroom. */
  'chat:send': z.strictObject({ text: text(500), classroomId: id.optional() }),
  'chat:read': z.strictObject({ classroomId: id.optional() }),
  /** Host: one classroom's conversation so far (after a reload of the host console). */
  'chat:history': z.strictObject({ classroomId: id }),
} as const;

export interface StageView {
  classroomId: string;
  name: string;
  muted: boolean;
}

export interface HandView {
  classroomId: string;
  name: string;
  /** ISO 8601. */
  raisedAt: string;
}

export interface QuestionView {
  id: string;
  classroomId: string;
  classroomName: string;
  text: string;
  createdAt: string;
  state: 'open' | 'answered' | 'pinned' | 'dismissed';
  votes: number;
}

export interface QuizView {
  id: string;
  question: string;
  kind: 'single' | 'multiple';
  options: string[];
  startedAt: string;
  closesAt: string | null;
  closed: boolean;
  revealed: boolean;
  /** Students (or classrooms) per option: for the host side always, for classrooms once revealed. */
  tally: number[] | null;
  answeredClassrooms: number;
}

export interface QuizAnswerView {
  quizId: string;
  choices: number[] | null;
  counts: number[] | null;
}

export interface ChatMessageView {
  id: string;
  classroomId: string;
  from: 'host' | 'classroom';
  text: string;
  at: string;
}

/** A PC asking to join as a classroom already open elsewhere: the host teacher admits or refuses it. */
export interface DeviceRequestView {
  requestId: string;
  classroomId: string;
  name: string;
  /** What the PC said it was (e.g. "Windows · Chrome"). */
  label: string;
  /** ISO 8601. */
  at: string;
}

/** A remote classroom as the host's overview grid shows it. */
export interface ClassroomTile {
  classroomId: string;
  name: string;
  connected: boolean;
  cameraProducerId: string | null;
  handRaisedAt: string | null;
  onStage: boolean;
  unread: number;
  /** How well the classroom's media gets through (protocol/quality.ts). */
  quality: QualityLevel;
  /** What its page's self-check found (protocol/readiness.ts); null while no page of it is connected. */
  readiness: ClassroomReadiness | null;
}

/**
 * Everything interactive, as one side sees it: sent on join and after every
 * change. Classrooms get the public view (no tiles, a quiz's tally only once
 * revealed); the host side gets tiles and live tallies.
 */
export interface InteractionState {
  stage: StageView[];
  stageCapacity: number;
  hands: HandView[];
  questions: QuestionView[];
  /** The running or most recent quiz. */
  quiz: QuizView | null;
  /** Host side only: every invited classroom, with its connection, camera, hand, unread count and quality. */
  tiles: ClassroomTile[] | null;
  /** Host side only: how well the host's broadcast gets out. */
  hostQuality: QualityLevel | null;
  /** Host side only: PCs asking to join as a classroom that is already open on another PC. */
  deviceRequests: DeviceRequestView[] | null;
}

/** What only one classroom may see of itself: sent on join; later changes come in acks and chat:message. */
export interface PersonalState {
  classroomId: string;
  votedQuestionIds: string[];
  quizAnswer: QuizAnswerView | null;
  chat: ChatMessageView[];
  /** Until when this classroom has read the host side's messages (ISO 8601), or null. */
  chatReadUntil: string | null;
}
