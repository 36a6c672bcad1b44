import type { ProgressReport } from './ports.js';
import { buildOutcomeEvent } from './build-event.js';
import type { Outcome, WatchEvent } from './notification-event.js';
import { adaptiveSchedule, nextPollDelaySeconds, sqsDelaySeconds, transientRetryDelaySeconds, MAX_SQS_DELAY_SECONDS, type PollSchedule } from './schedule.js';
import type { LastSeen, WatchState } from './state.js';

/** How long Huawei may keep failing with transient errors before the watch reports `unavailable`. */
export const TRANSIENT_BUDGET_SECONDS = 600;
/**
 * Attempts after which a watch that never heard from Huawei gives up on an address where nothing
 * answers (connection refused, unknown host) or something other than APIG does (a 404 without
 * Huawei's "instance not found"): a wrong endpoint or region, which waiting never fixes.
 * With the transient back-off (5 s, 10 s…) the watch ends about 15 s after it started.
 */
export const UNREACHABLE_GIVE_UP_ATTEMPTS = 3;
/** How an `unavailable` outcome starts its error message when no answer ever came (refused, unresolved, timed out, reset). */
export const NEVER_ANSWERED_PREFIX = 'Huawei never answered';
/** …and when Huawei answered, but only with errors (5xx, 429…), never with the progress. */
export const NO_PROGRESS_PREFIX = 'Huawei never reported the progress';
/** Delivery rounds through the queue: 10 s, 30 s, 2 min, 5 min, then every 15 min (SQS's longest delay). */
export const DELIVERY_RETRY_DELAYS_SECONDS = [10, 30, 120, 300, MAX_SQS_DELAY_SECONDS] as const;

/** What one poll of Huawei produced. */
export type Observation =
  | { kind: 'progress'; report: ProgressReport }
  | { kind: 'terminal_error'; outcome: Extract<Outcome, 'not_found' | 'unauthorized' | 'forbidden'>; code: string | null; message: string }
  | {
      kind: 'transient_error';
      throttled: boolean;
      /** The address is wrong as far as can be told: nothing answers there (refused, unresolved), or what answers is not APIG (a foreign 404). */
      unreachable?: boolean;
      /** Huawei answered (an error status), as opposed to nothing, or something that is not APIG, answering. */
      answered?: boolean;
      /** IAM refused the login: confirmed (a second refusal minutes after the first) or not, answered by IAM for this poll or from memory. */
      refusedLogin?: { confirmedAtMs: number | null; fresh: boolean; code: string | null };
      message: string;
    };

export type PollDecision = { action: 'poll_again'; delaySeconds: number; next: WatchState; warning?: string } | { action: 'notify'; event: WatchEvent };

export type DeliveryDecision =
  | { action: 'done' }
  | { action: 'deliver_again'; delaySeconds: number; next: WatchState }
  | { action: 'dead_letter'; next: WatchState; reason: string };

/**
 * The whole polling policy: given the watch state, what one poll observed and the time, either poll
 * again after a delay or notify an outcome. Pure: no I/O, no clock, no randomness. `schedule` spaces
 * the polls of a gateway still being created (the adaptive schedule unless another is given).
 *
 * @example
 * const decision = decidePoll(state, { kind: 'progress', report }, Date.now());
 * if (decision.action === 'poll_again') await queue.send(decision.next, decision.delaySeconds);
 */
export function decidePoll(state: WatchState, observation: Observation, nowMs: number, schedule: PollSchedule = adaptiveSchedule): PollDecision {
  const polled: WatchState = { ...state, polls: state.polls + 1 };
  switch (observation.kind) {
    case 'terminal_error':
      return notify(polled, observation.outcome, observation.code, observation.message, nowMs);
    case 'transient_error':
      return decideAfterTransientError(polled, observation, nowMs);
    case 'progress':
      return decideAfterProgress(polled, observation.report, nowMs, schedule);
  }
}

function decideAfterProgress(state: WatchState, report: ProgressReport, nowMs: number, schedule: PollSchedule): PollDecision {
  const seen: WatchState = { ...state, last: lastSeenFrom(report, nowMs, state.last), marks: markProgress(state, report, nowMs), transient: null };
  const status = report.status.toLowerCase();
  if (status === 'success') return notify(seen, 'succeeded', null, null, nowMs);
  if (status === 'failed') return notify(seen, 'failed', report.errorCode, report.errorMsg, nowMs);
  if (nowMs >= state.deadline_at) return notify(seen, 'timed_out', null, null, nowMs);
  const warning = status === 'creating' ? undefined : `unknown status ${JSON.stringify(report.status)}: polling on until the deadline`;
  return pollAgain(seen, nextPollDelaySeconds(seen, nowMs, schedule), warning);
}

function decideAfterTransientError(state: WatchState, observation: Extract<Observation, { kind: 'transient_error' }>, nowMs: number): PollDecision {
  const run = {
    since: state.transient?.since ?? nowMs,
    count: (state.transient?.count ?? 0) + 1,
    last_error: observation.message,
  };
  const failing: WatchState = { ...state, transient: run };
  if (refusalEndsWatch(state, observation.refusedLogin)) {
    return notify(failing, 'unauthorized', observation.refusedLogin?.code ?? null, observation.message, nowMs);
  }
  const neverAnswered = state.last === null;
  if (!neverAnswered && nowMs >= state.deadline_at) return notify(failing, 'timed_out', null, null, nowMs);
  // Nothing was ever heard from Huawei, so nothing may be reported as still creating; and an address
  // where nothing answers is a wrong setting far more often than an outage, so it is not waited on.
  const nothingThere = neverAnswered && (nowMs >= state.deadline_at || (observation.unreachable === true && run.count >= UNREACHABLE_GIVE_UP_ATTEMPTS));
  if (nothingThere || nowMs - run.since >= TRANSIENT_BUDGET_SECONDS * 1000) {
    const attempts = `${run.count} ${run.count === 1 ? 'attempt' : 'attempts'}`;
    const prefix = observation.answered ? NO_PROGRESS_PREFIX : NEVER_ANSWERED_PREFIX;
    return notify(failing, 'unavailable', null, neverAnswered ? `${prefix} (${attempts}): ${observation.message}` : observation.message, nowMs);
  }
  return pollAgain(failing, transientRetryDelaySeconds(failing, run.count, observation.throttled, nowMs));
}

/**
 * A refused IAM login ends the watch only once confirmed by a login made for this watch: this
 * poll's own, or one made since the watch began waiting on its errors. A refusal confirmed before
 * this watch waited, answered from memory, is only a reason to look again (IAM is asked anew within
 * minutes); one IAM hiccup, never confirmed, ends nothing.
 */
function refusalEndsWatch(state: WatchState, refusal: Extract<Observation, { kind: 'transient_error' }>['refusedLogin']): boolean {
  if (refusal === undefined || refusal.confirmedAtMs === null) return false;
  return refusal.fresh || (state.transient !== null && refusal.confirmedAtMs >= state.transient.since);
}

function pollAgain(state: WatchState, delaySeconds: number, warning?: string): PollDecision {
  return { action: 'poll_again', delaySeconds, next: { ...state, step: state.step + 1 }, warning };
}

function notify(state: WatchState, outcome: Outcome, code: string | null, message: string | null, nowMs: number): PollDecision {
  return { action: 'notify', event: buildOutcomeEvent(state, { outcome, errorCode: code, errorMsg: message }, nowMs) };
}

/**
 * A failed answer says progress 0 (Huawei resets it): the progress kept is the last one reached
 * while creating, so every channel can say how far the creation got ("failed at 50%"), or `null`
 * when the watch saw no progress before the failure.
 */
function lastSeenFrom(report: ProgressReport, nowMs: number, previous: LastSeen | null): LastSeen {
  const status = report.status.toLowerCase();
  const reached = status === 'failed' ? progressReachedBeforeFailing(report.progress, previous) : report.progress;
  return {
    status,
    progress: reached,
    start_time_ms: report.startTimeMs,
    end_time_ms: report.endTimeMs,
    error_code: report.errorCode,
    error_msg: report.errorMsg,
    seen_at: nowMs,
  };
}

/** The progress a failed creation reached: what was seen while creating, `null` if nothing was (a 0 says nothing). */
function progressReachedBeforeFailing(reported: number | null, previous: LastSeen | null): number | null {
  const reached = Math.max(reported ?? 0, previous?.progress ?? 0);
  return reached > 0 ? reached : null;
}

function markProgress(state: WatchState, report: ProgressReport, nowMs: number): WatchState['marks'] {
  const progress = report.progress;
  if (progress === null || state.marks.some((mark) => mark.progress === progress)) return state.marks;
  return [...state.marks, { progress, seen_at: nowMs, after: state.last === null ? null : state.last.seen_at }].slice(-10);
}

/** A target still owed after a round: what the notifier said about when to try it again. */
export interface OwedDelivery {
  /** The earliest time (ms) this target may be tried again, when one was given. */
  notBeforeMs?: number;
  /** Only waiting for its pace: not posted, nothing failed. */
  paced?: boolean;
}

/**
 * After a round of deliveries of a terminal outcome: done when no target is owed any more;
 * otherwise a delivery-only message later (it never polls Huawei again), and once the delivery
 * budget is spent, the dead-letter queue, holding the outcome so that a redrive delivers it.
 *
 * When every owed target is only waiting for its pace, the next round comes exactly when the
 * earliest may post (whole seconds, at least one) and neither the retry schedule nor the budget is
 * spent. When any failed, the retry schedule applies, never before a `Retry-After` it was given.
 *
 * @example
 * decideDelivery(state, event, [{}], now, 24 * 3600) // { action: 'deliver_again', delaySeconds: 10, next }
 * decideDelivery(state, event, [{ paced: true, notBeforeMs: now + 2500 }], now, 86_400) // delaySeconds: 3
 */
export function decideDelivery(state: WatchState, event: WatchEvent, owed: readonly OwedDelivery[], nowMs: number, budgetSeconds: number): DeliveryDecision {
  if (owed.length === 0) return { action: 'done' };
  const base: WatchState = { ...state, kind: 'deliver', event, step: state.step + 1 };
  const rounds = state.kind === 'deliver' ? state.delivery_rounds : 0;
  const secondsUntil = (atMs: number) => Math.ceil((atMs - nowMs) / 1000);
  // A time that is no time (NaN, ±Infinity from an odd Retry-After) is no constraint.
  const notBeforeMs = (target: OwedDelivery) => (Number.isFinite(target.notBeforeMs) ? target.notBeforeMs : undefined);
  const failed = owed.filter((target) => target.paced !== true);
  if (failed.length === 0) {
    const earliestMs = Math.min(...owed.map((target) => notBeforeMs(target) ?? nowMs));
    return {
      action: 'deliver_again',
      delaySeconds: sqsDelaySeconds(Math.max(1, secondsUntil(earliestMs)), 1),
      next: { ...base, delivery_rounds: rounds, deliver_until: state.deliver_until },
    };
  }
  const deliverUntil = state.deliver_until ?? nowMs + budgetSeconds * 1000;
  if (nowMs >= deliverUntil) {
    return {
      action: 'dead_letter',
      reason: `${failed.length} target(s) still failing after the delivery budget of ${budgetSeconds} s`,
      next: { ...base, delivery_rounds: 0, deliver_until: null },
    };
  }
  const scheduled = DELIVERY_RETRY_DELAYS_SECONDS[Math.min(rounds, DELIVERY_RETRY_DELAYS_SECONDS.length - 1)] ?? MAX_SQS_DELAY_SECONDS;
  const retryAfter = Math.max(0, ...failed.map((target) => secondsUntil(notBeforeMs(target) ?? nowMs)));
  const delay = Math.min(Math.max(scheduled, retryAfter), MAX_SQS_DELAY_SECONDS);
  return {
    action: 'deliver_again',
    delaySeconds: sqsDelaySeconds(Math.min(delay, secondsUntil(deliverUntil)), scheduled),
    next: { ...base, delivery_rounds: rounds + 1, deliver_until: deliverUntil },
  };
}
