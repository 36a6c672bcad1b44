import type { Outcome, WatchEvent } from './outcome.js';
import type { WatchState } from './state.js';

/** What Huawei's failure codes mean for the person reading the notification (DESIGN §4). */
const FAILURE_HINTS: Record<string, string> = {
  'APIC.9218': 'insufficient quota: ask for a quota increase',
  'APIC.9219': 'resources sold out: try another availability zone or gateway specification',
  'APIC.9206': 'creation failed for another reason: contact Huawei Cloud support',
};

const OUTCOME_HINTS: Partial<Record<Outcome, string>> = {
  not_found: 'the instance id is wrong or the gateway was deleted',
  unauthorized: 'check the Huawei Cloud credentials the watcher uses',
  forbidden: 'grant the permission apig:instance:getCreateProgress to the watcher\'s IAM user',
  timed_out: 'the gateway is still being created; check it in the console',
  unavailable: 'Huawei Cloud kept answering with errors; the gateway may still be creating',
};

/**
 * The hint for a failed creation or an outcome that needs an action, or `null`.
 *
 * @example
 * hintFor('failed', 'APIC.9218') // 'insufficient quota: ask for a quota increase'
 */
export function hintFor(outcome: Outcome, errorCode: string | null): string | null {
  if (outcome === 'failed') {
    return (errorCode && FAILURE_HINTS[errorCode]) ?? 'creation failed: see the error message, or contact Huawei Cloud support';
  }
  return OUTCOME_HINTS[outcome] ?? null;
}

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

/** The details of a terminal outcome that are not in the watch state. */
export interface OutcomeDetails {
  outcome: Outcome;
  errorCode: string | null;
  errorMsg: string | null;
}

/**
 * Builds the event of a watch's outcome (DESIGN §5). The `id` is stable per watch and outcome, so
 * it serves as the Standard Webhooks `webhook-id` and receivers can drop a repeated post.
 *
 * @example
 * const event = buildOutcomeEvent(state, { outcome: 'succeeded', errorCode: null, errorMsg: null }, now);
 * event.type // 'apig.gateway.creation.succeeded'
 */
export function buildOutcomeEvent(state: WatchState, details: OutcomeDetails, nowMs: number): WatchEvent {
  const { request, last } = state;
  const { outcome } = details;
  const startedMs = last?.start_time_ms ?? state.requested_at;
  const completed = outcome === 'succeeded' || outcome === 'failed';
  const finishedMs = completed ? (last?.end_time_ms ?? nowMs) : null;
  const elapsedMs = Math.max(0, (finishedMs !== null && finishedMs >= startedMs ? finishedMs : nowMs) - startedMs);
  return {
    type: `apig.gateway.creation.${outcome}`,
    id: `${state.watch_id}_${outcome}`,
    timestamp: new Date(nowMs).toISOString(),
    data: {
      outcome,
      project_id: request.project_id,
      instance_id: request.instance_id,
      instance_name: request.instance_name,
      region: request.region,
      status: last?.status ?? null,
      progress: last?.progress ?? null,
      error_code: details.errorCode,
      error_msg: details.errorMsg,
      hint: hintFor(outcome, details.errorCode),
      started_at: new Date(startedMs).toISOString(),
      finished_at: finishedMs === null ? null : new Date(finishedMs).toISOString(),
      elapsed_ms: elapsedMs,
      elapsed: formatElapsed(elapsedMs),
      polls: state.polls,
      context: request.context,
    },
  };
}
