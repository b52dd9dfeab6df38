import type { EventEmitter } from 'node:events';
import { EnhancedEventEmitter } from 'mediasoup/extras';
import type { Events, LifecycleEvents } from './LifecycleTypes.ts';
import type { SfuLogger } from './SfuTypes.ts';

/**
 * The one life cycle of the media plane's objects (Sfu, MediaRoom, MediaPeer, NodePipes), as mediasoup's own:
 * a closed flag, an idempotent close that first closes the children, then tells the parent (`@close`, private
 * bookkeeping: it forgets the object) and outsiders (`observer` 'close'). Events go out with `safeEmit`: a
 * throwing listener is logged and does not stop a cascade half-way.
 */
export abstract class Lifecycle<
  E extends Events & LifecycleEvents,
  O extends Events & { close: unknown[] },
> extends EnhancedEventEmitter<E> {
  /** Events for outsiders (monitoring, tests, the owner's owner); never needed to keep the media plane working. */
  readonly observer = new EnhancedEventEmitter<O>();
  /** Where this object reports what goes wrong: the node's logger (SfuOptions.logger). */
  readonly logger: SfuLogger;
  #closed = false;

  protected constructor(logger: SfuLogger) {
    super();
    this.logger = logger;
    // mediasoup's emitters report a throwing listener as 'listenererror' (seen here as plain emitters: the
    // event is not in E or O).
    const emitters: EventEmitter[] = [this, this.observer];
    for (const emitter of emitters) {
      emitter.on('listenererror', (event: unknown, err: unknown) =>
        logger.error({ err, event, object: this.constructor.name }, 'an event listener threw'),
      );
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs the close sequence once: `closeChildren`, then `@close`, then observer 'close' with `args`. Answers
   * whether it ran (false: already closed), so a subclass emits its own events only once.
   */
  protected closeOnce(closeChildren: () => void, ...args: O['close']): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    closeChildren();
    this.safeEmit('@close');
    this.observer.safeEmit('close', ...args);
    return true;
  }
}
