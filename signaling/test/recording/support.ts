/** What the recorder's tests share: a host producing real VP8 + Opus into a room, and ffprobe. */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { MediaRoom } from '@cloudschool/sfu';
import { audioRtpParameters, FfmpegRtpSender, videoRtpParameters } from '@cloudschool/testkit';
import type { RecordedTrack } from '../../src/recording/RecorderTypes.ts';
import type { RecordingStore } from '../../src/store/RecordingStore.ts';

const exec = promisify(execFile);

/** A host in `room` publishing camera and microphone from an FfmpegRtpSender; `republish` does it again, as a reload. */
export async function publishHost(
  room: MediaRoom,
  sender: FfmpegRtpSender,
  peerId = 'host',
): Promise<RecordedTrack[]> {
  const host = room.peer(peerId, 'sender');
  const video = await host.createPlainTransport('send');
  const audio = await host.createPlainTransport('send');
  const camera = await host.produce(video.id, 'video', videoRtpParameters, { source: 'camera' });
  const mic = await host.produce(audio.id, 'audio', audioRtpParameters, { source: 'mic' });
  sender.start({ ip: video.ip, videoPort: video.port, audioPort: audio.port });
  return [
    { source: 'camera', kind: 'video', producerId: camera.id },
    { source: 'mic', kind: 'audio', producerId: mic.id },
  ];
}

export interface Probe {
  streams: { codec_type: string; codec_name: string }[];
  format: { duration?: string };
}

export async function ffprobe(file: string): Promise<Probe> {
  const { stdout } = await exec('ffprobe', [
    '-v',
    'error',
    '-show_streams',
    '-show_format',
    '-of',
    'json',
    file,
  ]);
  return JSON.parse(stdout) as Probe;
}

/** The segment files joined into one WebM (ffmpeg's concat demuxer, no re-encoding), as a player would play them. */
export async function joined(dir: string, files: readonly string[]): Promise<string> {
  const list = path.join(dir, 'joined.txt');
  await writeFile(list, files.map((f) => `file '${path.join(dir, f)}'\n`).join(''));
  const out = path.join(dir, 'joined.webm');
  await exec('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', out]);
  return out;
}

/** When each packet of a file's `codecType` stream is to be shown, in seconds, in the file's order. */
export async function packetTimes(file: string, codecType: 'audio' | 'video'): Promise<number[]> {
  const { stdout } = await exec('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    codecType === 'video' ? 'v' : 'a',
    '-show_entries',
    'packet=pts_time',
    '-of',
    'csv=p=0',
    file,
  ]);
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(Number);
}

export function kindsOf(probe: Probe): string[] {
  return probe.streams.map((s) => `${s.codec_type}/${s.codec_name}`).sort();
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the store holds a segment of a run after `run` (the recording followed a change of its tracks
 * and ffmpeg closed a file of the new run); answers that run. Gives up after `timeoutMs`.
 */
export async function nextRun(
  store: RecordingStore,
  recordingId: string,
  run: number,
  timeoutMs = 60_000,
): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const later = (await store.listRecordingSegments(recordingId)).filter((s) => s.run > run);
    if (later.length > 0) return Math.max(...later.map((s) => s.run));
    if (Date.now() > until) throw new Error(`no segment of a run after ${run} in ${timeoutMs} ms`);
    await sleep(200);
  }
}
