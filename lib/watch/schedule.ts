import { createHash } from 'node:crypto';
import type { WatchState } from './state.js';

/** SQS accepts message delays of 0 to 900 seconds. */
export const MAX_SQS_DELAY_SECONDS = 900;
/** The longest gap between two polls, so a failure is reported within a minute. */
export const MAX_POLL_INTERVAL_SECONDS = 55;
/** The shortest gap between two polls, near the expected finish. */
export const MIN_POLL_INTERVAL_SECONDS = 8;
/** The gap while nothing tells when the creation will end (no progress step seen yet). */
export const DEFAULT_POLL_INTERVAL_SECONDS = 30;
/** Share of a delay that is randomised, so watches started together do not poll in lockstep. */
export const JITTER_FRACTION = 0.1;
/** Huawei advises 2–5 s before retrying a throttled call. */
export const THROTTLE_RETRY_MIN_SECONDS = 2;
export const THROTTLE_RETRY_MAX_SECONDS = 5;
/** Back-off for 5xx, timeouts and resets: 5 s, 10 s, 20 s, … up to a minute. */
export const TRANSIENT_BACKOFF_BASE_SECONDS = 5;
export const TRANSIENT_BACKOFF_MAX_SECONDS = 60;

/**
 * A number in [0, 1) that is fixed for a watch and step: jitter that is random across watches
 * but the same each time one step is decided again, which keeps `decide` pure.
 *
 * @example
 * jitterUnit('w_0123…', 4) // 0.7312…
 */
export function jitterUnit(watchId: string, step: number): number {
  return createHash('sha256').update(`${watchId}#${step}`).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * When the creation is expected to end (Unix ms), from when each progress value was first seen
 * against Huawei's `start_time`: a gateway at p % after t seconds is expected to take t / (p / 100).
 * `null` while there is nothing to go by.
 *
 * @example
 * expectedFinishMs(state) // 1_764_300_000_000
 */
export function expectedFinishMs(state: WatchState): number | null {
  const startMs = state.last?.start_time_ms;
  const mark = state.marks.filter((m) => m.progress > 0 && m.progress < 100).at(-1);
  if (startMs == null || mark === undefined || mark.seen_at <= startMs) return null;
  return startMs + (mark.seen_at - startMs) / (mark.progress / 100);
}

/**
 * Seconds until the next poll of a gateway that is still being created: relaxed while the finish is
 * far, close to it near the expected finish, backing off again if the estimate proves early.
 *
 * @example
 * nextPollDelaySeconds(state, Date.now()) // 55
 */
export function nextPollDelaySeconds(state: WatchState, nowMs: number): number {
  const finishMs = expectedFinishMs(state);
  let interval: number;
  if (finishMs === null) {
    interval = DEFAULT_POLL_INTERVAL_SECONDS;
  } else if (finishMs > nowMs) {
    interval = (finishMs - nowMs) / 1000;
  } else {
    interval = (nowMs - finishMs) / 2000;
  }
  interval = clamp(interval, MIN_POLL_INTERVAL_SECONDS, MAX_POLL_INTERVAL_SECONDS);
  return withinDeadline(jittered(interval, jitterUnit(state.watch_id, state.step)), state, nowMs);
}

/**
 * Seconds before retrying after a transient error: Huawei's 2–5 s for throttling, exponential
 * back-off for the rest.
 *
 * @example
 * transientRetryDelaySeconds(state, 'throttled', 3, now) // 3
 */
export function transientRetryDelaySeconds(
  state: WatchState,
  consecutiveErrors: number,
  throttled: boolean,
  nowMs: number,
): number {
  const unit = jitterUnit(state.watch_id, state.step);
  const delay = throttled
    ? THROTTLE_RETRY_MIN_SECONDS + unit * (THROTTLE_RETRY_MAX_SECONDS - THROTTLE_RETRY_MIN_SECONDS)
    : jittered(
        Math.min(TRANSIENT_BACKOFF_MAX_SECONDS, TRANSIENT_BACKOFF_BASE_SECONDS * 2 ** Math.max(0, consecutiveErrors - 1)),
        unit,
      );
  return withinDeadline(delay, state, nowMs);
}

function jittered(seconds: number, unit: number): number {
  return seconds * (1 - JITTER_FRACTION + 2 * JITTER_FRACTION * unit);
}

/** Never wait past the deadline (the poll at the deadline reports `timed_out`), never beyond SQS's limit. */
function withinDeadline(seconds: number, state: WatchState, nowMs: number): number {
  const untilDeadline = Math.max(0, Math.ceil((state.deadline_at - nowMs) / 1000));
  return clamp(Math.round(Math.min(seconds, untilDeadline)), 0, MAX_SQS_DELAY_SECONDS);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
