import dgram from 'node:dgram';

/** A minimal RTP packet (RFC 3550 fixed header, no CSRC, no extensions). */
export function rtpPacket(o: {
  pt: number;
  seq: number;
  ts: number;
  ssrc: number;
  marker: boolean;
  payload: Buffer;
}): Buffer {
  const b = Buffer.alloc(12 + o.payload.length);
  b[0] = 0x80;
  b[1] = (o.marker ? 0x80 : 0) | o.pt;
  b.writeUInt16BE(o.seq & 0xffff, 2);
  b.writeUInt32BE(o.ts >>> 0, 4);
  b.writeUInt32BE(o.ssrc >>> 0, 8);
  o.payload.copy(b, 12);
  return b;
}

/** VP8 payload: descriptor with S=1 then a header whose inverse key-frame bit marks key frames. */
export function vp8Payload(keyFrame: boolean, size = 600): Buffer {
  const p = Buffer.alloc(size, 0xab);
  p[0] = 0x10;
  p[1] = keyFrame ? 0x00 : 0x01;
  return p;
}

export const VIDEO = { pt: 101, ssrc: 11_111_111 };
export const AUDIO = { pt: 100, ssrc: 22_222_222 };

/** The RTP parameters a host sending the streams below declares when producing. */
export const videoRtpParameters = {
  codecs: [{ mimeType: 'video/VP8', payloadType: VIDEO.pt, clockRate: 90000 }],
  encodings: [{ ssrc: VIDEO.ssrc }],
};
export const audioRtpParameters = {
  codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO.pt, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: AUDIO.ssrc }],
};

/** Sends a VP8 stream (a key frame every 10 packets) and an Opus stream at 50 packets/s each. */
export class RtpSender {
  readonly #socket = dgram.createSocket('udp4');
  #timer: NodeJS.Timeout | undefined;
  #n = 0;

  start(ip: string, port: number): void {
    this.stop();
    this.#timer = setInterval(() => {
      const n = this.#n++;
      const send = (b: Buffer): void => this.#socket.send(b, port, ip);
      send(rtpPacket({ ...VIDEO, seq: n, ts: n * 1800, marker: true, payload: vp8Payload(n % 10 === 0) }));
      send(rtpPacket({ ...AUDIO, seq: n, ts: n * 960, marker: false, payload: Buffer.alloc(80, 0x55) }));
    }, 20);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  close(): void {
    this.stop();
    this.#socket.close();
  }
}

/** Counts RTP packets per SSRC arriving on a local UDP port. */
export class RtpSink {
  readonly #socket = dgram.createSocket('udp4');
  readonly counts = new Map<number, number>();
  /** The last packet seen per SSRC, to look at what actually travelled. */
  readonly last = new Map<number, Buffer>();

  async bind(): Promise<number> {
    this.#socket.on('message', (msg) => {
      if (msg.length < 12 || msg[0]! >> 6 !== 2) return;
      const pt = msg[1]! & 0x7f;
      if (pt >= 72 && pt <= 76) return; // RTCP (rtcp-mux)
      const ssrc = msg.readUInt32BE(8);
      this.counts.set(ssrc, (this.counts.get(ssrc) ?? 0) + 1);
      this.last.set(ssrc, msg);
    });
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
    return this.#socket.address().port;
  }

  count(ssrc: number): number {
    return this.counts.get(ssrc) ?? 0;
  }

  close(): void {
    this.#socket.close();
  }
}
