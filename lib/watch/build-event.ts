import type { EventData, EventKind, NotificationEvent, Outcome, WatchEvent } from './notification-event.js';
import type { WatchState } from './state.js';
import { formatElapsed } from './format-elapsed.js';
import { boundEchoedText, ECHOED_TEXT_MAX_CHARS } from '../echoed-text.js';

/** What Huawei's failure codes mean for the person reading the notification (docs/contracts.md, "Outcomes"). */
const FAILURE_HINTS: Readonly<Record<string, string>> = {
  'APIC.9218': 'Insufficient quota: ask Huawei Cloud for a quota increase (or delete unused gateways), then create the gateway again.',
  'APIC.9219': 'Resources are sold out: try another availability zone or another gateway edition (spec).',
  'APIC.9206': 'The creation failed for another reason: contact Huawei Cloud support with the instance id.',
};
const UNKNOWN_FAILURE_HINT = 'See the error message; if it does not say what to change, contact Huawei Cloud support with the instance id.';

/**
 * The hint of a failed creation, by Huawei's error code (case-insensitive); `null` for other
 * outcomes, whose notification text already says what to do.
 *
 * @example
 * hintFor('failed', 'APIC.9218') // 'Insufficient quota: ask Huawei Cloud for a quota increase …'
 */
export function hintFor(outcome: Outcome, errorCode: string | null): string | null {
  if (outcome !== 'failed') return null;
  return (errorCode && FAILURE_HINTS[errorCode.toUpperCase()]) || UNKNOWN_FAILURE_HINT;
}

/** The details of a terminal outcome that are not in the watch state. */
export interface OutcomeDetails {
  outcome: Outcome;
  errorCode: string | null;
  errorMsg: string | null;
}

/**
 * Builds the event of a watch's outcome (docs/contracts.md, "Generic webhook event — contract"). The `id` is stable per watch and outcome, so
 * it serves as the Standard Webhooks `webhook-id` and receivers can drop a repeated post.
 *
 * @example
 * const event = buildOutcomeEvent(state, { outcome: 'succeeded', errorCode: null, errorMsg: null }, now);
 * event.type // 'apig.gateway.creation.succeeded'
 */
export function buildOutcomeEvent(state: WatchState, details: OutcomeDetails, nowMs: number): WatchEvent {
  const { outcome } = details;
  const startedMs = startedAtMs(state);
  const completed = outcome === 'succeeded' || outcome === 'failed';
  const finishedMs = completed ? (state.last?.end_time_ms ?? nowMs) : null;
  const elapsedMs = Math.max(0, (finishedMs !== null && finishedMs >= startedMs ? finishedMs : nowMs) - startedMs);
  return eventOf(
    state,
    {
      outcome,
      errorCode: details.errorCode,
      // Composed messages (a prefix and Huawei's text, each within bounds) stay within the documented 512 as a whole.
      errorMsg: details.errorMsg === null ? null : boundEchoedText(details.errorMsg, ECHOED_TEXT_MAX_CHARS),
      hint: hintFor(outcome, details.errorCode),
    },
    finishedMs,
    elapsedMs,
    nowMs,
  );
}

/**
 * Builds the opt-in `apig.gateway.creation.started` notice (docs/configuration.md, "Routing and filters") of a
 * watch whose first progress answer is `state.last`. Same fields as an outcome event, with
 * `outcome: 'started'`, `finished_at: null` and the time elapsed so far; the `id` is stable per
 * watch, so a repeated delivery carries the same `webhook-id`.
 *
 * @example
 * const event = buildStartedEvent(successor, now);
 * event.type // 'apig.gateway.creation.started'
 */
export function buildStartedEvent(state: WatchState, nowMs: number): NotificationEvent {
  const elapsedMs = Math.max(0, nowMs - startedAtMs(state));
  return eventOf(state, { outcome: 'started', errorCode: null, errorMsg: null, hint: null }, null, elapsedMs, nowMs);
}

/** When the creation began: Huawei's `start_time`, else when the watch was requested. */
function startedAtMs(state: WatchState): number {
  return state.last?.start_time_ms ?? state.requested_at;
}

/** One event's fields, in the contract's order, for an outcome or the `started` notice. */
function eventOf<Kind extends EventKind>(
  state: WatchState,
  what: { outcome: Kind; errorCode: string | null; errorMsg: string | null; hint: string | null },
  finishedMs: number | null,
  elapsedMs: number,
  nowMs: number,
): { type: `apig.gateway.creation.${Kind}`; id: string; timestamp: string; data: EventData & { outcome: Kind } } {
  const { request, last } = state;
  return {
    type: `apig.gateway.creation.${what.outcome}`,
    id: `${state.watch_id}_${what.outcome}`,
    timestamp: new Date(nowMs).toISOString(),
    data: {
      outcome: what.outcome,
      project_id: request.project_id,
      instance_id: request.instance_id,
      instance_name: request.instance_name,
      region: request.region,
      status: last?.status ?? null,
      progress: last?.progress ?? null,
      error_code: what.errorCode,
      error_msg: what.errorMsg,
      hint: what.hint,
      started_at: new Date(startedAtMs(state)).toISOString(),
      finished_at: finishedMs === null ? null : new Date(finishedMs).toISOString(),
      elapsed_ms: elapsedMs,
      elapsed: formatElapsed(elapsedMs),
      polls: state.polls,
      context: request.context,
    },
  };
}

/**
 * The `started` notice a poll step owes, if any: when the step turned a watch that had seen no
 * progress yet (`previous.last === null`) into one that keeps polling with a progress answer
 * (`next`, the successor of a *poll again* decision). A creation whose first answer is already
 * `success` or `failed` gets its outcome only.
 *
 * @example
 * const decision = decidePoll(state, observation, now);
 * const started = decision.action === 'poll_again' ? startedEventOf(state, decision.next, now) : null;
 */
export function startedEventOf(previous: WatchState, next: WatchState, nowMs: number): NotificationEvent | null {
  if (previous.last !== null || next.last === null || next.kind !== 'poll') return null;
  return buildStartedEvent(next, nowMs);
}
