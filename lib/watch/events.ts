/**
 * What apig-watch notifies: the outcome of a watch, or the opt-in `started` notice. The zod schemas
 * below are the single definition of the event (docs/contracts.md, "Generic webhook event —
 * contract"): its types are inferred from them, recorded events are re-read through them, and the
 * published JSON Schema (schema/webhook-event.schema.json) is tested against them.
 */
import * as z from 'zod/mini';
import { boundEchoedText, ECHOED_TEXT_MAX_CHARS } from '../echoed-text.js';
import { OPERATIONS, type WatchRequest } from './request.js';

/**
 * The terminal outcomes of a watch (docs/contracts.md, "Outcomes"). `cancelled` is an operator's
 * (`apig-watch cancel`), heard only by targets that ask for it (`on=cancelled`); `not_started`: the
 * operation watched never showed in Huawei's status within its grace; `recovered`: the end of a
 * health watch, the gateway `Running` again.
 */
export const OUTCOMES = [
  'succeeded',
  'failed',
  'not_found',
  'unauthorized',
  'forbidden',
  'timed_out',
  'unavailable',
  'cancelled',
  'not_started',
  'recovered',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The outcomes a target without `on=` hears: every one but `cancelled`. */
export const DEFAULT_OUTCOMES: readonly Outcome[] = OUTCOMES.filter((outcome) => outcome !== 'cancelled');

/**
 * What a target can be notified of (`on=` in `NOTIFY_URLS`): the outcomes, `started` (an opt-in
 * notice that a creation watch saw its first progress), and a health watch's notices `unhealthy`
 * and `frozen`.
 */
export const EVENT_KINDS = [...OUTCOMES, 'started', 'unhealthy', 'frozen'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** What a target without `on=` hears: every outcome but `cancelled`, and the health notices (not `started`). */
export const DEFAULT_EVENT_KINDS: readonly EventKind[] = [...DEFAULT_OUTCOMES, 'unhealthy', 'frozen'];

/** The health notices: a health watch tells each once, when the gateway turns so. */
export type HealthNotice = Extract<EventKind, 'unhealthy' | 'frozen'>;

/**
 * Why an `unavailable` watch never saw the progress: nothing answered (refused, unresolved, timed
 * out, reset, or something other than APIG), or Huawei answered only with errors (5xx, 429…).
 * `null` for every other outcome, and for an `unavailable` that did see the progress.
 */
export const UNAVAILABLE_REASONS = ['never_answered', 'no_progress'] as const;
export type UnavailableReason = (typeof UNAVAILABLE_REASONS)[number];

const nullableString = z.nullable(z.string());
const nullableNumber = z.nullable(z.number());

/** What the person reading a notification needs next of the gateway, from Huawei's instance detail. */
const gatewaySchema = z.object({
  spec: nullableString,
  public_ingress_address: nullableString,
  private_ingress_address: nullableString,
  enterprise_project_id: nullableString,
});
export type GatewayFacts = z.infer<typeof gatewaySchema>;

/** An event whose `data.outcome` (and so its `type`) is one of `kinds`. */
const eventSchemaOf = <const Kinds extends readonly [string, ...string[]]>(kinds: Kinds) =>
  z.object({
    type: z.templateLiteral(['apig.gateway.', z.enum(OPERATIONS), '.', z.enum(kinds)]),
    id: z.string(),
    timestamp: z.string(),
    data: z.object({
      outcome: z.enum(kinds),
      // Events recorded before these fields existed were creations, without the instance detail.
      operation: z._default(z.enum(OPERATIONS), 'creation'),
      project_id: z.string(),
      instance_id: z.string(),
      instance_name: nullableString,
      region: z.string(),
      status: nullableString,
      instance_status: z._default(nullableString, null),
      progress: nullableNumber,
      error_code: nullableString,
      error_msg: nullableString,
      hint: nullableString,
      // Events recorded before the field existed read as `null`.
      unavailable_reason: z._default(z.nullable(z.enum(UNAVAILABLE_REASONS)), null),
      started_at: nullableString,
      finished_at: nullableString,
      elapsed_ms: nullableNumber,
      elapsed: nullableString,
      polls: z.number(),
      context: z.record(z.string(), z.string()),
      gateway: z._default(z.nullable(gatewaySchema), null),
    }),
  });

/** An outcome event (a terminal decision, as recorded and re-read). */
export const outcomeEventSchema = eventSchemaOf(OUTCOMES);
/** Any notified event, the opt-in `started` notice included. */
export const notificationEventSchema = eventSchemaOf(EVENT_KINDS);

/** The generic webhook event of an outcome. `id` is stable per watch and outcome (the `webhook-id`). */
export type OutcomeEvent = z.infer<typeof outcomeEventSchema>;
/** Any event apig-watch notifies: an `OutcomeEvent` or `apig.gateway.creation.started`. */
export type NotificationEvent = z.infer<typeof notificationEventSchema>;
/** `data` of a notified event. */
export type EventData = NotificationEvent['data'];
/** `data` of an outcome event. */
export type OutcomeData = OutcomeEvent['data'];

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

/** What of a watch an event tells: a `WatchState` (lib/watch/state.ts) is one. */
export interface EventSubject {
  watch_id: string;
  request: WatchRequest;
  requested_at: number;
  polls: number;
  last: { status: string; progress: number | null; start_time_ms: number | null; end_time_ms: number | null } | null;
  /** The instance detail seen last: Huawei's instance status, and the gateway's facts when read. */
  instance: { status: string; gateway: GatewayFacts | null } | null;
}

/** The details of a terminal outcome that are not in the watch state. */
export interface OutcomeDetails {
  outcome: Outcome;
  errorCode: string | null;
  errorMsg: string | null;
  unavailableReason?: UnavailableReason;
  /** Instead of the hint of the failure code (`hintFor`). */
  hint?: string;
}

/**
 * Builds the event of a watch's outcome. The `id` is stable per watch and outcome, so it serves as
 * the Standard Webhooks `webhook-id` and receivers can drop a repeated post.
 *
 * @example
 * const event = buildOutcomeEvent(state, { outcome: 'succeeded', errorCode: null, errorMsg: null }, now);
 * event.type // 'apig.gateway.creation.succeeded'
 */
export function buildOutcomeEvent(subject: EventSubject, details: OutcomeDetails, nowMs: number): OutcomeEvent {
  const { outcome } = details;
  const startedMs = startedAtMs(subject);
  const completed = outcome === 'succeeded' || outcome === 'failed';
  const finishedMs = completed ? (subject.last?.end_time_ms ?? nowMs) : null;
  const elapsedMs = Math.max(0, (finishedMs !== null && finishedMs >= startedMs ? finishedMs : nowMs) - startedMs);
  return eventOf(
    subject,
    {
      outcome,
      errorCode: details.errorCode,
      // Composed messages (a prefix and Huawei's text, each within bounds) stay within the documented 512 as a whole.
      errorMsg: details.errorMsg === null ? null : boundEchoedText(details.errorMsg, ECHOED_TEXT_MAX_CHARS),
      hint: details.hint ?? hintFor(outcome, details.errorCode),
      unavailableReason: details.unavailableReason ?? null,
    },
    finishedMs,
    elapsedMs,
    nowMs,
  );
}

/**
 * Builds the opt-in `apig.gateway.creation.started` notice (docs/configuration.md, "Routing and
 * filters") of a watch whose first progress answer is `subject.last`. Same fields as an outcome
 * event, with `outcome: 'started'`, `finished_at: null` and the time elapsed so far; the `id` is
 * stable per watch, so a repeated delivery carries the same `webhook-id`.
 *
 * @example
 * buildStartedEvent(successor, now).type // 'apig.gateway.creation.started'
 */
export function buildStartedEvent(subject: EventSubject, nowMs: number): NotificationEvent {
  const elapsedMs = Math.max(0, nowMs - startedAtMs(subject));
  return eventOf(subject, { outcome: 'started', errorCode: null, errorMsg: null, hint: null, unavailableReason: null }, null, elapsedMs, nowMs);
}

/**
 * Builds a health watch's notice (`apig.gateway.health.unhealthy` or `.frozen`), once per watch
 * and kind: its `id` is stable, so a repeated delivery carries the same `webhook-id`.
 *
 * @example
 * buildHealthNotice(state, 'frozen', now).type // 'apig.gateway.health.frozen'
 */
export function buildHealthNotice(subject: EventSubject, notice: HealthNotice, nowMs: number): NotificationEvent {
  const elapsedMs = Math.max(0, nowMs - subject.requested_at);
  return eventOf(subject, { outcome: notice, errorCode: null, errorMsg: null, hint: null, unavailableReason: null }, null, elapsedMs, nowMs);
}

/**
 * The `started` notice a poll step owes, if any: when the step turned a watch that had seen no
 * progress yet (`previous.last === null`) into one that keeps polling with a progress answer
 * (`next`, the successor of a *poll again* decision). A creation whose first answer is already
 * `success` or `failed` gets its outcome only.
 *
 * @example
 * const started = startedEventOf(state, decision.next, now); // null unless this was the first progress
 */
export function startedEventOf(previous: EventSubject, next: EventSubject & { kind: 'poll' | 'deliver' }, nowMs: number): NotificationEvent | null {
  if (previous.last !== null || next.last === null || next.kind !== 'poll') return null;
  return buildStartedEvent(next, nowMs);
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

/** When the creation began: Huawei's `start_time`, else when the watch was requested. */
function startedAtMs(subject: EventSubject): number {
  return subject.last?.start_time_ms ?? subject.requested_at;
}

interface EventFields<Kind extends EventKind> {
  outcome: Kind;
  errorCode: string | null;
  errorMsg: string | null;
  hint: string | null;
  unavailableReason: UnavailableReason | null;
}

/** One event's fields, in the contract's order, for an outcome or the `started` notice. */
function eventOf<Kind extends EventKind>(subject: EventSubject, what: EventFields<Kind>, finishedMs: number | null, elapsedMs: number, nowMs: number) {
  const { request, last, instance } = subject;
  return {
    type: `apig.gateway.${request.operation}.${what.outcome}` as const,
    id: `${subject.watch_id}_${what.outcome}`,
    timestamp: new Date(nowMs).toISOString(),
    data: {
      outcome: what.outcome,
      operation: request.operation,
      project_id: request.project_id,
      instance_id: request.instance_id,
      instance_name: request.instance_name,
      region: request.region,
      status: last?.status ?? null,
      instance_status: instance?.status ?? null,
      progress: last?.progress ?? null,
      error_code: what.errorCode,
      error_msg: what.errorMsg,
      hint: what.hint,
      unavailable_reason: what.unavailableReason,
      started_at: new Date(startedAtMs(subject)).toISOString(),
      finished_at: finishedMs === null ? null : new Date(finishedMs).toISOString(),
      elapsed_ms: elapsedMs,
      elapsed: formatElapsed(elapsedMs),
      polls: subject.polls,
      context: request.context,
      gateway: what.outcome === 'succeeded' ? (instance?.gateway ?? null) : null,
    },
  };
}
