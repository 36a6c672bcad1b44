import { createHash } from 'node:crypto';
import type { ProgressMark, WatchState } from './state.js';

/** SQS accepts message delays of 0 to 900 seconds. */
export const MAX_SQS_DELAY_SECONDS = 900;
/** The longest gap between two polls, jitter included, so a failure is reported within a minute. */
export const MAX_POLL_INTERVAL_SECONDS = 60;
/** The next poll comes at most this long after the earliest time the creation plausibly ends. */
export const LAG_TARGET_SECONDS = 10;
/** …and at most this long after the earliest time it can end at all (at the fastest pace). */
export const FAST_FINISH_LAG_SECONDS = 25;
/**
 * How fast the rest of a creation can go, as a share of its nominal time (a stage's nominal time is
 * its progress increment, as a share of the expected duration): plausibly no faster than 80 %,
 * hardly ever faster than 50 %; and plausibly no slower than 250 %, after which polls back off.
 */
export const PLAUSIBLE_PACE = 0.8;
export const FASTEST_PACE = 0.5;
export const SLOWEST_PACE = 2.5;
/** Once a creation is later than plausible, each second late lengthens the interval by this much. */
export const LATE_BACKOFF_SECONDS_PER_SECOND = 0.3;
/** No dedicated gateway is created faster than this (failures can come sooner; they are not paced). */
export const MIN_CREATION_SECONDS = 180;
/** The progress values Huawei documents for a creation under way. */
export const PROGRESS_STEPS = [30, 50, 80, 90] as const;
/** Share by which an interval is shortened at random, so watches started together do not poll in lockstep. */
export const JITTER_FRACTION = 0.05;
/** Huawei advises 2–5 s before retrying a throttled call. */
export const THROTTLE_RETRY_MIN_SECONDS = 2;
export const THROTTLE_RETRY_MAX_SECONDS = 5;
/** Back-off for 5xx, timeouts and resets: 5 s, 10 s, 20 s, … up to a minute. */
export const TRANSIENT_BACKOFF_BASE_SECONDS = 5;
export const TRANSIENT_BACKOFF_MAX_SECONDS = 60;

/**
 * A polling policy: the seconds to wait before the next poll of a gateway still being created.
 * `nextPollDelaySeconds` keeps whatever it proposes within SQS's limits and the watch deadline.
 */
export type PollSchedule = (state: WatchState, nowMs: number) => number;

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

/** What the answers so far say about a creation, all times in Unix ms. */
export interface CreationEstimate {
  /** Huawei's `start_time` (the watch's start while no answer has told it). */
  startMs: number;
  /** The highest progress step seen (0 before the first), and the window it was reached in. */
  progress: number;
  reachedAfterMs: number;
  reachedByMs: number;
  /** The next documented progress value (100: the finish). */
  nextProgress: number;
  /** The expected duration, from when the step was reached and from the next step not showing yet. */
  durationMs: number;
}

/**
 * Reads the creation's pace from the answers: a gateway that reached p % t seconds after
 * `start_time` is expected to take t / (p / 100); one that has not reached the next step q after
 * t seconds, at least t / (q / 100); any, at least `MIN_CREATION_SECONDS`. The step's time is
 * taken at the answer before it (the earliest it can have happened), so the estimate errs early.
 *
 * @example
 * estimateCreation(state, Date.now()) // { progress: 90, durationMs: 540_000, nextProgress: 100, … }
 */
export function estimateCreation(state: WatchState, nowMs: number): CreationEstimate {
  const startMs = Math.min(nowMs, state.last?.start_time_ms ?? state.requested_at);
  const mark = state.marks.filter((m) => m.progress > 0 && m.progress < 100).reduce<ProgressMark | undefined>(
    (highest, m) => (highest === undefined || m.progress > highest.progress ? m : highest),
    undefined,
  );
  const progress = mark?.progress ?? 0;
  const nextProgress = PROGRESS_STEPS.find((step) => step > progress) ?? 100;
  const reachedByMs = mark?.seen_at ?? startMs;
  const reachedAfterMs = Math.max(startMs, mark === undefined ? startMs : stepLowerBoundMs(mark, startMs));
  const fromStep = progress > 0 ? (reachedAfterMs - startMs) / (progress / 100) : 0;
  const fromNextStep = nextProgress < 100 ? (nowMs - startMs) / (nextProgress / 100) : 0;
  const durationMs = Math.max(fromStep, fromNextStep, MIN_CREATION_SECONDS * 1000);
  return { startMs, progress, reachedAfterMs, reachedByMs, nextProgress, durationMs };
}

/**
 * The earliest time the creation can end if what is left goes at `pace` times its nominal time:
 * not before the last step's earliest time plus the rest, nor before now plus what follows the next
 * step (which has not happened yet).
 *
 * @example
 * earliestFinishMs(estimateCreation(state, now), PLAUSIBLE_PACE, now) // now + 31_000
 */
export function earliestFinishMs(creation: CreationEstimate, pace: number, nowMs: number): number {
  const remainingAfter = (progress: number) => pace * creation.durationMs * (1 - progress / 100);
  const afterLastStep = creation.progress > 0 ? creation.reachedAfterMs + remainingAfter(creation.progress) : nowMs;
  return Math.max(nowMs, afterLastStep, nowMs + remainingAfter(creation.nextProgress));
}

/**
 * The adaptive schedule. Polls no later than `LAG_TARGET_SECONDS` after the earliest plausible end
 * of the creation, nor `FAST_FINISH_LAG_SECONDS` after the earliest possible one, nor
 * `MAX_POLL_INTERVAL_SECONDS` after this poll: relaxed (a minute) while the end is far, every
 * 10 s from the earliest plausible end until it comes, and backing off again once the creation is
 * later than plausible. Each interval is shortened by up to `JITTER_FRACTION`, never lengthened,
 * so the bounds hold. Whole seconds.
 *
 * @example
 * adaptiveSchedule(state, Date.now()) // 60 at 50 %, 10 near the expected end
 */
export const adaptiveSchedule: PollSchedule = (state, nowMs) => {
  const creation = estimateCreation(state, nowMs);
  const untilMs = Math.min(
    earliestFinishMs(creation, PLAUSIBLE_PACE, nowMs) + LAG_TARGET_SECONDS * 1000,
    earliestFinishMs(creation, FASTEST_PACE, nowMs) + FAST_FINISH_LAG_SECONDS * 1000,
  );
  let seconds = (untilMs - nowMs) / 1000;
  const latestPlausibleMs = creation.reachedByMs + SLOWEST_PACE * creation.durationMs * (1 - creation.progress / 100);
  if (creation.progress > 0 && nowMs > latestPlausibleMs) {
    seconds = Math.max(seconds, LAG_TARGET_SECONDS + ((nowMs - latestPlausibleMs) / 1000) * LATE_BACKOFF_SECONDS_PER_SECOND);
  }
  const jittered = Math.min(seconds, MAX_POLL_INTERVAL_SECONDS) * (1 - JITTER_FRACTION * jitterUnit(state.watch_id, state.step));
  return Math.max(1, Math.floor(jittered));
};

/**
 * Seconds until the next poll of a gateway that is still being created, as `schedule` proposes
 * (the adaptive schedule by default), never past the watch deadline nor beyond SQS's limit.
 *
 * @example
 * nextPollDelaySeconds(state, Date.now()) // 58
 * nextPollDelaySeconds(state, Date.now(), () => 20) // 20: a fixed-interval policy
 */
export function nextPollDelaySeconds(state: WatchState, nowMs: number, schedule: PollSchedule = adaptiveSchedule): number {
  return withinDeadline(schedule(state, nowMs), state, nowMs);
}

/**
 * Seconds before retrying after a transient error: Huawei's 2–5 s for throttling, exponential
 * back-off for the rest.
 *
 * @example
 * transientRetryDelaySeconds(state, 3, true, now) // 3
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
    : Math.min(TRANSIENT_BACKOFF_MAX_SECONDS, TRANSIENT_BACKOFF_BASE_SECONDS * 2 ** Math.max(0, consecutiveErrors - 1)) *
      (1 - JITTER_FRACTION * unit);
  return withinDeadline(delay, state, nowMs);
}

/** The answer before a step was first seen: `null` is the watch's first answer, absent is an older state. */
function stepLowerBoundMs(mark: ProgressMark, startMs: number): number {
  if (mark.after === null) return startMs;
  return mark.after ?? mark.seen_at - MAX_POLL_INTERVAL_SECONDS * 1000;
}

/** Never wait past the deadline (the poll at the deadline reports `timed_out`), never beyond SQS's limit. */
function withinDeadline(seconds: number, state: WatchState, nowMs: number): number {
  const untilDeadline = Math.max(0, Math.ceil((state.deadline_at - nowMs) / 1000));
  return clamp(Math.round(Math.min(seconds, untilDeadline)), 0, MAX_SQS_DELAY_SECONDS);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
