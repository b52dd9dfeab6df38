import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { types as ms } from 'mediasoup';
import { SOCKET_BUFFER_BYTES } from '@cloudschool/sfu';
import type { MediaPeer, MediaRoom } from '@cloudschool/sfu';
import type { RecordedTrack, RecorderOptions } from './RecorderTypes.ts';
import { recorderCapabilities, sdpOf } from './sdp.ts';
import type { SdpStream } from './sdp.ts';
import { readSegmentList, unlistedSegments } from './segments.ts';
import type { ListedSegment } from './segments.ts';

/** A segment ffmpeg closed, placed in wall-clock time. */
export interface ClosedSegment {
  readonly file: string;
  readonly startedAt: number;
  readonly durationMs: number;
}

export interface RunSpec {
  readonly room: MediaRoom;
  readonly tracks: readonly RecordedTrack[];
  readonly dir: string;
  readonly recordingId: string;
  readonly run: number;
  readonly options: RecorderOptions;
  /** Each segment once ffmpeg closed it, in order. */
  readonly onSegment: (segment: ClosedSegment) => void;
  /** ffmpeg ended without being stopped. */
  readonly onExit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/** The names of a run's files in its recording's directory. */
export const runFiles = {
  sdp: (run: number) => `r${run}.sdp`,
  list: (run: number) => `r${run}.csv`,
  /** The wall-clock ms its consumers were resumed at: where its timeline starts. */
  start: (run: number) => `r${run}.start`,
  /** ffmpeg's pid: a node started again waits for the one its dead self left finishing its last file. */
  pid: (run: number) => `r${run}.pid`,
  segmentPattern: (run: number) => `r${run}-%05d.webm`,
  segment: /^r(\d+)-(\d+)\.webm$/,
};

const LIST_POLL_MS = 500;
const FIRST_KEY_FRAME_AGAIN_MS = 1_000;
const KEY_FRAME_CHECK_MS = 1_000;
/**
 * A stopped ffmpeg ends at its next packet; one whose producers are gone waits for its input to time out
 * (≈ 10 s, fixed for SDP input), then closes its last file too. Killed if it has not ended by then.
 */
const STOP_TIMEOUT_MS = 15_000;
const START_ATTEMPTS = 3;
/** How long ffmpeg may take to open its input's ports. */
const LISTEN_TIMEOUT_MS = 10_000;

/** ffmpeg exited before it listened (its ports were taken, or its input was refused). */
class FfmpegEndedEarly extends Error {
  readonly said: string;

  constructor(code: number | null, said: string) {
    super(`ffmpeg exited (${code}) before listening${said ? `: ${said}` : ''}`);
    this.said = said;
  }
}

/**
 * One ffmpeg process recording a fixed set of producers. Each producer is consumed by a peer of the room
 * of its own on a plain transport (comedia off: the worker sends RTP, RTCP muxed in, to the local port
 * ffmpeg listens on) and written without re-encoding: VP8 and Opus are copied into WebM segments.
 *
 * Why WebM segments: MPEG-TS cannot hold VP8 and fragmented MP4's VP8 is poorly supported; Matroska
 * holds VP8 and Opus as they arrive, so recording costs no encoder (ffmpeg ≈ 1 % of a core per lesson)
 * where transcoding VP8 to H.264 costs a large part of a core per lesson (README: measured). Each segment is a
 * file of its own, closed (with its index) at the first key frame `segmentSeconds` or more after it began; the
 * open one is flushed per packet in clusters of ≤ 1 s, so a file cut by `kill -9` still plays up to its last
 * cluster.
 */
export class FfmpegRun {
  readonly run: number;
  /** Wall-clock ms at which the consumers were resumed: the zero of ffmpeg's timeline. */
  readonly startedAt: number;
  readonly #spec: RunSpec;
  readonly #peer: MediaPeer;
  readonly #consumers: ms.Consumer[];
  readonly #ffmpeg: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #timers: NodeJS.Timeout[] = [];
  #listed = 0;
  #polling: Promise<void> = Promise.resolve();
  #stopping = false;

  /**
   * Starts ffmpeg on fresh ports, again (at most START_ATTEMPTS times in all) when it exits before listening:
   * a port found free can be taken by another process before ffmpeg binds it.
   */
  static async start(spec: RunSpec): Promise<FfmpegRun> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await FfmpegRun.#attempt(spec);
      } catch (error) {
        if (!(error instanceof FfmpegEndedEarly) || attempt >= START_ATTEMPTS) throw error;
        spec.options.logger.warn(
          { dir: spec.dir, run: spec.run, attempt, said: error.said },
          'ffmpeg exited before listening; starting it again on other ports',
        );
      }
    }
  }

  static async #attempt(spec: RunSpec): Promise<FfmpegRun> {
    const { room, tracks, dir, recordingId, run, options } = spec;
    const peer = room.peer(`recorder:${recordingId}:${run}`, 'receiver');
    let ffmpeg: Ffmpeg | undefined;
    try {
      const capabilities = recorderCapabilities(room.rtpCapabilities);
      const consumers: ms.Consumer[] = [];
      const streams: SdpStream[] = [];
      for (const track of tracks) {
        const port = await freeUdpPair();
        const transport = await peer.createPlainTransport('recv');
        await peer.connectPlainTransport(transport.id, '127.0.0.1', port);
        const consumer = await peer.consume(transport.id, track.producerId, capabilities);
        consumers.push(consumer);
        streams.push({ kind: consumer.kind, port, rtpParameters: consumer.rtpParameters });
      }
      await writeFile(path.join(dir, runFiles.sdp(run)), sdpOf(streams));
      ffmpeg = spawnFfmpeg(options, dir, run);
      const { process: spawned, said } = ffmpeg;
      // 'close', not 'exit': by then its stderr is read to the end, and the error carries its last words.
      // Listened for before anything is awaited: an ffmpeg that fails at once is gone by then, and its
      // start waited LISTEN_TIMEOUT_MS for nothing (a busy CI run, Recorder.integration's refused ffmpeg).
      const exited = new Promise<never>((_, reject) =>
        spawned.once('close', (code) => reject(new FfmpegEndedEarly(code, said()))),
      );
      // Handled below (Promise.race); until then an early exit is not an unhandled rejection.
      exited.catch(() => undefined);
      await writeFile(path.join(dir, runFiles.pid(run)), String(spawned.pid ?? ''));
      await Promise.race([
        listening(
          spawned,
          streams.map((s) => s.port),
          exited,
        ),
        exited,
      ]);
      const startedAt = Date.now();
      await writeFile(path.join(dir, runFiles.start(run)), String(startedAt));
      for (const consumer of consumers) await peer.resumeConsumer(consumer.id);
      return new FfmpegRun(spec, peer, consumers, spawned, startedAt);
    } catch (error) {
      ffmpeg?.process.kill('SIGKILL');
      peer.close();
      throw error;
    }
  }

  private constructor(
    spec: RunSpec,
    peer: MediaPeer,
    consumers: ms.Consumer[],
    ffmpeg: ChildProcess,
    startedAt: number,
  ) {
    this.#spec = spec;
    this.run = spec.run;
    this.#peer = peer;
    this.#consumers = consumers;
    this.#ffmpeg = ffmpeg;
    this.startedAt = startedAt;
    this.#exited = new Promise((resolve) => {
      ffmpeg.once('exit', (code, signal) => {
        resolve();
        if (!this.#stopping) spec.onExit(code, signal);
      });
    });
    // A run starts at a key frame: ask for one now, and once more a second in (should the first one's packets
    // be lost, see -buffer_size, the run starts still for a second, not until the next one). After that, only
    // when a video has gone keyFrameSeconds without one (the producer's keyFrameRequestDelay keeps these from
    // adding to a join storm's requests).
    const videos = consumers.filter((c) => c.kind === 'video');
    const lastKeyFrame = new Map<ms.Consumer, number>();
    const ask = (c: ms.Consumer): void => {
      lastKeyFrame.set(c, Date.now());
      if (!c.closed) c.requestKeyFrame().catch(() => undefined);
    };
    for (const c of videos) {
      c.on('trace', (trace) => {
        if (trace.type === 'keyframe') lastKeyFrame.set(c, Date.now());
      });
      c.enableTraceEvent(['keyframe']).catch(() => undefined);
      ask(c);
    }
    const keyFrameMs = spec.options.keyFrameSeconds * 1000;
    this.#timers.push(
      setTimeout(() => videos.forEach(ask), FIRST_KEY_FRAME_AGAIN_MS),
      setInterval(() => {
        for (const c of videos) if (Date.now() - lastKeyFrame.get(c)! >= keyFrameMs) ask(c);
      }, KEY_FRAME_CHECK_MS),
      setInterval(() => void this.#poll(), LIST_POLL_MS),
    );
  }

  /** The producers this run records. */
  get producerIds(): string[] {
    return this.#consumers.map((c) => c.producerId);
  }

  /** ffmpeg's process id (tests kill it). */
  get pid(): number | undefined {
    return this.#ffmpeg.pid;
  }

  /**
   * Stops ffmpeg (SIGINT: it closes the open segment and lists it), then the consumers. Idempotent. (A second
   * SIGINT would end it at once, but makes it drop the cluster it has not written: ≤ 1 s lost.)
   */
  async stop(): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      for (const timer of this.#timers) clearInterval(timer);
      if (this.#ffmpeg.exitCode === null && this.#ffmpeg.signalCode === null) this.#ffmpeg.kill('SIGINT');
      const killer = setTimeout(() => this.#ffmpeg.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await this.#exited;
      clearTimeout(killer);
      this.#peer.close();
      // A killed ffmpeg listed nothing of the file it was writing: what plays of it is kept too.
      await this.#poll(true);
    }
    await this.#polling;
  }

  /** Hands the segments ffmpeg listed since the last look to onSegment; one look at a time. */
  #poll(last = false): Promise<void> {
    this.#polling = this.#polling
      .then(async () => {
        const { dir, options } = this.#spec;
        const listed = await readSegmentList(path.join(dir, runFiles.list(this.run)));
        const cut = last ? await unlistedSegments(options.ffprobe, dir, this.run, listed) : [];
        // A file ffmpeg opened and closed empty (stopped before its first packet) is listed, and not kept.
        const fresh = [...listed.slice(this.#listed), ...cut].filter(
          (segment) => segment.end > segment.start,
        );
        this.#listed = Math.max(this.#listed, listed.length);
        for (const segment of fresh) this.#spec.onSegment(placeSegment(this.startedAt, segment));
      })
      .catch((error: unknown) =>
        this.#spec.options.logger.error({ err: error, dir: this.#spec.dir }, 'the segment list was not read'),
      );
    return this.#polling;
  }
}

/** A listed segment in wall-clock time, from the start of its run. */
export function placeSegment(runStartedAt: number, { file, start, end }: ListedSegment): ClosedSegment {
  return {
    file,
    startedAt: runStartedAt + Math.round(start * 1000),
    durationMs: Math.max(0, Math.round((end - start) * 1000)),
  };
}

interface Ffmpeg {
  readonly process: ChildProcess;
  /** The end of what it wrote to stderr, trimmed. */
  readonly said: () => string;
}

function spawnFfmpeg(options: RecorderOptions, dir: string, run: number): Ffmpeg {
  const args = [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'warning',
    '-protocol_whitelist',
    'file,udp,rtp',
    '-fflags',
    '+genpts',
    // Each packet stamped when it arrives. ffmpeg's RTP input stamps a stream from its own first packet until
    // the stream's first RTCP sender report, then moves it onto the reports' clock: a stream that began later
    // than another (a camera's first key frame comes after the voice) jumped by that much (seen: ≈ 0.9 s
    // between a run's first key frame and its next frame; backwards, for a stream that began first).
    '-use_wallclock_as_timestamps',
    '1',
    // ffmpeg asks for no retransmission, and its VP8 reader drops every frame after a lost packet until the
    // next key frame: a socket buffer that holds a key frame's burst while ffmpeg is starting or busy (as the
    // media ports' own; the kernel's net.core.rmem_max caps it).
    '-buffer_size',
    String(SOCKET_BUFFER_BYTES),
    // ffmpeg writes nothing until it knows every stream (VP8: its size, from the first key frame, asked
    // for at the start; at most 5 s): a run stopped or killed before that leaves an empty file.
    '-i',
    runFiles.sdp(run),
    '-map',
    '0',
    '-c',
    'copy',
    '-f',
    'segment',
    '-segment_time',
    String(options.segmentSeconds),
    '-segment_format',
    'webm',
    // Flushed per packet, in clusters of at most 1 s: a file cut short plays up to its last cluster.
    '-segment_format_options',
    'flush_packets=1:cluster_time_limit=1000',
    '-reset_timestamps',
    '1',
    '-segment_list',
    runFiles.list(run),
    '-segment_list_type',
    'csv',
    runFiles.segmentPattern(run),
  ];
  // setpriv --pdeathsig: the kernel stops ffmpeg (SIGTERM: it closes its file) if this process dies, so
  // a killed node leaves no ffmpeg writing behind.
  const ffmpeg = spawn('setpriv', ['--pdeathsig', 'TERM', options.ffmpeg, ...args], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let said = '';
  ffmpeg.stderr?.setEncoding('utf8');
  ffmpeg.stderr?.on('data', (text: string) => {
    said = (said + text).slice(-2000);
  });
  ffmpeg.once('exit', (code, signal) => {
    if (code !== 0 && code !== 255 && signal === null) {
      options.logger.warn({ dir, run, code, said }, 'ffmpeg stopped with an error');
    }
  });
  return { process: ffmpeg, said: () => said.trim() };
}

/** An even UDP port whose next one is free too (ffmpeg takes RTP's port and the one above for RTCP). */
async function freeUdpPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const first = await bindUdp(0);
    if (!first) continue;
    const port = first.address().port;
    const second = port % 2 === 0 && port < 65534 ? await bindUdp(port + 1) : undefined;
    first.close();
    if (second) {
      second.close();
      return port;
    }
  }
  throw new Error('no free pair of UDP ports for ffmpeg');
}

function bindUdp(port: number): Promise<dgram.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

/**
 * Resolves once the process holds a UDP socket on each port. Read from /proc, not by binding the port to see
 * whether it is taken: such a probe can hold the port at the moment ffmpeg binds it, and ffmpeg then exits.
 */
async function listening(
  child: ChildProcess,
  ports: readonly number[],
  exited: Promise<never>,
): Promise<void> {
  let gone = false;
  exited.catch(() => (gone = true));
  const until = Date.now() + LISTEN_TIMEOUT_MS;
  while (!gone && Date.now() < until) {
    if (child.pid !== undefined && (await holdsUdpPorts(child.pid, ports))) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!gone) throw new Error(`ffmpeg did not listen on UDP ${ports.join(', ')}`);
}

async function holdsUdpPorts(pid: number, ports: readonly number[]): Promise<boolean> {
  let inodes: Set<string>;
  try {
    const fds = await readdir(`/proc/${pid}/fd`);
    const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
    inodes = new Set(links.flatMap((link) => /^socket:\[(\d+)\]$/.exec(link)?.[1] ?? []));
  } catch {
    return false; // it has exited
  }
  const tables = await Promise.all(
    ['/proc/net/udp', '/proc/net/udp6'].map((file) => readFile(file, 'utf8').catch(() => '')),
  );
  const held = new Set<number>();
  for (const line of tables.flatMap((table) => table.split('\n').slice(1))) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const inode = fields[9];
    if (local && inode && inodes.has(inode)) held.add(Number.parseInt(local.split(':')[1] ?? '', 16));
  }
  return ports.every((port) => held.has(port));
}
