/** How the library writes a recording's length and size: readable on a projector, the same in both languages. */

/** `12:05`, or `1:02:03` from an hour on. */
export function durationText(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** `820 MB`, `1.4 GB` (decimal units, as disks are sold). */
export function sizeText(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  return `${Math.max(bytes > 0 ? 1 : 0, Math.round(bytes / 1e3))} KB`;
}
