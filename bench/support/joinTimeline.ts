/**
 * Join → first frame, timed inside a real classroom page without help from the app: an init script notes, on
 * the page's own clock (`performance.now()`), every Socket.IO event the page sends and the answer to each
 * (it wraps `WebSocket`), when its peer connections connect (the event, or the 10-ms poll below if that
 * sees it first), and — polling getStats() every 10 ms from the moment `lesson:join` leaves — when the first
 * video RTP packet arrived and the first video frame was decoded.
 *
 * **join → first frame** = from the page handing `lesson:join` to its WebSocket to the first poll that finds
 * `framesDecoded > 0` on an inbound video stream (mediasoup's probator, ssrc 1234, excluded): the decode
 * happened in the 10 ms before that poll (plus one getStats() call). Page load before the join is not in it
 * (given separately: the join's `performance.now()` is the time since the navigation started).
 *
 * Install with `addJoinTimeline(context)` before the page loads; read with `joinTimeline(page)`.
 */
import type { BrowserContext, Page } from '@playwright/test';

/** One event the page sent and, if it came, its answer (ms on the page's clock). */
export interface SentEvent {
  event: string;
  sentAt: number;
  answeredAt: number | null;
}

export interface JoinTimeline {
  /** The page's first WebSocket made, and open (the Socket.IO connection). */
  socketMadeAt: number | null;
  socketOpenAt: number | null;
  /** `lesson:join` handed to the WebSocket (null: not yet). */
  joinSentAt: number | null;
  events: SentEvent[];
  /** Each peer connection's first `connected` (in the order they were made; null: not connected). */
  connectedAt: (number | null)[];
  /** The first receiving connection's `connected` (mediasoup's receive transport). */
  recvConnectedAt: number | null;
  firstVideoPacketAt: number | null;
  firstFrameAt: number | null;
  /** First frame's size as decoded. */
  frameWidth: number;
  frameHeight: number;
}

interface TimelineWindow {
  __joinTimeline?: JoinTimeline;
}

/** Runs in the page, before its own scripts. */
export function installJoinTimeline(pollMs: number): void {
  const w = window as unknown as TimelineWindow & {
    WebSocket: typeof WebSocket;
    RTCPeerConnection?: typeof RTCPeerConnection;
  };
  if (w.__joinTimeline) return;
  const PROBATOR_SSRC = 1234;
  const timeline: JoinTimeline = {
    socketMadeAt: null,
    socketOpenAt: null,
    joinSentAt: null,
    events: [],
    connectedAt: [],
    recvConnectedAt: null,
    firstVideoPacketAt: null,
    firstFrameAt: null,
    frameWidth: 0,
    frameHeight: 0,
  };
  w.__joinTimeline = timeline;
  const connections: RTCPeerConnection[] = [];
  /** Socket.IO ack id → the event it answers. */
  const waiting = new Map<string, SentEvent>();

  const connected = (pc: RTCPeerConnection, index: number, at: number): void => {
    timeline.connectedAt[index] = at;
    const receiving = pc.getTransceivers().some((t) => t.direction === 'recvonly');
    if (receiving && timeline.recvConnectedAt === null) timeline.recvConnectedAt = at;
  };
  const poll = async (): Promise<void> => {
    if (timeline.firstFrameAt !== null) return;
    for (const [index, pc] of connections.entries()) {
      if (pc.connectionState === 'closed') continue;
      const report = await pc.getStats();
      const now = performance.now();
      if (pc.connectionState === 'connected' && timeline.connectedAt[index] === null)
        connected(pc, index, now);
      report.forEach((r: Record<string, unknown>) => {
        if (r.type !== 'inbound-rtp' || r.kind !== 'video' || r.ssrc === PROBATOR_SSRC) return;
        if (timeline.firstVideoPacketAt === null && Number(r.packetsReceived ?? 0) > 0)
          timeline.firstVideoPacketAt = now;
        if (timeline.firstFrameAt === null && Number(r.framesDecoded ?? 0) > 0) {
          timeline.firstFrameAt = now;
          timeline.frameWidth = Number(r.frameWidth ?? 0);
          timeline.frameHeight = Number(r.frameHeight ?? 0);
        }
      });
    }
  };
  const startPolling = (): void => {
    let busy = false;
    const timer = setInterval(() => {
      if (timeline.firstFrameAt !== null) return clearInterval(timer);
      if (busy) return;
      busy = true;
      poll().finally(() => (busy = false));
    }, pollMs);
  };

  // Socket.IO over engine.io: `42<ack id>["event",…]` out, `43<ack id>[…]` back.
  const nativeSend = w.WebSocket.prototype.send;
  w.WebSocket.prototype.send = function (this: WebSocket, data) {
    if (typeof data === 'string') {
      const m = /^42(\d+)\["([^"]+)"/.exec(data);
      if (m) {
        const sent: SentEvent = { event: m[2]!, sentAt: performance.now(), answeredAt: null };
        timeline.events.push(sent);
        waiting.set(m[1]!, sent);
        if (sent.event === 'lesson:join' && timeline.joinSentAt === null) {
          timeline.joinSentAt = sent.sentAt;
          startPolling();
        }
      }
    }
    return nativeSend.call(this, data);
  };
  w.WebSocket = new Proxy(w.WebSocket, {
    construct(target, args, newTarget) {
      const ws = Reflect.construct(target, args, newTarget) as WebSocket;
      timeline.socketMadeAt ??= performance.now();
      ws.addEventListener('open', () => (timeline.socketOpenAt ??= performance.now()));
      // Added before the page's own listener: it sees the answer first.
      ws.addEventListener('message', (e: MessageEvent) => {
        if (typeof e.data !== 'string') return;
        const m = /^43(\d+)/.exec(e.data);
        const sent = m ? waiting.get(m[1]!) : undefined;
        if (sent && sent.answeredAt === null) {
          sent.answeredAt = performance.now();
          waiting.delete(m![1]!);
        }
      });
      return ws;
    },
  });

  const Native = w.RTCPeerConnection;
  if (Native) {
    w.RTCPeerConnection = new Proxy(Native, {
      construct(target, args, newTarget) {
        const pc = Reflect.construct(target, args, newTarget) as RTCPeerConnection;
        const index = connections.push(pc) - 1;
        timeline.connectedAt[index] = null;
        pc.addEventListener('connectionstatechange', () => {
          if (pc.connectionState === 'connected' && timeline.connectedAt[index] === null)
            connected(pc, index, performance.now());
        });
        return pc;
      },
    });
  }
}

export async function addJoinTimeline(context: BrowserContext, pollMs = 10): Promise<void> {
  await context.addInitScript({ content: `(${installJoinTimeline.toString()})(${pollMs});` });
}

/** The page's timeline, and when its document was loaded (navigation timing, ms on the page's clock). */
export function joinTimeline(
  page: Page,
): Promise<(JoinTimeline & { domContentLoadedAt: number | null }) | null> {
  return page.evaluate(() => {
    const t = (window as unknown as TimelineWindow).__joinTimeline;
    if (!t) return null;
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
    return { ...t, domContentLoadedAt: nav ? nav.domContentLoadedEventEnd || null : null };
  });
}

/** The steps of one join, in ms from `lesson:join` leaving the page (null: did not happen). */
export interface JoinSteps {
  /** performance.now() when the join left: the page's load, its script and its socket's connection. */
  loadMs: number;
  /** Before the join, from the navigation's start: the document loaded (DOMContentLoaded), the socket made and open. */
  documentLoaded: number | null;
  socketMade: number | null;
  socketOpen: number | null;
  joinAnswered: number | null;
  /** `media:createTransport` sent: the mediasoup Device loaded. */
  transportAsked: number | null;
  /** The first `media:consume` answered, the last `media:resumeConsumer` of the first round answered. */
  consumeAnswered: number | null;
  resumeAnswered: number | null;
  /** The receive transport's connection connected: ICE + DTLS. */
  connected: number | null;
  firstVideoPacket: number | null;
  firstFrame: number | null;
  frameHeight: number;
}

export function joinSteps(t: JoinTimeline & { domContentLoadedAt?: number | null }): JoinSteps | null {
  const at0 = t.joinSentAt;
  if (at0 === null) return null;
  const rel = (x: number | null | undefined): number | null =>
    x === null || x === undefined ? null : x - at0;
  const first = (event: string, key: 'sentAt' | 'answeredAt'): number | null =>
    rel(t.events.find((e) => e.event === event && e.sentAt >= at0)?.[key]);
  const resumes = t.events.filter((e) => e.event === 'media:resumeConsumer' && e.sentAt >= at0);
  const lastResume = resumes
    .slice(0, 2)
    .reduce<number | null>((a, e) => (e.answeredAt === null ? a : Math.max(a ?? 0, e.answeredAt)), null);
  return {
    loadMs: at0,
    documentLoaded: t.domContentLoadedAt ?? null,
    socketMade: t.socketMadeAt,
    socketOpen: t.socketOpenAt,
    joinAnswered: first('lesson:join', 'answeredAt'),
    transportAsked: first('media:createTransport', 'sentAt'),
    consumeAnswered: first('media:consume', 'answeredAt'),
    resumeAnswered: rel(lastResume),
    connected: rel(t.recvConnectedAt),
    firstVideoPacket: rel(t.firstVideoPacketAt),
    firstFrame: rel(t.firstFrameAt),
    frameHeight: t.frameHeight,
  };
}
