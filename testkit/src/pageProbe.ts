/**
 * The network lab's probe: a page script (installed before the page's own scripts) that keeps every
 * RTCPeerConnection the page makes, so a test can read its getStats(), and reads the time barcode
 * (./timeBarcode.ts) off the picture a `<video>` shows to tell the glass-to-glass delay.
 *
 * `installNetlabProbe` closes over nothing: the lab sends its source into the page (`@cloudschool/testkit/netlab`),
 * which then has `window.__netlab` (`NetlabProbe`).
 */
import type { DelayRecord, FrameRead, InboundStream, OutboundStream, StatsSnapshot } from './mediaMetrics.ts';
import type { TimeBarcode } from './timeBarcode.ts';

/** The classroom's picture of the host. */
export const LESSON_VIDEO = 'video[data-testid="lesson-video"]';

export interface NetlabProbe {
  /** Reads the barcode of the frame `selector`'s video shows now. */
  readFrame(selector: string): Promise<FrameRead>;
  /** Starts reading `rateHz` times a second (again: starts over). */
  startSampling(selector: string, rateHz: number): void;
  /** Stops reading and hands over what was read. */
  stopSampling(): DelayRecord;
  /** getStats() of every open peer connection; inbound streams of `selector`'s video marked `shown`. */
  stats(selector: string): Promise<StatsSnapshot>;
  /** The path each open peer connection's media takes: its selected candidate pair. */
  routes(): Promise<IceRoute[]>;
}

/** One end of a candidate pair, from getStats() (`local-candidate` / `remote-candidate`). */
export interface IceCandidateStats {
  /** `host`, `srflx`, `prflx` or `relay` (through a TURN server). */
  candidateType: string;
  /** `udp` or `tcp`: between the relay (or the page) and the other end. */
  protocol: string;
  address: string;
  port: number;
  /** Relay candidates: how the page reaches the TURN server (`udp`, `tcp`, `tls`); else ''. */
  relayProtocol: string;
  /** Relay candidates: the TURN server's URL; else ''. */
  url: string;
}

/** One peer connection: its state and its selected candidate pair (null before one is selected). */
export interface IceRoute {
  connectionState: RTCPeerConnectionState;
  local: IceCandidateStats | null;
  remote: IceCandidateStats | null;
  /** The pair's last STUN round trip (ms): the link's own latency, which a busy renderer does not add to. */
  roundTripMs: number | null;
}

/** Runs in the page, before its own scripts. */
export function installNetlabProbe(codec: TimeBarcode): void {
  const w = window as unknown as { __netlab?: NetlabProbe; RTCPeerConnection?: typeof RTCPeerConnection };
  if (w.__netlab) return;
  /** mediasoup's bandwidth probation stream on every video consumer's transport: never decodes a frame. */
  const PROBATOR_SSRC = 1234;
  const connections = new Set<RTCPeerConnection>();
  const Original = w.RTCPeerConnection;
  if (Original) {
    // A Proxy, not a subclass: the constructor, its prototype and its statics stay the browser's own.
    w.RTCPeerConnection = new Proxy(Original, {
      construct(target, args, newTarget) {
        const pc = Reflect.construct(target, args, newTarget) as RTCPeerConnection;
        connections.add(pc);
        return pc;
      },
    });
  }

  /** The barcode's value from each cell's mean luma (0–255 or video range: its threshold is relative). */
  function decodeLevels(
    luma: (x: number, y: number) => number,
    width: number,
    height: number,
    band: number,
    now: number,
  ): FrameRead {
    const levels: number[] = [];
    for (let i = 0; i < codec.cells; i++) {
      const r = codec.sampleRect(i, width, height);
      const x0 = Math.max(0, Math.round(r.x));
      const x1 = Math.min(width, Math.max(x0 + 1, Math.round(r.x + r.w)));
      const y0 = Math.max(0, Math.round(r.y));
      const y1 = Math.min(band, Math.max(y0 + 1, Math.round(r.y + r.h)));
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += luma(x, y);
      levels.push(sum / ((x1 - x0) * (y1 - y0)));
    }
    const value = codec.decode(levels);
    if (value === null) return { ok: false, reason: 'unreadable' };
    const sentAt = codec.unwrap(value, now);
    return { ok: true, sentAt, now, delayMs: now - sentAt, width, height };
  }

  /**
   * The band's luma straight from the frame's Y plane (WebCodecs' VideoFrame of the element's current frame,
   * only the band's rows copied). Drawing the frame into a canvas instead converted all of it to RGB: 15 ms a
   * read at 720p here, 15 % of a core per page at 10 reads a second, which the benchmarks' classroom pages
   * then lacked for decoding. Null when the frame is not in a YUV layout (the caller draws it instead).
   */
  async function readPlane(video: HTMLVideoElement, now: number): Promise<FrameRead | null> {
    if (typeof VideoFrame === 'undefined') return null;
    let frame: VideoFrame;
    try {
      frame = new VideoFrame(video);
    } catch {
      return null;
    }
    try {
      if (frame.format !== 'I420' && frame.format !== 'I420A' && frame.format !== 'NV12') return null;
      const { x, y, width, height } = frame.visibleRect!;
      // Chroma is subsampled 2 × 2: the band copied is an even number of rows (and an odd visible origin,
      // which decoders do not make, is left to the canvas).
      const band = Math.min(height, 2 * Math.ceil((height * codec.bandHeight) / 2));
      const rect = { x, y, width, height: band };
      const buffer = new Uint8Array(frame.allocationSize({ rect }));
      const [luma] = await frame.copyTo(buffer, { rect });
      return decodeLevels(
        (px, py) => buffer[luma!.offset + py * luma!.stride + px]!,
        width,
        height,
        band,
        now,
      );
    } catch {
      return null;
    } finally {
      frame.close();
    }
  }

  let canvas: HTMLCanvasElement | null = null;
  let ctx: CanvasRenderingContext2D | null = null;

  function readDrawn(video: HTMLVideoElement, now: number): FrameRead {
    const width = video.videoWidth;
    const height = video.videoHeight;
    const band = Math.max(1, Math.ceil(height * codec.bandHeight));
    if (!canvas || !ctx) {
      canvas = document.createElement('canvas');
      ctx = canvas.getContext('2d', { willReadFrequently: true });
      if (!ctx) return { ok: false, reason: 'no-frame' };
    }
    if (canvas.width !== width || canvas.height !== band) {
      canvas.width = width;
      canvas.height = band;
    }
    ctx.drawImage(video, 0, 0, width, band, 0, 0, width, band);
    const pixels = ctx.getImageData(0, 0, width, band).data;
    return decodeLevels(
      (x, y) => {
        const p = 4 * (y * width + x);
        return 0.299 * pixels[p]! + 0.587 * pixels[p + 1]! + 0.114 * pixels[p + 2]!;
      },
      width,
      height,
      band,
      now,
    );
  }

  async function readFrame(selector: string): Promise<FrameRead> {
    const video = document.querySelector(selector);
    if (!(video instanceof HTMLVideoElement)) return { ok: false, reason: 'no-video' };
    if (video.videoWidth === 0 || video.videoHeight === 0 || video.readyState < 2)
      return { ok: false, reason: 'no-frame' };
    const now = Date.now();
    return (await readPlane(video, now)) ?? readDrawn(video, now);
  }

  const blank = (): DelayRecord => ({ samples: [], misses: { 'no-video': 0, 'no-frame': 0, unreadable: 0 } });
  let record = blank();
  let timer: ReturnType<typeof setInterval> | undefined;

  const num = (stat: Record<string, unknown>, key: string): number => {
    const value = stat[key];
    return typeof value === 'number' && Number.isFinite(value) ? value : 0;
  };
  const str = (stat: Record<string, unknown>, key: string): string => {
    const value = stat[key];
    return typeof value === 'string' ? value : '';
  };

  w.__netlab = {
    readFrame,
    startSampling(selector, rateHz) {
      clearInterval(timer);
      record = blank();
      let reading = false;
      timer = setInterval(() => {
        if (reading) return; // a read still running: this tick is skipped, not queued
        reading = true;
        const sampled = record;
        void readFrame(selector)
          .then((read) => {
            if (read.ok) {
              const { ok: _ok, ...sample } = read;
              sampled.samples.push(sample);
            } else sampled.misses[read.reason]++;
          })
          .finally(() => (reading = false));
      }, 1000 / rateHz);
    },
    stopSampling() {
      clearInterval(timer);
      timer = undefined;
      const out = record;
      record = blank();
      return out;
    },
    async stats(selector) {
      const video = document.querySelector(selector);
      const source = video instanceof HTMLVideoElement ? video.srcObject : null;
      const shown = new Set(source instanceof MediaStream ? source.getTracks().map((t) => t.id) : []);
      const inbound: InboundStream[] = [];
      const outbound: OutboundStream[] = [];
      for (const pc of [...connections]) {
        if (pc.connectionState === 'closed') {
          connections.delete(pc);
          continue;
        }
        const report = await pc.getStats();
        report.forEach((entry: Record<string, unknown>) => {
          const kind = entry.kind === 'video' || entry.kind === 'audio' ? entry.kind : null;
          if (!kind) return;
          if (entry.type === 'inbound-rtp' && entry.ssrc !== PROBATOR_SSRC) {
            inbound.push({
              kind,
              ssrc: num(entry, 'ssrc'),
              trackIdentifier: str(entry, 'trackIdentifier'),
              shown: shown.has(str(entry, 'trackIdentifier')),
              timestamp: num(entry, 'timestamp'),
              packetsReceived: num(entry, 'packetsReceived'),
              packetsLost: num(entry, 'packetsLost'),
              bytesReceived: num(entry, 'bytesReceived'),
              jitterBufferDelay: num(entry, 'jitterBufferDelay'),
              jitterBufferEmittedCount: num(entry, 'jitterBufferEmittedCount'),
              nackCount: num(entry, 'nackCount'),
              framesDecoded: num(entry, 'framesDecoded'),
              framesDropped: num(entry, 'framesDropped'),
              frameWidth: num(entry, 'frameWidth'),
              frameHeight: num(entry, 'frameHeight'),
              freezeCount: num(entry, 'freezeCount'),
              totalFreezesDuration: num(entry, 'totalFreezesDuration'),
              keyFramesDecoded: num(entry, 'keyFramesDecoded'),
              pliCount: num(entry, 'pliCount'),
              totalSamplesReceived: num(entry, 'totalSamplesReceived'),
              concealedSamples: num(entry, 'concealedSamples'),
            });
          } else if (entry.type === 'outbound-rtp') {
            outbound.push({
              kind,
              ssrc: num(entry, 'ssrc'),
              rid: str(entry, 'rid'),
              timestamp: num(entry, 'timestamp'),
              packetsSent: num(entry, 'packetsSent'),
              bytesSent: num(entry, 'bytesSent'),
              retransmittedBytesSent: num(entry, 'retransmittedBytesSent'),
              framesEncoded: num(entry, 'framesEncoded'),
              frameWidth: num(entry, 'frameWidth'),
              frameHeight: num(entry, 'frameHeight'),
              targetBitrate: num(entry, 'targetBitrate'),
              qualityLimitationReason: str(entry, 'qualityLimitationReason'),
            });
          }
        });
      }
      return { inbound, outbound };
    },
    async routes() {
      const routes: IceRoute[] = [];
      for (const pc of [...connections]) {
        if (pc.connectionState === 'closed') {
          connections.delete(pc);
          continue;
        }
        const byId = new Map<string, Record<string, unknown>>();
        (await pc.getStats()).forEach((entry: Record<string, unknown>) => byId.set(str(entry, 'id'), entry));
        const entries = [...byId.values()];
        const transport = entries.find((e) => e.type === 'transport' && str(e, 'selectedCandidatePairId'));
        const pair = transport
          ? byId.get(str(transport, 'selectedCandidatePairId'))
          : entries.find(
              (e) => e.type === 'candidate-pair' && e.nominated === true && e.state === 'succeeded',
            );
        const candidate = (id: string): IceCandidateStats | null => {
          const c = byId.get(id);
          return c
            ? {
                candidateType: str(c, 'candidateType'),
                protocol: str(c, 'protocol'),
                address: str(c, 'address'),
                port: num(c, 'port'),
                relayProtocol: str(c, 'relayProtocol'),
                url: str(c, 'url'),
              }
            : null;
        };
        routes.push({
          connectionState: pc.connectionState,
          local: pair ? candidate(str(pair, 'localCandidateId')) : null,
          remote: pair ? candidate(str(pair, 'remoteCandidateId')) : null,
          roundTripMs:
            pair && typeof pair.currentRoundTripTime === 'number' ? pair.currentRoundTripTime * 1000 : null,
        });
      }
      return routes;
    },
  };
}
