/**
 * The polling policy: one poll of Huawei (`observe`) and what follows from it (`decidePoll`).
 */
import {
  buildHealthNotice,
  buildOutcomeEvent,
  type HealthNotice,
  type NotificationEvent,
  type Outcome,
  type OutcomeEvent,
  type UnavailableReason,
} from './events.js';
import {
  ApigError,
  ApigRetryableError,
  ApigTerminalError,
  IamLoginRefusedError,
  type InstanceDetail,
  type InstanceDetailAnswer,
  type InstanceDetailSource,
  type ProgressReport,
  type ProgressSource,
} from './ports/index.js';
import type { Operation } from './request.js';
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

/**
 * How a watch reads each operation in Huawei's instance status (ShowDetailsOfInstanceV2): the
 * statuses that say it is under way, those that end it as failed (Huawei's own `*Timeout`
 * statuses included: they end the watch at once), and how it ends well (`Running`, or the
 * instance gone for a deletion). A creation reaches the detail once the progress API says success.
 */
export const OPERATION_STATUSES: Readonly<Record<Operation, { pending: readonly string[]; failed: readonly string[]; done: 'Running' | 'gone' }>> = {
  creation: {
    pending: ['Creating', 'CreateSuccess', 'Initing', 'Registering', 'Installing'],
    failed: ['CreateFail', 'InitingFailed', 'RegisterFailed', 'InstallFailed', 'CreateTimeout', 'InitTimeout', 'RegisterTimeout', 'InstallTimeout'],
    done: 'Running',
  },
  resize: { pending: ['Resizing'], failed: ['ResizeFailed', 'ResizeTimeout'], done: 'Running' },
  update: {
    pending: ['Updating', 'Rollbacking'],
    failed: ['UpdateFailed', 'UpdateTimeout', 'RollbackFailed', 'RollbackTimeout', 'RollbackSuccess'],
    done: 'Running',
  },
  deletion: { pending: ['Deleting', 'Unregistering'], failed: ['DeleteFailed', 'UnRegisterFailed', 'DeleteTimeout', 'UnregisterTimeout'], done: 'gone' },
  restart: { pending: ['Restarting', 'Starting'], failed: ['RestartFail', 'RestartTimeout'], done: 'Running' },
  health: { pending: ['Unhealthy', 'Freezing', 'Frozen'], failed: [], done: 'Running' },
};
/**
 * The operation (or `health`) an instance status shows under way, for the discovery sweep's
 * nominations; `null` for a status that needs no watch (`Running`, a failure already reached…).
 *
 * @example
 * operationShownBy('Resizing') // 'resize'
 * operationShownBy('Running') // null
 */
export function operationShownBy(status: string | null): Operation | null {
  if (status === null) return null;
  const found = Object.entries(OPERATION_STATUSES).find(([, statuses]) => statuses.pending.includes(status));
  return found === undefined ? null : (found[0] as Operation);
}

/** The notice each unhealthy status is told as. */
const HEALTH_NOTICES: Readonly<Record<string, HealthNotice>> = { Unhealthy: 'unhealthy', Freezing: 'frozen', Frozen: 'frozen' };
/** How often a health watch looks again while the gateway is unhealthy or frozen. */
export const HEALTH_POLL_INTERVAL_SECONDS = 60;
/** An operation requested a moment before Huawei shows it: how long the watch waits for its status to appear. */
export const NOT_STARTED_GRACE_SECONDS = 600;
/** What a success says when the instance detail could not be read: the success stands. */
export const DETAIL_UNREAD_HINT =
  'The gateway was created, but its instance detail could not be read (give apig-watch apig:instance:get to see its spec and addresses here).';
const ROLLED_BACK_HINT = 'Huawei rolled the update back: the gateway runs its previous version. See the update log in the console.';

/** What reading the instance detail produced, when the watch reads it. */
export type InstanceObservation =
  | { kind: 'instance'; answer: InstanceDetailAnswer }
  /** A creation's detail that the credentials may not read: the progress API's success stands. */
  | { kind: 'instance_unreadable'; message: string };

/** What one poll of Huawei produced. */
export type Observation =
  | { kind: 'progress'; report: ProgressReport; detail?: InstanceObservation | TransientError }
  | InstanceObservation
  | { kind: 'terminal_error'; outcome: Extract<Outcome, 'not_found' | 'unauthorized' | 'forbidden'>; code: string | null; message: string }
  | TransientError;

type TransientError = {
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

export type PollDecision =
  /** `notice`: what to tell before polling on (a health watch's change). */
  | { action: 'poll_again'; delaySeconds: number; next: WatchState; warning?: string; notice?: NotificationEvent }
  | { action: 'notify'; event: OutcomeEvent }
  /** Nothing to tell: what the watch was nominated for is not (or no longer) so. */
  | { action: 'end_quietly'; reason: string };

/**
 * The whole polling policy: given the watch state, what one poll observed and the time, either poll
 * again after a delay or notify an outcome. Pure: no I/O, no clock, no randomness. `schedule` spaces
 * the polls of an operation under way, on the progress API and on the instance detail alike (the
 * adaptive schedule unless another is given).
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
      return decideAfterProgress(polled, observation, nowMs, schedule);
    case 'instance':
      return decideOnInstance({ ...polled, transient: null }, observation.answer, nowMs, schedule);
    case 'instance_unreadable':
      return notify(polled, 'succeeded', null, null, nowMs, undefined, DETAIL_UNREAD_HINT);
  }
}

/**
 * What the instance status says of the operation watched: under way (poll on, the operation
 * seen), failed (its status named), done — once the operation was seen, or for a creation whose
 * progress said success, or a deletion whose gateway is gone — or not shown yet (wait within the
 * grace, then `not_started`).
 */
function decideOnInstance(state: WatchState, answer: InstanceDetailAnswer, nowMs: number, schedule: PollSchedule): PollDecision {
  const { operation } = state.request;
  const statuses = OPERATION_STATUSES[operation];
  const status = answer.kind === 'gone' ? null : answer.detail.status;
  // A nomination (a sweep's, or any health watch) is only worth a word if the gateway is in that status now.
  const nominated = operation === 'health' || (state.request.origin === 'discovery' && operation !== 'creation');
  if (nominated && state.instance === null && !statuses.pending.includes(status ?? '')) {
    return { action: 'end_quietly', reason: `nominated for its ${operation}, but the instance status is ${status ?? 'gone'}` };
  }
  if (operation === 'health') return decideOnHealth(state, answer, nowMs);
  const seen: WatchState = { ...state, phase: 'detail', instance: answer.kind === 'gone' ? state.instance : instanceSeenOf(answer.detail) };
  if (answer.kind === 'gone') {
    if (statuses.done === 'gone') return notify({ ...seen, operation_seen: true }, 'succeeded', null, null, nowMs);
    return notify(seen, 'not_found', null, 'Huawei Cloud no longer knows the instance: it was deleted', nowMs);
  }
  if (statuses.failed.includes(status as string)) {
    const hint = status === 'RollbackSuccess' ? ROLLED_BACK_HINT : undefined;
    return notify({ ...seen, operation_seen: true }, 'failed', null, `instance status ${status}`, nowMs, undefined, hint);
  }
  const shownOrCreated = seen.operation_seen || operation === 'creation';
  if (status === statuses.done && shownOrCreated) return notify(seen, 'succeeded', null, null, nowMs);
  // Still under way at the deadline (Huawei's own timeout never came): the watch says so and stops.
  if (nowMs >= state.deadline_at) return notify(seen, 'timed_out', null, null, nowMs);
  if (statuses.pending.includes(status as string)) return pollDetailAgain({ ...seen, operation_seen: true }, nowMs, schedule);
  if (status === 'Running' && !seen.operation_seen) {
    if (nowMs - state.requested_at >= NOT_STARTED_GRACE_SECONDS * 1000) {
      return notify(
        seen,
        'not_started',
        null,
        `the instance status stayed Running: the ${operation} never showed within ${NOT_STARTED_GRACE_SECONDS / 60} minutes`,
        nowMs,
      );
    }
    return pollDetailAgain(seen, nowMs, schedule);
  }
  return pollDetailAgain(seen, nowMs, schedule, `instance status ${JSON.stringify(status)} is not one of the ${operation}'s: polling on until the deadline`);
}

/**
 * A health watch: each unhealthy status told once (`unhealthy`, `frozen`), `recovered` once the
 * gateway is `Running` again; a gateway gone, or still unhealthy at the deadline, ends it quietly.
 */
function decideOnHealth(state: WatchState, answer: InstanceDetailAnswer, nowMs: number): PollDecision {
  if (answer.kind === 'gone') return { action: 'end_quietly', reason: 'the gateway is gone' };
  const seen: WatchState = { ...state, phase: 'detail', operation_seen: true, instance: instanceSeenOf(answer.detail) };
  if (answer.detail.status === 'Running') return notify(seen, 'recovered', null, null, nowMs);
  if (nowMs >= state.deadline_at) return { action: 'end_quietly', reason: 'still unhealthy at the deadline of its health watch' };
  const notice = HEALTH_NOTICES[answer.detail.status];
  const untilDeadline = Math.max(1, Math.ceil((state.deadline_at - nowMs) / 1000));
  const delaySeconds = Math.min(HEALTH_POLL_INTERVAL_SECONDS, untilDeadline);
  if (notice === undefined || seen.told.includes(notice)) return pollAgain(seen, delaySeconds);
  const told: WatchState = { ...seen, told: [...seen.told, notice] };
  return pollAgain(told, delaySeconds, undefined, buildHealthNotice(told, notice, nowMs));
}

/** The instance detail read again as `schedule` says (the adaptive one paces each operation by its duration prior), at least a second on. */
function pollDetailAgain(state: WatchState, nowMs: number, schedule: PollSchedule, warning?: string): PollDecision {
  return pollAgain(state, Math.max(1, nextPollDelaySeconds(state, nowMs, schedule)), warning);
}

function instanceSeenOf(detail: InstanceDetail): NonNullable<WatchState['instance']> {
  return {
    status: detail.status,
    gateway: {
      spec: detail.spec,
      public_ingress_address: detail.publicIngressAddress,
      private_ingress_address: detail.privateIngressAddress,
      enterprise_project_id: detail.enterpriseProjectId,
    },
  };
}

function decideAfterProgress(
  state: WatchState,
  { report, detail }: Extract<Observation, { kind: 'progress' }>,
  nowMs: number,
  schedule: PollSchedule,
): PollDecision {
  const seen: WatchState = { ...state, last: lastSeenFrom(report, nowMs, state.last), marks: markProgress(state, report, nowMs), transient: null };
  const status = report.status.toLowerCase();
  if (status === 'success') {
    // "Created" means Running: the progress API's success is read once more in the instance detail.
    if (detail === undefined) return notify(seen, 'succeeded', null, null, nowMs);
    if (detail.kind === 'instance') return decideOnInstance(seen, detail.answer, nowMs, schedule);
    if (detail.kind === 'instance_unreadable') return notify(seen, 'succeeded', null, null, nowMs, undefined, DETAIL_UNREAD_HINT);
    return decideAfterTransientError({ ...seen, phase: 'detail' }, detail, nowMs);
  }
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
  const neverAnswered = state.last === null && state.instance === null;
  if (!neverAnswered && nowMs >= state.deadline_at) return notify(failing, 'timed_out', null, null, nowMs);
  // Nothing was ever heard from Huawei, so nothing may be reported as still creating; and an address
  // where nothing answers is a wrong setting far more often than an outage, so it is not waited on.
  const nothingThere = neverAnswered && (nowMs >= state.deadline_at || (observation.unreachable === true && run.count >= UNREACHABLE_GIVE_UP_ATTEMPTS));
  const creationSucceeded = state.request.operation === 'creation' && state.phase === 'detail';
  if (creationSucceeded && (nowMs >= state.deadline_at || nowMs - run.since >= TRANSIENT_BUDGET_SECONDS * 1000)) {
    return notify(failing, 'succeeded', null, null, nowMs, undefined, DETAIL_UNREAD_HINT);
  }
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

function pollAgain(state: WatchState, delaySeconds: number, warning?: string, notice?: NotificationEvent): PollDecision {
  return { action: 'poll_again', delaySeconds, next: { ...state, step: state.step + 1 }, warning, ...(notice ? { notice } : {}) };
}

function notify(
  state: WatchState,
  outcome: Outcome,
  code: string | null,
  message: string | null,
  nowMs: number,
  unavailableReason?: UnavailableReason,
  hint?: string,
): PollDecision {
  return { action: 'notify', event: buildOutcomeEvent(state, { outcome, errorCode: code, errorMsg: message, unavailableReason, hint }, nowMs) };
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
 * `decidePoll`: the progress API for a creation (and, once it says success, the instance detail in
 * the same step), the instance detail alone for the other operations and a creation's last steps.
 * Errors that are not the APIG client's are thrown.
 *
 * @example
 * const decision = decidePoll(state, await observe(state, progressSource), Date.now());
 */
export async function observe(state: WatchState, sources: { progressSource: ProgressSource; instanceDetails?: InstanceDetailSource }): Promise<Observation> {
  const { project_id, instance_id, region, operation } = state.request;
  const target = { projectId: project_id, instanceId: instance_id, region };
  if (state.phase === 'detail' && sources.instanceDetails) return observeInstance(state, sources.instanceDetails, target);
  let report: ProgressReport;
  try {
    report = await sources.progressSource.fetchProgress(target);
  } catch (error) {
    return observationOfError(error);
  }
  if (operation !== 'creation' || report.status.toLowerCase() !== 'success' || !sources.instanceDetails) return { kind: 'progress', report };
  const detail = await observeInstance(state, sources.instanceDetails, target);
  return { kind: 'progress', report, detail: detail.kind === 'terminal_error' ? { kind: 'instance_unreadable', message: detail.message } : detail };
}

/** Reads the instance detail once; a creation's detail refused (403, 401) is only unreadable. */
async function observeInstance(state: WatchState, source: InstanceDetailSource, target: { projectId: string; instanceId: string; region: string }) {
  try {
    return { kind: 'instance', answer: await source.fetchInstanceDetail(target) } as const;
  } catch (error) {
    const observation = observationOfError(error);
    if (observation.kind === 'terminal_error' && state.request.operation === 'creation')
      return { kind: 'instance_unreadable', message: observation.message } as const;
    return observation;
  }
}

function observationOfError(error: unknown): Extract<Observation, { kind: 'terminal_error' | 'transient_error' }> {
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
