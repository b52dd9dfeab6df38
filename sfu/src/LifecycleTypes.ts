/** An event map: event name → listener arguments (a `type`, not an `interface`, so it fits the index signature). */
export type Events = Record<string, unknown[]>;

/** What every object of the media plane tells its parent when it closes, whatever closed it. */
export type LifecycleEvents = { '@close': [] };
