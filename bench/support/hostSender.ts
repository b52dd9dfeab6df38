/**
 * What the host's console sends, layer by layer, read every second from its getStats() (the network lab's
 * probe) while the classrooms are measured: which layers are sent, at what size and frame rate, and why the
 * browser limits them (`qualityLimitationReason`: `cpu` on a busy machine, `bandwidth`). It tells a classroom
 * whose picture dropped whether the host's encoder or the SFU's choice of layer did it.
 */
import type { Page } from '@playwright/test';
import { statsSnapshot } from '@cloudschool/testkit/netlab';
import type { OutboundStream } from '@cloudschool/testkit/netlab';

export interface LayerSummary {
  /** `r0`…`r2` (simulcast), or `single`. */
  rid: string;
  /** Share of the 1-s samples in which the layer encoded frames. */
  sentShare: number;
  /** Heights it had while sent (share of its sent samples), most frequent first. */
  heights: { height: number; share: number }[];
  fps: number;
  kbps: number;
  /** qualityLimitationReason over its sent samples (share each). */
  limitations: Record<string, number>;
}

export interface HostSender {
  seconds: number;
  layers: LayerSummary[];
  /** Share of the samples in which the top layer was 1280 × 720 and encoding at ≥ 20 fps. */
  top720Share: number;
}

const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

export function watchHost(page: Page, periodMs = 1000): { stop(): Promise<HostSender> } {
  let running = true;
  const samples: { at: number; out: OutboundStream[] }[] = [];
  const loop = (async () => {
    while (running) {
      try {
        const { outbound } = await statsSnapshot(page);
        samples.push({ at: Date.now(), out: outbound.filter((s) => s.kind === 'video') });
      } catch {
        // The page is busy or gone: the next sample.
      }
      await new Promise((r) => setTimeout(r, periodMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const byRid = new Map<
        string,
        {
          sent: number;
          heights: Map<number, number>;
          fps: number[];
          kbps: number[];
          why: Map<string, number>;
        }
      >();
      let top720 = 0;
      for (let i = 1; i < samples.length; i++) {
        const dt = (samples[i]!.at - samples[i - 1]!.at) / 1000;
        let topHeight = 0;
        let topFps = 0;
        for (const s of samples[i]!.out) {
          const before = samples[i - 1]!.out.find((b) => b.ssrc === s.ssrc);
          if (!before || dt <= 0) continue;
          const rid = s.rid || 'single';
          let r = byRid.get(rid);
          if (!r) byRid.set(rid, (r = { sent: 0, heights: new Map(), fps: [], kbps: [], why: new Map() }));
          const fps = (s.framesEncoded - before.framesEncoded) / dt;
          if (fps <= 0) continue;
          r.sent++;
          r.heights.set(s.frameHeight, (r.heights.get(s.frameHeight) ?? 0) + 1);
          r.fps.push(fps);
          r.kbps.push((8 * (s.bytesSent - before.bytesSent)) / dt / 1000);
          const why = s.qualityLimitationReason || 'none';
          r.why.set(why, (r.why.get(why) ?? 0) + 1);
          if (s.frameHeight > topHeight) {
            topHeight = s.frameHeight;
            topFps = fps;
          }
        }
        if (topHeight >= 720 && topFps >= 20) top720++;
      }
      const n = Math.max(1, samples.length - 1);
      const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
      return {
        seconds: samples.length > 1 ? round((samples.at(-1)!.at - samples[0]!.at) / 1000, 1) : 0,
        top720Share: round(top720 / n),
        layers: [...byRid]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([rid, r]) => ({
            rid,
            sentShare: round(r.sent / n),
            heights: [...r.heights]
              .map(([height, count]) => ({ height, share: round(count / Math.max(1, r.sent)) }))
              .sort((a, b) => b.share - a.share),
            fps: round(mean(r.fps), 1),
            kbps: Math.round(mean(r.kbps)),
            limitations: Object.fromEntries([...r.why].map(([k, v]) => [k, round(v / Math.max(1, r.sent))])),
          })),
      };
    },
  };
}
