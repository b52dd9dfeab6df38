import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { LinkEstimate } from '../src/index.ts';
import type { EstimatedTransport } from '../src/index.ts';

/** A transport as the estimate sees it: the `bwe` trace it was asked for. */
class FakeTransport extends EventEmitter implements EstimatedTransport {
  enabled: string[] = [];
  enableTraceEvent(types: ['bwe']): Promise<void> {
    this.enabled = types;
    return Promise.resolve();
  }
  tells(kbps: number): void {
    this.emit('trace', { type: 'bwe', info: { availableBitrate: kbps * 1000, desiredBitrate: 1_850_000 } });
  }
}

describe('LinkEstimate', () => {
  it('answers the highest estimate in effect over a window, once it knows the link for that long', () => {
    let clock = 0;
    const transport = new FakeTransport();
    const link = LinkEstimate.attach(transport, () => clock);
    expect(transport.enabled).toEqual(['bwe']);
    expect(link.highestKbps(20_000), 'nothing told yet').toBeNull();
    expect(link.currentKbps(), 'nothing told yet').toBeNull();
    transport.tells(900);
    clock = 10_000;
    transport.tells(250);
    expect(link.highestKbps(20_000), 'known for 10 s only').toBeNull();
    expect(link.currentKbps(), 'the last told, however new').toBe(250);
    clock = 20_000;
    expect(link.highestKbps(20_000), '900 was in effect at the window’s start').toBe(900);
    clock = 30_001;
    expect(link.highestKbps(20_000), 'replaced before the window opened').toBe(250);
    transport.emit('trace', { type: 'probation', info: {} });
    transport.emit('trace', { type: 'bwe', info: { availableBitrate: 'much' } });
    clock = 35_000;
    transport.tells(300);
    expect(link.highestKbps(20_000)).toBe(300);
    expect(link.highestKbps(2_000), 'a shorter window').toBe(300);
  });

  it('keeps a minute: a longer window is read as a minute', () => {
    let clock = 0;
    const transport = new FakeTransport();
    const link = LinkEstimate.attach(transport, () => clock);
    transport.tells(2000);
    for (clock = 1000; clock <= 120_000; clock += 1000) transport.tells(200);
    expect(link.highestKbps(90_000)).toBe(200);
  });

  it('stops listening when closed', () => {
    let clock = 0;
    const transport = new FakeTransport();
    const link = LinkEstimate.attach(transport, () => clock);
    transport.tells(500);
    link.close();
    expect(transport.listenerCount('trace')).toBe(0);
    clock = 30_000;
    transport.tells(100);
    expect(link.highestKbps(20_000)).toBe(500);
  });
});
