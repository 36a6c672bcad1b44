/**
 * The polling policy: one poll of Huawei (`observe`) and what follows from it (`decidePoll`).
 */
import { buildOutcomeEvent, type Outcome, type OutcomeEvent, type UnavailableReason } from './events.js';
import { ApigError, ApigRetryableError, ApigTerminalError, IamLoginRefusedError, type ProgressReport, type ProgressSource } from './ports/index.js';
import { adaptiveSchedule, nextPollDelaySeconds, transientRetryDelaySeconds, type PollSchedule } from './schedule.js';
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
/** How the error message of an `unavailable` watch that never saw the progress begins, by its reason. */
export const UNAVAILABLE_MESSAGE_PREFIXES: Readonly<Record<UnavailableReason, string>> = {
  never_answered: 'Huawei never answered',
  no_progress: 'Huawei never reported the progress',
};

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

export type PollDecision = { action: 'poll_again'; delaySeconds: number; next: WatchState; warning?: string } | { action: 'notify'; event: OutcomeEvent };

/**
 * The whole polling policy: given the watch state, what one poll observed and the time, either poll
 * again after a delay or notify an outcome. Pure: no I/O, no clock, no randomness. `schedule` spaces
 * the polls of a gateway still being created (the adaptive schedule unless another is given).
 *
 * @example
 * const decision = decidePoll(state, await observe(state, progressSource), Date.now());
 * if (decision.action === 'poll_again') console.log(`next poll in ${decision.delaySeconds} s`);
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
    if (!neverAnswered) return notify(failing, 'unavailable', null, observation.message, nowMs);
    const reason: UnavailableReason = observation.answered ? 'no_progress' : 'never_answered';
    return notify(failing, 'unavailable', null, `${UNAVAILABLE_MESSAGE_PREFIXES[reason]} (${attempts}): ${observation.message}`, nowMs, reason);
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

function notify(
  state: WatchState,
  outcome: Outcome,
  code: string | null,
  message: string | null,
  nowMs: number,
  unavailableReason?: UnavailableReason,
): PollDecision {
  return { action: 'notify', event: buildOutcomeEvent(state, { outcome, errorCode: code, errorMsg: message, unavailableReason }, nowMs) };
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

/**
 * Polls Huawei once for a watch and turns the answer or the error into an `Observation` for
 * `decidePoll`; errors that are not the APIG client's are thrown.
 *
 * @example
 * const decision = decidePoll(state, await observe(state, progressSource), Date.now());
 */
export async function observe(state: WatchState, progressSource: ProgressSource): Promise<Observation> {
  const { project_id, instance_id, region } = state.request;
  try {
    return { kind: 'progress', report: await progressSource.fetchProgress({ projectId: project_id, instanceId: instance_id, region }) };
  } catch (error) {
    if (error instanceof ApigTerminalError) return { kind: 'terminal_error', outcome: error.outcome, code: error.code ?? null, message: error.message };
    if (error instanceof IamLoginRefusedError) {
      const refusal = { confirmedAtMs: error.confirmedAtMs, fresh: error.fresh, code: error.code ?? null };
      return { kind: 'transient_error', throttled: false, answered: true, refusedLogin: refusal, message: error.message };
    }
    if (error instanceof ApigRetryableError) {
      const { reason, httpStatus, message } = error;
      // A foreign 404 is an HTTP answer, but not Huawei's: as far as the watch knows, Huawei never answered.
      const wrongEndpoint = reason === 'wrong_endpoint';
      return {
        kind: 'transient_error',
        throttled: reason === 'throttled',
        unreachable: reason === 'unreachable' || wrongEndpoint,
        answered: httpStatus !== undefined && !wrongEndpoint,
        message,
      };
    }
    if (error instanceof ApigError) return { kind: 'transient_error', throttled: false, message: error.message };
    throw error;
  }
}
