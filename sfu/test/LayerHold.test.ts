import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { types as ms } from 'mediasoup';
import { LAYER_HOLD, LayerHold } from '../src/index.ts';
import type { HeldConsumer, HeldLink } from '../src/index.ts';

/** A simulcast consumer as the hold sees it: layer changes, the producer's per-layer scores, preferences asked. */
class FakeConsumer extends EventEmitter implements HeldConsumer {
  /** A lossy link (≈ 5 % lost: mediasoup scores it 8) under a producer sending every layer. */
  score = { score: 8, producerScores: [10, 10, 10] };
  asked: number[] = [];
  /** The full rate of the layer it forwards, as its producer receives it (bit/s). */
  layerBitrate = 330_000;
  getStats(): Promise<{ type: string; bitrate: number }[]> {
    return Promise.resolve([
      { type: 'outbound-rtp', bitrate: 80_000 },
      { type: 'inbound-rtp', bitrate: this.layerBitrate },
    ]);
  }
  setPreferredLayers(layers: ms.ConsumerLayers): Promise<void> {
    this.asked.push(layers.spatialLayer);
    return Promise.resolve();
  }
  /** mediasoup reports the layer it now sends. */
  sends(spatialLayer: number, temporalLayer = 2): void {
    this.emit('layerschange', { spatialLayer, temporalLayer });
  }
  /** The layer above overflowed the line: more lost (a lower score), and mediasoup falls back. */
  fallsTo(spatialLayer: number, score = 5): void {
    this.score.score = score;
    this.sends(spatialLayer);
  }
  /** Back on a layer the line carries: its usual loss. */
  climbsTo(spatialLayer: number, score = 8): void {
    this.score.score = score;
    this.sends(spatialLayer);
  }
}

const HIGH = { spatialLayer: 2, temporalLayer: 2 };

/** A link whose estimate is `kbps()` now and over any window. */
const linkAt = (kbps: () => number | null): HeldLink => ({ highestKbps: kbps, currentKbps: kbps });
let clock = 0;
const now = (): number => clock;
const pass = (ms: number): void => {
  clock += ms;
  vi.advanceTimersByTime(ms);
};

/** The hold's asynchronous read of the consumer's stats, done. */
const statsRead = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

beforeEach(() => {
  vi.useFakeTimers();
  clock = 0;
});
afterEach(() => vi.useRealTimers());

describe('LayerHold', () => {
  it('holds a layer the link failed, then offers it again', () => {
    const consumer = new FakeConsumer();
    const hold = LayerHold.attach(consumer, HIGH, { now });
    consumer.sends(0);
    consumer.climbsTo(1);
    expect(consumer.asked).toEqual([]);
    consumer.fallsTo(0);
    expect(hold.cap).toBe(0);
    expect(consumer.asked).toEqual([0]);
    pass(LAYER_HOLD.firstMs - 1);
    expect(hold.cap).toBe(0);
    pass(1);
    expect(hold.cap).toBeNull();
    expect(consumer.asked).toEqual([0, 2]);
  });

  it('holds only the layer the link failed when the estimate skipped one on its way down', () => {
    const consumer = new FakeConsumer();
    const hold = LayerHold.attach(consumer, HIGH, { now });
    consumer.sends(0);
    consumer.climbsTo(1);
    consumer.climbsTo(2);
    consumer.fallsTo(0);
    expect(hold.cap, '360p was not tried: still allowed').toBe(1);
    expect(consumer.asked).toEqual([1]);
    consumer.climbsTo(1);
    consumer.fallsTo(0);
    expect(hold.cap, 'it failed too').toBe(0);
    expect(consumer.asked).toEqual([1, 0]);
  });

  it('starts a picture on the lowest layer and raises it once that layer is forwarded (startLow)', () => {
    const consumer = new FakeConsumer();
    const hold = LayerHold.attach(consumer, HIGH, { now, startLow: true });
    expect(consumer.asked).toEqual([0]);
    // The rules change before the first frame (the stage): kept for when it climbs.
    hold.prefer({ spatialLayer: 1, temporalLayer: 2 });
    expect(consumer.asked).toEqual([0]);
    consumer.sends(0);
    expect(consumer.asked).toEqual([0, 1]);
    consumer.climbsTo(1);
    expect(consumer.asked).toEqual([0, 1]);
    expect(hold.cap).toBeNull();
    // A tile that wants the lowest layer anyway starts there with nothing more asked.
    const tile = new FakeConsumer();
    LayerHold.attach(tile, { spatialLayer: 0, temporalLayer: 2 }, { now, startLow: true });
    tile.sends(0);
    expect(tile.asked).toEqual([]);
  });

  it('doubles the hold while the link keeps failing soon after each release, up to its maximum', () => {
    const consumer = new FakeConsumer();
    const hold = LayerHold.attach(consumer, HIGH, { now });
    const held: number[] = [];
    consumer.sends(2);
    for (let i = 0; i < 6; i++) {
      consumer.fallsTo(0);
      const start = clock;
      while (hold.cap !== null) pass(1000);
      held.push(clock - start);
      pass(5000);
      consumer.climbsTo(2);
    }
    const { firstMs: first, maxMs: max } = LAYER_HOLD;
    expect(held).toEqual([first, 2 * first, 4 * first, 8 * first, max, max]);
    expect(8 * first).toBe(max);
    // Long enough without a failure: forgiven, the next hold is the first again.
    pass(LAYER_HOLD.forgiveMs);
    consumer.fallsTo(1);
    const start = clock;
    while (hold.cap !== null) pass(1000);
    expect(clock - start).toBe(LAYER_HOLD.firstMs);
  });

  it('holds a fall whose loss the next receiver reports tell, not one they tell too late', () => {
    const consumer = new FakeConsumer();
    consumer.score.score = 10;
    const hold = LayerHold.attach(consumer, HIGH, { now });
    consumer.sends(2);
    consumer.sends(1);
    pass(1000);
    consumer.score.score = 7;
    consumer.emit('score');
    expect(hold.cap).toBe(1);

    const late = new FakeConsumer();
    late.score.score = 10;
    const notHeld = LayerHold.attach(late, HIGH, { now });
    late.sends(2);
    late.sends(0);
    pass(LAYER_HOLD.judgeMs + 1);
    late.score.score = 7;
    late.emit('score');
    expect(notHeld.cap).toBeNull();
  });

  it('holds a fall on a lossy line only when the layer above lost more than the one below', () => {
    const consumer = new FakeConsumer();
    consumer.score.score = 9;
    const hold = LayerHold.attach(consumer, HIGH, { now });
    consumer.sends(0);
    consumer.sends(1);
    // The line loses as much on layer 1 as on layer 0: the estimate's dip is no reason to hold.
    consumer.sends(0);
    pass(LAYER_HOLD.judgeMs + 1);
    consumer.emit('score');
    expect(hold.cap).toBeNull();
    consumer.sends(1);
    consumer.score.score = 6;
    consumer.sends(0);
    expect(hold.cap).toBe(0);
  });

  it('holds the layer below one its lossy link keeps only at the lowest frame rate', () => {
    const consumer = new FakeConsumer();
    const hold = LayerHold.attach(consumer, HIGH, { now });
    consumer.sends(1, 2);
    consumer.sends(1, 0);
    // A short stay at the lowest frame rate is the estimate moving: nothing yet.
    pass(LAYER_HOLD.starvedMs - 1);
    consumer.sends(1, 1);
    pass(LAYER_HOLD.starvedMs);
    expect(hold.cap).toBeNull();
    consumer.sends(1, 0);
    pass(LAYER_HOLD.starvedMs);
    expect(hold.cap).toBe(0);
    expect(consumer.asked).toEqual([0]);
    // On the lowest layer a quarter of the frame rate is all there is: nothing below to hold.
    consumer.sends(0, 0);
    pass(LAYER_HOLD.starvedMs);
    expect(consumer.asked).toEqual([0]);
  });

  it('holds on a stay its score does not explain when the link never reached the layer’s rate in 20 s', async () => {
    // 5 % lost and retransmitted scores 10: the score says nothing; the estimate does.
    const stay = async (highest: number | null): Promise<number | null> => {
      const consumer = new FakeConsumer();
      consumer.score.score = 10;
      const windows: number[] = [];
      const link = {
        highestKbps: (ms: number): number | null => {
          windows.push(ms);
          return highest;
        },
        currentKbps: () => highest,
      };
      const hold = LayerHold.attach(consumer, HIGH, { now, link });
      consumer.sends(1, 0);
      pass(LAYER_HOLD.starvedMs);
      await statsRead();
      if (highest !== null) expect(windows).toEqual([LAYER_HOLD.linkWindowMs]);
      return hold.cap;
    };
    expect(await stay(280), 'a 300 kbit/s line under 360p’s 330 kbit/s').toBe(0);
    expect(await stay(520), 'a 600 kbit/s line dipping through it').toBeNull();
    expect(await stay(null), 'a link too new to tell').toBeNull();

    // Back at a better frame rate before the stats came: nothing to hold.
    const consumer = new FakeConsumer();
    consumer.score.score = 10;
    const hold = LayerHold.attach(consumer, HIGH, { now, link: linkAt(() => 280) });
    consumer.sends(1, 0);
    pass(LAYER_HOLD.starvedMs);
    consumer.sends(2, 2);
    await statsRead();
    expect(hold.cap).toBeNull();
  });

  it('judges a stay again while its link is too new to tell, and holds once the estimate says so', async () => {
    const judged = async (moves: (consumer: FakeConsumer) => void): Promise<number | null> => {
      const consumer = new FakeConsumer();
      consumer.score.score = 10;
      let highest: number | null = null;
      const hold = LayerHold.attach(consumer, HIGH, { now, link: linkAt(() => highest) });
      consumer.sends(1, 0);
      pass(LAYER_HOLD.starvedMs);
      await statsRead();
      expect(hold.cap, 'not judged on a link this new').toBeNull();
      highest = 280;
      moves(consumer);
      pass(LAYER_HOLD.starvedMs);
      await statsRead();
      return hold.cap;
    };
    expect(await judged(() => undefined), 'the same stay, judged again').toBe(0);
    expect(
      await judged((c) => c.sends(1, 2)),
      'the stay ended: the next one at the lowest rate is judged in its own time',
    ).toBeNull();
  });

  it('ends a hold the estimate made once the estimate reaches the layer, not one the loss made', async () => {
    // A clean link whose estimate climbs slowly (a first probe that failed): 720p at its lowest rate for 3 s,
    // its estimate never at 720p's 1.8 Mbit/s in the last 20 s.
    const consumer = new FakeConsumer();
    consumer.score.score = 10;
    consumer.layerBitrate = 1_800_000;
    let estimate = 1_000;
    const hold = LayerHold.attach(consumer, HIGH, { now, link: linkAt(() => estimate) });
    consumer.sends(2, 0);
    pass(LAYER_HOLD.starvedMs);
    await statsRead();
    expect(hold.cap).toBe(1);
    consumer.sends(1, 2);
    estimate = 1_700;
    pass(LAYER_HOLD.starvedMs * 3);
    expect(hold.cap, 'still under the layer').toBe(1);
    estimate = 2_200;
    pass(LAYER_HOLD.starvedMs);
    expect(hold.cap, 'the link carries it now').toBeNull();
    expect(consumer.asked).toEqual([1, 2]);

    // Held for the loss its fall brought: the estimate does not end that hold, its minute does.
    const lossy = new FakeConsumer();
    const held = LayerHold.attach(lossy, HIGH, { now, link: linkAt(() => 5_000) });
    lossy.climbsTo(2);
    lossy.fallsTo(1);
    expect(held.cap).toBe(1);
    pass(LAYER_HOLD.firstMs - 1);
    expect(held.cap).toBe(1);
    pass(1);
    expect(held.cap).toBeNull();
  });

  it('counts a stay at the lowest frame rate through short breaks, not through a long one', () => {
    const consumer = new FakeConsumer();
    const hold = LayerHold.attach(consumer, HIGH, { now });
    const flicker = (ms: number, breakMs: number): void => {
      for (let t = 0; t < ms; t += 600 + breakMs) {
        consumer.sends(1, 0);
        pass(600);
        consumer.sends(1, 1);
        pass(breakMs);
      }
    };
    // Up and back every second or so, never 3 s in a row at the lowest rate: still a jerky picture.
    flicker(LAYER_HOLD.starvedMs + 1_000, LAYER_HOLD.starvedBreakMs - 400);
    consumer.sends(1, 0);
    expect(hold.cap).toBe(0);

    // A break of a second or more is a picture at a better rate: the stay starts over.
    const other = new FakeConsumer();
    const free = LayerHold.attach(other, HIGH, { now });
    for (let i = 0; i < 4; i++) {
      other.sends(1, 0);
      pass(LAYER_HOLD.starvedMs - 500);
      other.sends(1, 2);
      pass(LAYER_HOLD.starvedBreakMs);
    }
    other.sends(1, 0);
    expect(free.cap).toBeNull();
  });

  it('lets a clean link climb through low frame rates without a hold (the estimate growing)', () => {
    const consumer = new FakeConsumer();
    consumer.score.score = 10;
    const hold = LayerHold.attach(consumer, HIGH, { now });
    consumer.sends(0, 2);
    consumer.sends(1, 0);
    consumer.sends(2, 0);
    pass(LAYER_HOLD.starvedMs + LAYER_HOLD.judgeMs);
    consumer.emit('score');
    expect(hold.cap).toBeNull();
  });

  it('follows a fall on a clean link without a hold (a busy receiver, not its link)', () => {
    const consumer = new FakeConsumer();
    consumer.score.score = 10;
    const hold = LayerHold.attach(consumer, HIGH, { now });
    consumer.sends(2);
    consumer.sends(1);
    expect(hold.cap).toBeNull();
    expect(consumer.asked).toEqual([]);
  });

  it('follows the producer down without a hold when it stopped sending the layer', () => {
    const consumer = new FakeConsumer();
    const hold = LayerHold.attach(consumer, HIGH, { now });
    consumer.sends(2);
    consumer.score.producerScores = [10, 10, 0];
    consumer.sends(1);
    expect(hold.cap).toBeNull();
    expect(consumer.asked).toEqual([]);
  });

  it('keeps a hold through a change of preference, and stops watching once closed', () => {
    const consumer = new FakeConsumer();
    const hold = LayerHold.attach(consumer, { spatialLayer: 0, temporalLayer: 2 }, { now });
    consumer.sends(0);
    hold.prefer(HIGH);
    consumer.climbsTo(2);
    consumer.fallsTo(1);
    expect(hold.cap).toBe(1);
    hold.prefer({ spatialLayer: 2, temporalLayer: 1 });
    expect(consumer.asked).toEqual([2, 1, 1]);
    hold.close();
    consumer.sends(0);
    pass(LAYER_HOLD.maxMs);
    expect(hold.cap).toBe(1);
    expect(consumer.listenerCount('layerschange') + consumer.listenerCount('score')).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
