/**
 * Formats a duration the way people say it.
 *
 * @example
 * formatElapsed(372_000)   // '6m 12s'
 * formatElapsed(3_725_000) // '1h 02m 05s'
 * formatElapsed(42_000)    // '42s'
 */
export function formatElapsed(elapsedMs: number): string {
  const totalSeconds = Math.max(0, Math.round(elapsedMs / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  if (hours > 0) return `${hours}h ${two(minutes)}m ${two(seconds)}s`;
  if (minutes > 0) return `${minutes}m ${two(seconds)}s`;
  return `${seconds}s`;
}
