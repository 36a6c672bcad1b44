import type { GatewayWatch, StartPolicy } from './ports.js';

/** SQS keeps a dead-letter message at most this long (its maximum retention). */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;
/**
 * How long records outlive their write. Anything that can bring a step back — a duplicate, a
 * delivery round, a redrive from the dead-letter queue after its 14 days — comes within the watch
 * timeout plus the delivery budget plus those 14 days; the settings are checked against this.
 */
export const RECORD_RETENTION_SECONDS = 21 * 24 * 3600;
/** A watch's timeout and delivery budget together may not exceed this (retention − 14 days − 1 day of slack). */
export const MAX_WATCH_LIFETIME_SECONDS = RECORD_RETENTION_SECONDS - DEAD_LETTER_RETENTION_SECONDS - 24 * 3600;

/**
 * Whether a gateway's watch on record lets `policy` start the watch `watchId` now (the rule both
 * stores keep). A watch never starts twice: its own request seen again continues it instead.
 *
 * @example
 * mayStartWatch(null, 'w_…', Date.now(), 'discovery') // true: nothing on record
 */
export function mayStartWatch(current: GatewayWatch | null, watchId: string, nowMs: number, policy: StartPolicy): boolean {
  if (current === null) return true;
  return policy === 'request' && current.watchId !== watchId && !isWatchActive(current, nowMs);
}

/**
 * Whether a gateway's watch is still polling: not ended, and not past its deadline (with grace).
 *
 * @example
 * if (isWatchActive(current, Date.now())) answer({ watch_id: current.watchId, joined: true });
 */
export function isWatchActive(watch: GatewayWatch, nowMs: number): boolean {
  return watch.endedAtMs === null && watch.liveUntilMs >= nowMs;
}
