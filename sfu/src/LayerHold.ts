import type { types as ms } from 'mediasoup';

/** How long a layer that failed stays out of reach at first, at most, and when repeated failures are forgiven. */
export const LAYER_HOLD = {
  firstMs: 60_000,
  maxMs: 480_000,
  forgiveMs: 300_000,
  /** How long after a fall the link's loss may still be reported (receiver reports come about once a second). */
  judgeMs: 5_000,
} as const;

/** What a hold needs of a consumer (a mediasoup Consumer; a fake one in tests). */
export interface HeldConsumer {
  readonly score: Pick<ms.ConsumerScore, 'score' | 'producerScores'>;
  setPreferredLayers(layers: ms.ConsumerLayers): Promise<void>;
  on(event: 'layerschange', listener: (layers?: ms.ConsumerLayers) => void): unknown;
  on(event: 'score', listener: () => void): unknown;
  off(event: 'layerschange', listener: (layers?: ms.ConsumerLayers) => void): unknown;
  off(event: 'score', listener: () => void): unknown;
}

/**
 * mediasoup moves a simulcast consumer down a layer when its transport's bandwidth estimate falls, and back
 * up as soon as a probe says the layer above fits. On a narrow, lossy link (village ADSL, a 4G router) the
 * probe succeeds and the layer fails over and over: every few seconds the classroom gets a picture its link
 * cannot carry, frames freeze and its sound is concealed. So a layer the link failed is held out of reach:
 * the consumer prefers the layer it fell to for a minute (doubling to 8 min while the same link keeps
 * failing soon after each release; forgiven after 5 min without a failure), then may climb again.
 *
 * Only a fall the link caused counts: the producer still sends the layer, and the page's link lost packets
 * (the consumer's score below 10, i.e. more than about 1 % lost after retransmissions) at the fall or in the
 * receiver reports of the next few seconds, which tell of it late. A dip of the estimate on a clean link (a
 * busy receiver) and a layer the sender stopped (its CPU or uplink) are followed without a hold.
 */
export class LayerHold {
  readonly #consumer: HeldConsumer;
  readonly #now: () => number;
  /** What the lesson's rules want this consumer to receive. */
  #preferred: ms.ConsumerLayers;
  /** The highest spatial layer allowed while held, or null. */
  #cap: number | null = null;
  #current: number | undefined;
  #holdMs: number = LAYER_HOLD.firstMs;
  #releasedAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  /** A fall not judged yet: when, and from which layer. */
  #fall: { at: number; from: number } | null = null;
  readonly #onLayers = (layers?: ms.ConsumerLayers): void => this.#changed(layers);
  readonly #onScore = (): void => this.#judge();

  private constructor(consumer: HeldConsumer, preferred: ms.ConsumerLayers, now: () => number) {
    this.#consumer = consumer;
    this.#preferred = preferred;
    this.#now = now;
    consumer.on('layerschange', this.#onLayers);
    consumer.on('score', this.#onScore);
  }

  /** Watches a simulcast video consumer until close(). */
  static attach(consumer: HeldConsumer, preferred: ms.ConsumerLayers, now = Date.now): LayerHold {
    return new LayerHold(consumer, preferred, now);
  }

  /** The lesson's rules changed what this consumer should receive (the stage); a hold still applies. */
  prefer(layers: ms.ConsumerLayers): void {
    this.#preferred = layers;
    this.#apply();
  }

  /** The spatial layer it may not exceed now, or null when not held (for reports and tests). */
  get cap(): number | null {
    return this.#cap;
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#consumer.off('layerschange', this.#onLayers);
    this.#consumer.off('score', this.#onScore);
  }

  #changed(layers?: ms.ConsumerLayers): void {
    const before = this.#current;
    this.#current = layers?.spatialLayer;
    if (this.#current === undefined || (this.#fall && this.#current >= this.#fall.from)) this.#fall = null;
    if (before === undefined || this.#current === undefined || this.#current >= before) return;
    // A fall the hold itself asked for, or one the producer caused (it no longer sends that layer).
    if (this.#cap !== null && this.#current >= this.#cap) return;
    if (!((this.#consumer.score.producerScores[before] ?? 0) > 0)) return;
    this.#fall = { at: this.#now(), from: before };
    this.#judge();
  }

  /** A fall the link's loss explains (now, or reported soon after) holds the layer it fell to. */
  #judge(): void {
    const fall = this.#fall;
    if (!fall || this.#current === undefined) return;
    const now = this.#now();
    if (now - fall.at > LAYER_HOLD.judgeMs) {
      this.#fall = null;
      return;
    }
    if (this.#consumer.score.score >= 10) return;
    this.#fall = null;
    const again = now - this.#releasedAt < LAYER_HOLD.forgiveMs;
    this.#holdMs = again ? Math.min(2 * this.#holdMs, LAYER_HOLD.maxMs) : LAYER_HOLD.firstMs;
    this.#cap = this.#current;
    this.#apply();
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#release(), this.#holdMs);
    this.#timer.unref();
  }

  #release(): void {
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
