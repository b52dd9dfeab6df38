/** A simulated host whose media can be decoded: ffmpeg encodes a test picture and a tone and sends them as RTP. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { AUDIO, VIDEO } from './rtp.ts';

/**
 * Sends real VP8 (320×180, 15 fps — light enough for a loaded test machine —, a key frame every
 * `keyFrameSeconds`, 2 s unless told; it ignores PLI) and real Opus (a 440 Hz tone) with
 * the payload types and SSRCs of `videoRtpParameters` / `audioRtpParameters` to two plain send transports
 * (one per kind: ffmpeg sends each from a port of its own, and a comedia transport keeps the first it hears).
 */
export class FfmpegRtpSender {
  #ffmpeg: ChildProcess | undefined;
  readonly #keyFrameFrames: number;

  constructor({ keyFrameSeconds = 2 }: { keyFrameSeconds?: number } = {}) {
    this.#keyFrameFrames = Math.round(keyFrameSeconds * 15);
  }

  start(to: { ip: string; videoPort: number; audioPort: number }): void {
    this.stop();
    // setpriv --pdeathsig: a test that times out (its worker gone before stop()) leaves no sender running.
    // prettier-ignore
    this.#ffmpeg = spawn('setpriv', ['--pdeathsig', 'KILL', 'ffmpeg',
      '-nostdin', '-hide_banner', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=15',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '200k',
      '-g', String(this.#keyFrameFrames), '-keyint_min', String(this.#keyFrameFrames),
      '-f', 'rtp', '-ssrc', String(VIDEO.ssrc), '-payload_type', String(VIDEO.pt),
      `rtp://${to.ip}:${to.videoPort}?pkt_size=1200`,
      '-map', '1:a', '-c:a', 'libopus', '-ac', '2',
      '-f', 'rtp', '-ssrc', String(AUDIO.ssrc), '-payload_type', String(AUDIO.pt),
      `rtp://${to.ip}:${to.audioPort}`,
    ], { stdio: 'ignore' });
  }

  /** Stops sending; resolves once ffmpeg is gone. */
  async stop(): Promise<void> {
    const ffmpeg = this.#ffmpeg;
    this.#ffmpeg = undefined;
    if (!ffmpeg || ffmpeg.exitCode !== null || ffmpeg.signalCode !== null) return;
    const exited = new Promise((resolve) => ffmpeg.once('exit', resolve));
    ffmpeg.kill('SIGKILL');
    await exited;
  }
}
