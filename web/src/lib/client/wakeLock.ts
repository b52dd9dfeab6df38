/**
 * Keeps a classroom computer's screen from dimming or locking during a
 * lesson. Where the Wake Lock API is missing or refused nothing happens: it is
 * a comfort, not a requirement. Returns the release function.
 */
export function keepScreenAwake(): () => void {
  let sentinel: WakeLockSentinel | null = null;
  let released = false;

  const acquire = async (): Promise<void> => {
    if (released || document.visibilityState !== 'visible' || !('wakeLock' in navigator)) return;
    try {
      const lock = await navigator.wakeLock.request('screen');
      if (released) void lock.release();
      else sentinel = lock;
    } catch {
      // Refused, e.g. in battery saver mode.
    }
  };
  // The browser drops the lock whenever the page is hidden; take it again on return.
  const onVisibility = (): void => void acquire();

  document.addEventListener('visibilitychange', onVisibility);
  void acquire();
  return () => {
    released = true;
    document.removeEventListener('visibilitychange', onVisibility);
    void sentinel?.release();
  };
}
