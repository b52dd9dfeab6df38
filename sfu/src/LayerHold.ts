import type { types as ms } from 'mediasoup';

/** How long a layer that failed stays out of reach at first, at most, and when repeated failures are forgiven. */
export const LAYER_HOLD = {
  firstMs: 60_000,
  maxMs: 480_000,
  forgiveMs: 300_000,
  /** How long after a fall the link's loss may still be reported (receiver reports come about once a second). */
  judgeMs: 5_000,
  /** How long a layer may stay at its lowest frame rate on a lossy link before the layer below is held. */
  starvedMs: 3_000,
  /** A break shorter than this (a moment at a higher frame rate) does not end such a stay. */
  starvedBreakMs: 1_000,
  /** How far back the link's estimate is read for such a stay its loss does not explain (`HeldLink`). */
  linkWindowMs: 20_000,
} as const;

/** What the page's link carried lately: its transport's LinkEstimate (a fake one in tests). */
export interface HeldLink {
  highestKbps(ms: number): number | null;
  currentKbps(): number | null;
}

/** What a hold needs of a consumer (a mediasoup Consumer; a fake one in tests). */
export interface HeldConsumer {
  readonly score: Pick<ms.ConsumerScore, 'score' | 'producerScores'>;
  setPreferredLayers(layers: ms.ConsumerLayers): Promise<void>;
  on(event: 'layerschange', listener: (layers?: ms.ConsumerLayers) => void): unknown;
  on(event: 'score', listener: () => void): unknown;
  off(event: 'layerschange', listener: (layers?: ms.ConsumerLayers) => void): unknown;
  off(event: 'score', listener: () => void): unknown;
  /** Its own and its producer's stats: the producer's `inbound-rtp` is the layer it forwards, at full rate. */
  getStats(): Promise<readonly { type: string; bitrate: number }[]>;
}

export interface LayerHoldOptions {
  now?: () => number;
  /** A consumer not resumed yet: start on the lowest layer (see `attach`). */
  startLow?: boolean;
  link?: HeldLink;
}

/**
 * mediasoup moves a simulcast consumer down a layer when its transport's bandwidth estimate falls, and back
 * up as soon as a probe says the layer above fits. On a narrow, lossy link (village ADSL, a 4G router) the
 * probe succeeds and the layer fails over and over: every few seconds the classroom gets a picture its link
 * cannot carry, frames freeze and its sound is concealed; or it keeps the bigger picture at a quarter of its
 * frame rate. So a layer the link failed (fell from, or kept only at its lowest frame rate) is held out of reach:
 * the consumer prefers the layer below it for a minute (doubling to 8 min while the same link keeps
 * failing soon after each release; forgiven after 5 min without a failure), then may climb again.
 *
 * Only a fall the link caused counts: the producer still sends the layer, and the page's link lost more than
 * it did on the layer below (the consumer's score, from receiver reports, under what it was when the consumer
 * last climbed; 10 before any climb, i.e. about 1 % lost after retransmissions), at the fall or in the next few
 * seconds of reports, which tell of it late. A line that always loses a few percent (rural 4G) is not held
 * for that loss alone, only when the layer above adds to it. A dip of the estimate on a clean link (a busy
 * receiver) and a layer the sender stopped (its CPU or uplink) are followed without a hold.
 *
 * mediasoup weighs retransmitted packets off a consumer's score, so a 300 kbit/s line losing 5 % often scores
 * 10 while its picture sits at 360p at a quarter of its frame rate. Such a stay also holds when the link's
 * estimate has not reached the layer's full rate once in the last 20 s: the line cannot carry it (a 600 kbit/s
 * line dips through that state and is back above the layer's rate within seconds). A link too new to have 20 s
 * of estimates is judged again every few seconds while the stay lasts. A hold the estimate made ends as soon
 * as the estimate reaches the layer's rate: an estimate still climbing looks narrow too (a new transport
 * whose first probe failed climbed for 30 s on a clean link and was held at 360p for the minute after).
 */
export class LayerHold {
  readonly #consumer: HeldConsumer;
  readonly #now: () => number;
  readonly #link: HeldLink | undefined;
  #closed = false;
  /** What the lesson's rules want this consumer to receive. */
  #preferred: ms.ConsumerLayers;
  /** The highest spatial layer allowed while held, or null. */
  #cap: number | null = null;
  #current: number | undefined;
  /** The temporal layer of #current (2, the full frame rate, when mediasoup did not say). */
  #temporal = 2;
  /** While the consumer's layer is kept at its lowest frame rate (#watchStarving): which, and its timers. */
  #starved: {
    layer: number;
    timer: NodeJS.Timeout;
    /** Running during a break: the stay ends with it. */
    ending: NodeJS.Timeout | undefined;
    /** Its time came during a break: it holds if the break ends back at the lowest frame rate. */
    due: boolean;
  } | null = null;
  #holdMs: number = LAYER_HOLD.firstMs;
  #releasedAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  /** While a hold the estimate made lasts: the look, every `starvedMs`, for the estimate reaching its layer. */
  #widening: NodeJS.Timeout | undefined;
  /** The link's score on the layer below, taken when the consumer last climbed. */
  #scoreBelow = 10;
  /** Created on the lowest layer (`startLow`): raised to #preferred once that layer is forwarded. */
  #starting: boolean;
  /** A fall not judged yet: when, and from which layer. */
  #fall: { at: number; from: number } | null = null;
  readonly #onLayers = (layers?: ms.ConsumerLayers): void => this.#changed(layers);
  readonly #onScore = (): void => this.#judge();

  private constructor(consumer: HeldConsumer, preferred: ms.ConsumerLayers, options: LayerHoldOptions) {
    this.#consumer = consumer;
    this.#preferred = preferred;
    this.#now = options.now ?? Date.now;
    this.#link = options.link;
    this.#starting = (options.startLow ?? false) && preferred.spatialLayer > 0;
    if (this.#starting) {
      void consumer.setPreferredLayers({ ...preferred, spatialLayer: 0 }).catch(() => undefined);
    }
    consumer.on('layerschange', this.#onLayers);
    consumer.on('score', this.#onScore);
  }

  /**
   * Watches a simulcast video consumer until close(). `startLow` (a consumer not resumed yet): it prefers the
   * lowest layer first — a picture starts on the smallest key frame, which comes first, so a classroom sees
   * the teacher at once — and is raised to `preferred` as soon as that layer is forwarded.
   */
  static attach(
    consumer: HeldConsumer,
    preferred: ms.ConsumerLayers,
    options: LayerHoldOptions = {},
  ): LayerHold {
    return new LayerHold(consumer, preferred, options);
  }

  /** The lesson's rules changed what this consumer should receive (the stage); a hold still applies. */
  prefer(layers: ms.ConsumerLayers): void {
    this.#preferred = layers;
    if (!this.#starting) this.#apply();
  }

  /** The spatial layer it may not exceed now, or null when not held (for reports and tests). */
  get cap(): number | null {
    return this.#cap;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#widening);
    this.#endStarved();
    this.#consumer.off('layerschange', this.#onLayers);
    this.#consumer.off('score', this.#onScore);
  }

  #changed(layers?: ms.ConsumerLayers): void {
    const before = this.#current;
    const now = layers?.spatialLayer;
    this.#current = now;
    this.#temporal = layers?.temporalLayer ?? 2;
    this.#watchStarving(now, this.#temporal);
    if (now === undefined) {
      this.#fall = null;
      return;
    }
    if (this.#starting) {
      this.#starting = false;
      if (this.#preferred.spatialLayer > now) this.#apply();
      return;
    }
    // Back where it fell from before any loss was told: nothing to judge.
    if (this.#fall && now >= this.#fall.from) this.#fall = null;
    if (before === undefined || now === before) return;
    if (now > before) {
      this.#scoreBelow = this.#consumer.score.score;
      return;
    }
    // The hold's own doing, or the producer's (it no longer sends that layer).
    if (this.#cap !== null && now >= this.#cap) return;
    if (!((this.#consumer.score.producerScores[before] ?? 0) > 0)) return;
    this.#fall = { at: this.#now(), from: before };
    this.#judge();
  }

  /**
   * A layer above the lowest kept at its lowest frame rate (≈ 7 of 30 fps) for `starvedMs` on a lossy link is
   * held from too: a smaller picture at full rate serves a lesson better than a bigger one in jerks. A break of
   * under `starvedBreakMs` does not end the stay: on a narrow lossy link mediasoup moves the temporal layer up
   * and back with every estimate, and the picture stayed jerky without ever 3 s in a row at the lowest rate
   * (bench:networks, bad: 360p with T0 42 % of the time). A clean link's estimate passes through such states as
   * it grows; so may a lossy one's, briefly.
   */
  #watchStarving(spatial: number | undefined, temporal = 2): void {
    if (this.#starved && spatial !== this.#starved.layer) this.#endStarved();
    const episode = this.#starved;
    if (spatial === undefined || spatial === 0 || temporal > 0) {
      if (episode && !episode.ending) {
        episode.ending = setTimeout(() => this.#endStarved(), LAYER_HOLD.starvedBreakMs);
        episode.ending.unref();
      }
      return;
    }
    if (episode) {
      clearTimeout(episode.ending);
      episode.ending = undefined;
      if (episode.due) this.#starvedLong(spatial);
      return;
    }
    const timer = setTimeout(() => {
      const stay = this.#starved;
      if (stay?.ending) stay.due = true;
      else this.#starvedLong(spatial);
    }, LAYER_HOLD.starvedMs);
    timer.unref();
    this.#starved = { layer: spatial, timer, ending: undefined, due: false };
  }

  /**
   * The stay at the lowest frame rate lasted: the layer below is held, if the link's loss explains it, or
   * its estimate (#narrow). An estimate too new to tell is asked again after another `starvedMs` of the same
   * stay: a bad line's first stay begins a few seconds after it joined, and was otherwise never judged (360p
   * at its lowest frame rate for 17–27 s in three bench:networks minutes, until a moment at a better rate
   * started a stay that could be).
   */
  #starvedLong(spatial: number): void {
    this.#endStarved();
    const holds = (): boolean =>
      !this.#closed &&
      this.#current === spatial &&
      (this.#cap === null || spatial - 1 < this.#cap) &&
      (this.#consumer.score.producerScores[spatial] ?? 0) > 0;
    if (!holds()) return;
    if (this.#consumer.score.score < 10) {
      this.#hold(spatial - 1);
      return;
    }
    void this.#narrow().then((narrow) => {
      if (!holds()) return;
      if (typeof narrow === 'number') this.#hold(spatial - 1, narrow);
      else if (narrow === null && this.#temporal === 0 && !this.#starved) this.#watchStarving(spatial, 0);
    });
  }

  /**
   * The full rate of the layer forwarded (kbit/s) if the link's estimate stayed under it all of the last
   * 20 s, else false; null when the link is too new to tell.
   */
  async #narrow(): Promise<number | false | null> {
    if (!this.#link) return false;
    const highest = this.#link.highestKbps(LAYER_HOLD.linkWindowMs);
    if (highest === null) return null;
    // A consumer closed meanwhile refuses: nothing to hold any more.
    const stats = await this.#consumer.getStats().catch(() => []);
    const layerKbps = (stats.find((s) => s.type === 'inbound-rtp')?.bitrate ?? 0) / 1000;
    return layerKbps > 0 && highest < layerKbps ? layerKbps : false;
  }

  #endStarved(): void {
    if (!this.#starved) return;
    clearTimeout(this.#starved.timer);
    clearTimeout(this.#starved.ending);
    this.#starved = null;
  }

  /**
   * A fall the link's loss explains (now, or reported soon after) holds the layer it fell from out of reach;
   * the one below that stays allowed. An estimate that dipped skips layers: a county line fell from 720p to
   * 180p and was held there for a minute on 2 Mbit/s (bench:networks, 180p 73–99 % of the time), though
   * 360p was never tried. If 360p fails too, that fall holds it.
   */
  #judge(): void {
    const fall = this.#fall;
    if (!fall || this.#current === undefined) return;
    if (this.#now() - fall.at > LAYER_HOLD.judgeMs) {
      this.#fall = null;
      return;
    }
    if (this.#consumer.score.score >= Math.min(10, this.#scoreBelow)) return;
    this.#fall = null;
    this.#hold(Math.max(this.#current, fall.from - 1));
  }

  /** Holds the layers above `layer`; `untilKbps`: a hold the estimate made, which ends when it reaches that. */
  #hold(layer: number, untilKbps?: number): void {
    const again = this.#now() - this.#releasedAt < LAYER_HOLD.forgiveMs;
    this.#holdMs = again ? Math.min(2 * this.#holdMs, LAYER_HOLD.maxMs) : LAYER_HOLD.firstMs;
    this.#cap = layer;
    this.#apply();
    clearTimeout(this.#timer);
    clearInterval(this.#widening);
    this.#widening = undefined;
    this.#timer = setTimeout(() => this.#release(), this.#holdMs);
    this.#timer.unref();
    const link = this.#link;
    if (untilKbps === undefined || !link) return;
    this.#widening = setInterval(() => {
      if ((link.currentKbps() ?? 0) >= untilKbps) this.#release();
    }, LAYER_HOLD.starvedMs);
    this.#widening.unref();
  }

  #release(): void {
    clearTimeout(this.#timer);
    clearInterval(this.#widening);
    this.#widening = undefined;
    this.#cap = null;
    this.#releasedAt = this.#now();
    this.#apply();
  }

  #apply(): void {
    const spatialLayer =
      this.#cap === null ? this.#preferred.spatialLayer : Math.min(this.#cap, this.#preferred.spatialLayer);
    // A consumer closed meanwhile refuses: nothing to hold any more.
    void this.#consumer.setPreferredLayers({ ...this.#preferred, spatialLayer }).catch(() => undefined);
  }
}
