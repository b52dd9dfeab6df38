/**
 * One quality level from everything known of a page's media (pure): what the page measured (loss, jitter,
 * round trip, available bitrate, received resolution and frame rate, freezes, audio concealment) and what
 * the server sees (mediasoup's 0–10 scores of the streams it sends the page and receives from it). The
 * level is the worst of its parts — sound first: a lesson with a small picture goes on, one without sound
 * does not.
 */
import type {
  MediaKind,
  MeasuredLevel,
  QualityHint,
  QualityReport,
  QualityVerdict,
} from '@cloudschool/protocol';

const RANK: Record<MeasuredLevel, number> = { good: 0, fair: 1, poor: 2, bad: 3 };
const LEVELS: readonly MeasuredLevel[] = ['good', 'fair', 'poor', 'bad'];

/** The level a value earns against thresholds for fair, poor and bad (higher is worse). */
function above(value: number, fair: number, poor: number, bad: number): MeasuredLevel {
  return value >= bad ? 'bad' : value >= poor ? 'poor' : value >= fair ? 'fair' : 'good';
}

/** The level a value earns against thresholds for fair, poor and bad (lower is worse). */
function below(value: number, fair: number, poor: number, bad: number): MeasuredLevel {
  return value < bad ? 'bad' : value < poor ? 'poor' : value < fair ? 'fair' : 'good';
}

const worst = (levels: MeasuredLevel[]): MeasuredLevel =>
  LEVELS[Math.max(0, ...levels.map((l) => RANK[l]))] ?? 'good';

export interface QualityInputs {
  report: QualityReport | null;
  /**
   * What the server sent the page all through the report's interval: a kind sent and not received is
   * judged bad (a page whose media never arrived has no stream to report on).
   */
  expected: Record<MediaKind, boolean>;
  /** The lowest score of the streams the server sends this page (consumers), 0–10. */
  receiveScore: number | null;
  /** The score of the streams the server receives from this page (its producers), 0–10. */
  sendScore: number | null;
}

type Received = NonNullable<QualityReport['received']>;

/** A page that reported receiving nothing at all. */
const NOTHING: Received = { video: null, audio: null, rttMs: null, availableKbps: null };

/**
 * What a page receives, judged: the sound (loss concealed, loss), the picture (frame rate, freezes,
 * resolution), the link (round trip, the server's score). A kind sent all through the interval and not
 * received is bad.
 */
function received(r: Received, expected: QualityInputs['expected'], score: number | null, interval: number) {
  const sound: MeasuredLevel[] = [];
  const picture: MeasuredLevel[] = [];
  const link: MeasuredLevel[] = [];
  if (r.audio) {
    sound.push(above(r.audio.concealedPercent, 1, 3, 8), above(r.audio.lossPercent, 2, 5, 12));
  } else if (expected.audio) sound.push('bad');
  if (r.video) {
    const frozen = (100 * r.video.freezeMs) / interval;
    picture.push(below(r.video.fps, 20, 12, 5), above(frozen, 1, 10, 30), below(r.video.height, 540, 270, 1));
  } else if (expected.video) picture.push('bad');
  if (r.rttMs !== null) link.push(above(r.rttMs, 200, 400, 800));
  if (score !== null) link.push(below(score, 8, 6, 3));
  return { sound: worst(sound), picture: worst(picture), link: worst(link) };
}

/** What a page sends, judged: why its browser limits it, loss and round trip as the server sees them. */
function sent(s: NonNullable<QualityReport['sent']>, score: number | null): MeasuredLevel {
  const levels: MeasuredLevel[] = [];
  if (s.video?.limitation === 'bandwidth') levels.push(s.video.height < 360 ? 'poor' : 'fair');
  if (s.lossPercent !== null) levels.push(above(s.lossPercent, 2, 5, 12));
  if (s.rttMs !== null) levels.push(above(s.rttMs, 200, 400, 800));
  if (score !== null) levels.push(below(score, 8, 6, 3));
  return worst(levels);
}

/** The page's level and what it should tell its people; `unknown` until something was measured. */
export function judgeQuality({ report, expected, receiveScore, sendScore }: QualityInputs): QualityVerdict {
  if (!report) return { level: 'unknown', hint: 'none' };
  const r = report.received ?? (expected.audio || expected.video ? NOTHING : null);
  const got = r ? received(r, expected, receiveScore, report.intervalMs) : null;
  const out = report.sent ? sent(report.sent, sendScore) : 'good';
  const recv = got ? worst([got.sound, got.picture, got.link]) : 'good';
  const level = worst([recv, out]);
  let hint: QualityHint = 'none';
  if (level === 'bad') hint = 'bad';
  else if (got && RANK[got.sound] >= RANK.poor) hint = 'weak';
  else if (RANK[recv] >= RANK.fair && got && RANK[got.picture] >= RANK[got.sound]) hint = 'lowered';
  else if (RANK[out] > RANK[recv]) hint = 'uplink';
  return { level, hint };
}
