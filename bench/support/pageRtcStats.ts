/**
 * WebRTC statistics of a real page (Chromium) without help from the app: an init script keeps every
 * RTCPeerConnection the page makes, and getStats() is read from them. Used for the host's outgoing
 * bitrate and key frames, and for what the canary classroom pages decode.
 */
import type { Page } from '@playwright/test';

interface Tracked {
  __benchPeerConnections?: RTCPeerConnection[];
}

/** Must run before the page's scripts: install with page.addInitScript (or on the context). */
export function trackPeerConnections(): void {
  const w = window as unknown as Tracked & { RTCPeerConnection: typeof RTCPeerConnection };
  const tracked: RTCPeerConnection[] = [];
  w.__benchPeerConnections = tracked;
  const Native = w.RTCPeerConnection;
  w.RTCPeerConnection = class extends Native {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      tracked.push(this);
    }
  };
}

export interface OutboundSample {
  /** Wall-clock ms on this (Node) side when the sample came back. */
  at: number;
  /** Payload bytes sent, summed over every outbound RTP stream (simulcast layers, video and audio). */
  bytesSent: number;
  videoBytesSent: number;
  framesEncoded: number;
  keyFramesEncoded: number;
  /** Key frame requests the sender received from the SFU. */
  pliCount: number;
  firCount: number;
  nackCount: number;
  frameWidth: number;
  frameHeight: number;
  framesPerSecond: number;
  /** Why the encoder sends less than asked ('cpu' on a busy machine, 'bandwidth', 'none'). */
  qualityLimitationReason: string;
  /** The sender's bandwidth estimate towards the SFU (selected candidate pair), bit/s. */
  availableOutgoingBitrate: number;
}

export async function outboundSample(page: Page): Promise<OutboundSample> {
  const sample = await page.evaluate(async () => {
    const sum = {
      bytesSent: 0,
      videoBytesSent: 0,
      framesEncoded: 0,
      keyFramesEncoded: 0,
      pliCount: 0,
      firCount: 0,
      nackCount: 0,
      frameWidth: 0,
      frameHeight: 0,
      framesPerSecond: 0,
      qualityLimitationReason: '',
      availableOutgoingBitrate: 0,
    };
    const pcs = (window as unknown as { __benchPeerConnections?: RTCPeerConnection[] })
      .__benchPeerConnections;
    for (const pc of pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      const reports = [...(await pc.getStats()).values()] as Record<string, unknown>[];
      if (!reports.some((r) => r.type === 'outbound-rtp')) continue; // a receive-only connection
      for (const r of reports) {
        const n = (k: string): number => (typeof r[k] === 'number' ? r[k] : 0);
        if (r.type === 'candidate-pair' && r.nominated === true) {
          sum.availableOutgoingBitrate = Math.max(
            sum.availableOutgoingBitrate,
            n('availableOutgoingBitrate'),
          );
        }
        if (r.type !== 'outbound-rtp') continue;
        sum.bytesSent += n('bytesSent');
        sum.nackCount += n('nackCount');
        if (r.kind !== 'video') continue;
        sum.videoBytesSent += n('bytesSent');
        sum.framesEncoded += n('framesEncoded');
        sum.keyFramesEncoded += n('keyFramesEncoded');
        sum.pliCount += n('pliCount');
        sum.firCount += n('firCount');
        // The largest layer describes the picture classrooms get.
        if (n('frameWidth') > sum.frameWidth) {
          sum.frameWidth = n('frameWidth');
          sum.frameHeight = n('frameHeight');
          sum.framesPerSecond = n('framesPerSecond');
          sum.qualityLimitationReason = String(r.qualityLimitationReason ?? '');
        }
      }
    }
    return sum;
  });
  return { at: Date.now(), ...sample };
}

export interface InboundSample {
  videoPackets: number;
  videoPacketsLost: number;
  framesDecoded: number;
  freezeCount: number;
  audioPackets: number;
  audioPacketsLost: number;
}

/** mediasoup's bandwidth probe arrives as its own video stream that never decodes. */
const PROBATOR_SSRC = 1234;

export async function inboundSample(page: Page): Promise<InboundSample> {
  return page.evaluate(async (probator) => {
    const sum = {
      videoPackets: 0,
      videoPacketsLost: 0,
      framesDecoded: 0,
      freezeCount: 0,
      audioPackets: 0,
      audioPacketsLost: 0,
    };
    const pcs = (window as unknown as { __benchPeerConnections?: RTCPeerConnection[] })
      .__benchPeerConnections;
    for (const pc of pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r: Record<string, number | string | undefined>) => {
        if (r.type !== 'inbound-rtp' || r.ssrc === probator) return;
        const n = (k: string): number => (typeof r[k] === 'number' ? r[k] : 0);
        if (r.kind === 'video') {
          sum.videoPackets += n('packetsReceived');
          sum.videoPacketsLost += n('packetsLost');
          sum.framesDecoded += n('framesDecoded');
          sum.freezeCount += n('freezeCount');
        } else {
          sum.audioPackets += n('packetsReceived');
          sum.audioPacketsLost += n('packetsLost');
        }
      });
    }
    return sum;
  }, PROBATOR_SSRC);
}
