import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MediaLink } from './mediaSide.ts';
import { ICE_GRACE_MS, ICE_RECOVER_MS, keepIce, type Transport } from './transport.ts';

const NEW_ICE = { usernameFragment: 'new', password: 'secret', iceLite: true };

/** A transport whose connection state the test sets; restartIce() is recorded. */
class FakeTransport extends EventEmitter {
  readonly id = 'transport-1';
  closed = false;
  connectionState = 'connected';
  readonly observer = new EventEmitter();
  readonly restarts: unknown[] = [];

  async restartIce({ iceParameters }: { iceParameters: unknown }): Promise<void> {
    this.restarts.push(iceParameters);
  }

  set(state: string): void {
    this.connectionState = state;
    this.emit('connectionstatechange', state);
  }
}

type Answer = { ok: true; data: { iceParameters: typeof NEW_ICE } } | { ok: false; error: { code: string } };

/** A link whose socket answers `media:restartIce` with `answer`, in the lesson or not as the test says. */
function fakeLink(answer: () => Answer) {
  let online = true;
  let wake: ((online: boolean) => void) | null = null;
  const asked: string[] = [];
  const socket = {
    get connected() {
      return online;
    },
    timeout: () => ({
      emit: (event: string, _payload: unknown, ack: (err: Error | null, res: Answer) => void) => {
        asked.push(event);
        queueMicrotask(() => ack(null, answer()));
      },
    }),
  };
  const link = {
    socket,
    get online() {
      return online;
    },
    whenOnline: () => (online ? Promise.resolve(true) : new Promise<boolean>((resolve) => (wake = resolve))),
    iceRestarted: vi.fn(),
    pathBack: vi.fn(),
    fail: vi.fn(),
  };
  return {
    link: link as unknown as MediaLink & {
      iceRestarted: typeof link.iceRestarted;
      pathBack: typeof link.pathBack;
      fail: typeof link.fail;
    },
    asked,
    setOnline(value: boolean) {
      online = value;
      if (value) wake?.(true);
    },
  };
}

const ok = (): Answer => ({ ok: true, data: { iceParameters: NEW_ICE } });

describe("a transport's ICE", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  function watched(answer: () => Answer = ok) {
    const transport = new FakeTransport();
    const fake = fakeLink(answer);
    keepIce(fake.link, transport as unknown as Transport, 'recv');
    return { transport, ...fake };
  }

  it('is not restarted when a short disconnection heals by itself; its pictures are asked for afresh', async () => {
    const { transport, asked } = watched();
    transport.set('disconnected');
    await vi.advanceTimersByTimeAsync(ICE_GRACE_MS / 2);
    expect(asked).toEqual([]);
    transport.set('connected');
    await vi.advanceTimersByTimeAsync(ICE_GRACE_MS);
    expect(asked).toEqual(['media:keyFrames']);
  });

  it('asks for fresh pictures only after a break, and once back in the lesson; the session reconnects at once', async () => {
    const { transport, link, asked, setOnline } = watched();
    transport.set('connecting');
    transport.set('connected');
    await vi.advanceTimersByTimeAsync(0);
    expect(asked, 'a first connection has nothing stale').toEqual([]);
    setOnline(false);
    transport.set('disconnected');
    await vi.advanceTimersByTimeAsync(ICE_GRACE_MS / 2);
    transport.set('connected');
    await vi.advanceTimersByTimeAsync(0);
    expect(link.pathBack).toHaveBeenCalledOnce();
    expect(asked).toEqual([]);
    setOnline(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(asked).toEqual(['media:keyFrames']);
  });

  it('restarts with the server’s new credentials when the disconnection lasts', async () => {
    const { transport, link, asked } = watched();
    transport.set('disconnected');
    await vi.advanceTimersByTimeAsync(ICE_GRACE_MS);
    expect(asked).toEqual(['media:restartIce']);
    expect(transport.restarts).toEqual([NEW_ICE]);
    expect(link.iceRestarted).toHaveBeenCalledOnce();
    transport.set('connected');
    await vi.advanceTimersByTimeAsync(ICE_RECOVER_MS);
    expect(link.fail).not.toHaveBeenCalled();
    expect(asked).toEqual(['media:restartIce', 'media:keyFrames']);
  });

  it('restarts a failed transport at once', async () => {
    const { transport, asked } = watched();
    transport.set('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(asked).toEqual(['media:restartIce']);
  });

  it('waits for the page to be back in the lesson before it asks', async () => {
    const { transport, asked, setOnline } = watched();
    setOnline(false);
    transport.set('disconnected');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(asked).toEqual([]);
    setOnline(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(asked).toEqual(['media:restartIce']);
    expect(transport.restarts).toHaveLength(1);
  });

  it('fails the link when ICE does not come back after a restart', async () => {
    const { transport, link } = watched();
    transport.set('disconnected');
    await vi.advanceTimersByTimeAsync(ICE_GRACE_MS + ICE_RECOVER_MS);
    expect(link.fail).toHaveBeenCalledOnce();
  });

  it('fails the link when the server no longer knows the transport', async () => {
    const { transport, link } = watched(() => ({ ok: false, error: { code: 'media_error' } }));
    transport.set('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(transport.restarts).toEqual([]);
    expect(link.fail).toHaveBeenCalledOnce();
  });

  it('stops watching a closed transport', async () => {
    const { transport, asked } = watched();
    transport.set('disconnected');
    transport.closed = true;
    await vi.advanceTimersByTimeAsync(ICE_GRACE_MS + ICE_RECOVER_MS);
    expect(asked).toEqual([]);
  });
});
