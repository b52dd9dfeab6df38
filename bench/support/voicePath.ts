/**
 * The voice's path in `npm run bench:networks`, read at both ends: does the host's Opus encoder hear of the
 * classrooms' losses, and does it send in-band FEC (LBRR) for them?
 *
 * - host (the peer connection sending audio): the Opus lines it was told to send with (its remote description:
 *   `a=fmtp` `useinbandfec`, `usedtx`; `a=rtcp-fb`), its audio payload rate, and the loss mediasoup reports to it
 *   (`remote-inbound-rtp` `fractionLost`: the producer's RTCP receiver report, which carries the consumers' worst
 *   fraction lost only when the producer's codec says `useinbandfec=1`; Opus adds LBRR only when told of loss);
 * - classroom (its busiest incoming audio: the host's voice): the Opus lines it receives with, packets lost,
 *   NACKs sent, packets in which NetEq found an in-band FEC frame (`fecPacketsReceived`: the encoder did send
 *   LBRR), samples concealed.
 *
 * Reads the page's peer connections kept by `trackPeerConnections` (support/pageRtcStats.ts, installed on the
 * context before the page loads).
 */
import type { Page } from '@playwright/test';

interface VoiceRead {
  at: number;
  /** Opus `a=fmtp` and `a=rtcp-fb` lines of that connection's remote description. */
  opusLines: string[];
  ssrc: number;
  packets: number;
  bytes: number;
  lost: number;
  nacks: number;
  fecPackets: number;
  concealed: number;
  samples: number;
  /** host: the last receiver report's fraction lost (0–1); null before one came. */
  reportedFractionLost: number | null;
}

export interface VoicePath {
  /** What the SFU's side of the connection says of Opus (`a=fmtp:111 useinbandfec=1`, `a=rtcp-fb:111 …`). */
  opusLines: string[];
  seconds: number;
  /** Audio payload, kbit/s (sent by the host, received by a classroom). */
  kbps: number;
  packets: number;
  /** classroom: packets lost (after any retransmission), NACKs sent, packets carrying an FEC frame. */
  lost: number;
  nacks: number;
  fecPackets: number;
  /** classroom: samples concealed, % of those played. */
  concealedPercent: number | null;
  /** host: the fraction lost its receiver reports gave, read each second, in % (mean, highest). */
  reportedLossPercent: { mean: number; max: number } | null;
}

/** One read: the host's audio sender (`side: 'send'`) or a classroom's busiest audio receiver. */
function readVoice(page: Page, side: 'send' | 'receive'): Promise<VoiceRead | null> {
  return page
    .evaluate(async (side) => {
      const pcs = (window as unknown as { __benchPeerConnections?: RTCPeerConnection[] })
        .__benchPeerConnections;
      let best: Omit<VoiceRead, 'at'> | null = null;
      for (const pc of pcs ?? []) {
        if (pc.connectionState === 'closed') continue;
        const stats: Record<string, unknown>[] = [];
        (await pc.getStats()).forEach((s: Record<string, unknown>) => {
          if (s.kind === 'audio') stats.push(s);
        });
        const n = (s: Record<string, unknown> | undefined, k: string): number =>
          typeof s?.[k] === 'number' ? (s[k] as number) : 0;
        const stream = stats
          .filter((s) => s.type === (side === 'send' ? 'outbound-rtp' : 'inbound-rtp'))
          .sort(
            (a, b) =>
              n(b, 'packetsSent') + n(b, 'packetsReceived') - n(a, 'packetsSent') - n(a, 'packetsReceived'),
          )[0];
        if (!stream) continue;
        const packets = n(stream, side === 'send' ? 'packetsSent' : 'packetsReceived');
        if (best && best.packets >= packets) continue;
        const report = stats.find((s) => s.type === 'remote-inbound-rtp' && s.localId === stream.id);
        const sdp = pc.remoteDescription?.sdp ?? '';
        const pts = [...sdp.matchAll(/^a=rtpmap:(\d+) opus\/48000/gm)].map((m) => m[1]!);
        best = {
          opusLines: [
            ...new Set(
              sdp
                .split(/\r?\n/)
                .filter((l) =>
                  pts.some((pt) => l.startsWith(`a=fmtp:${pt} `) || l.startsWith(`a=rtcp-fb:${pt} `)),
                ),
            ),
          ],
          ssrc: n(stream, 'ssrc'),
          packets,
          bytes: n(stream, side === 'send' ? 'bytesSent' : 'bytesReceived'),
          lost: n(stream, 'packetsLost'),
          nacks: n(stream, 'nackCount'),
          fecPackets: n(stream, 'fecPacketsReceived'),
          concealed: n(stream, 'concealedSamples'),
          samples: n(stream, 'totalSamplesReceived'),
          reportedFractionLost:
            report && typeof report.fractionLost === 'number' ? report.fractionLost : null,
        };
      }
      return best;
    }, side)
    .then((r) => r && { ...r, at: Date.now() });
}

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

/** Reads a page's voice path every `periodMs` until stopped; the figures are the change over the watch. */
export function watchVoice(
  page: Page,
  side: 'send' | 'receive',
  periodMs = 1000,
): { stop(): Promise<VoicePath | null> } {
  let running = true;
  const reads: VoiceRead[] = [];
  const loop = (async () => {
    while (running) {
      const read = await readVoice(page, side).catch(() => null);
      if (read) reads.push(read);
      await new Promise((r) => setTimeout(r, periodMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const last = reads.at(-1);
      // A stream made again meanwhile (a reconnect) counts from its start.
      const first = reads.find((r) => r.ssrc === last?.ssrc);
      if (!last || !first) return null;
      const d = (
        k: 'packets' | 'bytes' | 'lost' | 'nacks' | 'fecPackets' | 'concealed' | 'samples',
      ): number => last[k] - (first === last ? 0 : first[k]);
      const seconds = (last.at - first.at) / 1000;
      const reported = reads.map((r) => r.reportedFractionLost).filter((x): x is number => x !== null);
      return {
        opusLines: last.opusLines,
        seconds: round(seconds),
        kbps: seconds > 0 ? round((8 * d('bytes')) / seconds / 1000) : 0,
        packets: d('packets'),
        lost: d('lost'),
        nacks: d('nacks'),
        fecPackets: d('fecPackets'),
        concealedPercent: d('samples') > 0 ? round((100 * d('concealed')) / d('samples'), 2) : null,
        reportedLossPercent:
          side === 'send' && reported.length
            ? {
                mean: round((100 * reported.reduce((a, b) => a + b, 0)) / reported.length),
                max: round(100 * Math.max(...reported)),
              }
            : null,
      };
    },
  };
}
