/** What the sinks saw, between two snapshots: per-classroom loss, first packets, totals. */
import type { SinkSnapshot, StreamCounts } from './srtpSink.ts';
import type { SimulatedClassroom } from './classroomClient.ts';
import type { MediaReport } from './lessonServer.ts';

export interface StreamDelta {
  /** Packets the sequence numbers say were sent in the window, and those that arrived. */
  expected: number;
  received: number;
}

/** One SSRC between two snapshots; a stream that started inside the window counts from its first packet. */
function streamDelta(before: StreamCounts | undefined, after: StreamCounts | undefined): StreamDelta {
  if (!after) return { expected: 0, received: 0 };
  if (!before) return { expected: after.highestSeq - after.firstSeq + 1, received: after.packets };
  return { expected: after.highestSeq - before.highestSeq, received: after.packets - before.packets };
}

const find = (s: SinkSnapshot, classroom: number, ssrc: number): StreamCounts | undefined =>
  s.byClassroom.get(classroom)?.find((x) => x.ssrc === ssrc);

export interface ClassroomDelivery {
  video: StreamDelta;
  audio: StreamDelta;
  /** Video + audio loss in %; 100 for a classroom that got nothing. */
  lossPercent: number;
}

export function classroomDelivery(
  before: SinkSnapshot,
  after: SinkSnapshot,
  c: SimulatedClassroom,
): ClassroomDelivery {
  const video = streamDelta(find(before, c.index, c.videoSsrc), find(after, c.index, c.videoSsrc));
  const audio = streamDelta(find(before, c.index, c.audioSsrc), find(after, c.index, c.audioSsrc));
  const expected = video.expected + audio.expected;
  const lost = Math.max(0, expected - video.received - audio.received);
  return { video, audio, lossPercent: expected > 0 ? (100 * lost) / expected : 100 };
}

/** Loss of one kind over many classrooms' deliveries, in %. */
export function kindLossPercent(deliveries: ClassroomDelivery[], kind: 'video' | 'audio'): number {
  const expected = deliveries.reduce((sum, d) => sum + d[kind].expected, 0);
  const received = deliveries.reduce((sum, d) => sum + d[kind].received, 0);
  return expected > 0 ? Math.round((100_000 * (expected - received)) / expected) / 1000 : 0;
}

/** Wall-clock ms of a classroom's first video and audio packet (undefined: none yet). */
export function firstPackets(s: SinkSnapshot, c: SimulatedClassroom): { video?: number; audio?: number } {
  return { video: find(s, c.index, c.videoSsrc)?.firstAt, audio: find(s, c.index, c.audioSsrc)?.firstAt };
}

export interface Totals {
  /** Every packet the sinks got: media, RTX and mediasoup's bandwidth probes, duplicates included. */
  packets: number;
  mediaPackets: number;
  /** Media packets that arrived a second time (same SSRC and sequence number). */
  mediaDuplicates: number;
  bytes: number;
  decrypted: number;
  decryptFailed: number;
}

export function totals(s: SinkSnapshot, classrooms: SimulatedClassroom[]): Totals {
  const t: Totals = {
    packets: 0,
    mediaPackets: 0,
    mediaDuplicates: 0,
    bytes: 0,
    decrypted: 0,
    decryptFailed: 0,
  };
  for (const c of classrooms) {
    for (const x of s.byClassroom.get(c.index) ?? []) {
      t.packets += x.packets + x.duplicates;
      t.bytes += x.bytes;
      t.decrypted += x.decrypted;
      t.decryptFailed += x.decryptFailed;
      if (x.ssrc === c.videoSsrc || x.ssrc === c.audioSsrc) {
        t.mediaPackets += x.packets;
        t.mediaDuplicates += x.duplicates;
      }
    }
  }
  return t;
}

export function difference(a: Totals, b: Totals): Totals {
  return {
    packets: b.packets - a.packets,
    mediaPackets: b.mediaPackets - a.mediaPackets,
    mediaDuplicates: b.mediaDuplicates - a.mediaDuplicates,
    bytes: b.bytes - a.bytes,
    decrypted: b.decrypted - a.decrypted,
    decryptFailed: b.decryptFailed - a.decryptFailed,
  };
}

export interface WorkerLoss {
  workerPid: number;
  /** The host's transport is on this worker; the others get its tracks through a pipe. */
  hostsTheTeacher: boolean;
  classrooms: number;
  meanLossPercent: number;
  maxLossPercent: number;
}

/** Loss by the worker the classrooms are placed on: tells loss on the way in from loss on a pipe. */
export function lossByWorker(
  classrooms: SimulatedClassroom[],
  losses: number[],
  report: MediaReport,
): WorkerLoss[] {
  const workerOf = new Map(report.participants.map((p) => [p.peerId, p.workerPid]));
  const hostWorker = report.participants.find((p) => p.role === 'host')?.workerPid;
  const byWorker = new Map<number, number[]>();
  classrooms.forEach((c, i) => {
    const pid = workerOf.get(c.peerId);
    if (pid == null) return;
    const list = byWorker.get(pid) ?? [];
    list.push(losses[i]!);
    byWorker.set(pid, list);
  });
  return [...byWorker].map(([workerPid, l]) => ({
    workerPid,
    hostsTheTeacher: workerPid === hostWorker,
    classrooms: l.length,
    meanLossPercent: Math.round((1000 * l.reduce((a, b) => a + b, 0)) / l.length) / 1000,
    maxLossPercent: Math.round(1000 * Math.max(...l)) / 1000,
  }));
}

/** One line per worker for a report. */
export function describeLossByWorker(rows: WorkerLoss[]): string {
  return rows
    .map(
      (w) =>
        `${w.hostsTheTeacher ? "teacher's worker" : 'piped worker'}: ${w.classrooms} classrooms, mean ${w.meanLossPercent} %, max ${w.maxLossPercent} %`,
    )
    .join('; ');
}
