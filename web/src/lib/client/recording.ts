/**
 * How long the lesson has been recorded, as the host console and the badge show it ("录制中 00:12"):
 * mm:ss under an hour, h:mm:ss after. Counted on the server's clock (`serverNow`: this PC's clock plus the
 * offset from `lesson:state`), so a wrong PC clock does not change it. Pure.
 */
export function recordingElapsed(startedAt: string, serverNow: number): string {
  const started = Date.parse(startedAt);
  const seconds = Number.isFinite(started) ? Math.max(0, Math.floor((serverNow - started) / 1000)) : 0;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}
