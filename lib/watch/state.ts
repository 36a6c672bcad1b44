import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { EVENT_KINDS, OUTCOMES, type WatchEvent } from './notification-event.js';
import { watchRequestSchema, type WatchRequest } from './request.js';

/**
 * Version of the state the poller sends itself. 2: the state travels inside a signed envelope
 * (`state-message.ts`) and its `watch_id` names one watch of a gateway, not the gateway.
 */
export const STATE_VERSION = 2;

/** What the poller saw last; the schedule and the outcome read it. */
export interface LastSeen {
  status: string;
  progress: number | null;
  start_time_ms: number | null;
  end_time_ms: number | null;
  error_code: string | null;
  error_msg: string | null;
  /** When this answer came; absent in states written before it was recorded. */
  seen_at?: number;
}

/**
 * When each progress value was first seen, for the schedule's estimate of the finish: the step
 * happened after `after` (the answer before, which did not show it yet) and by `seen_at`.
 */
export interface ProgressMark {
  progress: number;
  seen_at: number;
  /** `null`: seen in the watch's first answer. Absent in states written before it was recorded. */
  after?: number | null;
}

/** A run of transient errors (5xx, 429, timeouts, resets), reset by any good answer. */
export interface TransientRun {
  since: number;
  count: number;
  last_error: string;
}

/**
 * The watch state, carried in the message body from step to step (`v: 2`). Times are Unix ms.
 * `kind: 'poll'` asks Huawei again; `kind: 'deliver'` only delivers `event` to targets still owed.
 */
export interface WatchState {
  v: 2;
  kind: 'poll' | 'deliver';
  watch_id: string;
  step: number;
  request: WatchRequest;
  requested_at: number;
  deadline_at: number;
  polls: number;
  last: LastSeen | null;
  marks: ProgressMark[];
  transient: TransientRun | null;
  event: WatchEvent | null;
  delivery_rounds: number;
  deliver_until: number | null;
}

const nullableString = z.nullable(z.string());
const nullableNumber = z.nullable(z.number());
const epochMs = z.number().check(z.int(), z.gte(0));

/** An event's fields, `data.outcome` being one of `outcomes`. */
const eventSchemaOf = <Kinds extends readonly [string, ...string[]]>(outcomes: Kinds) =>
  z.object({
    type: z.string(),
    id: z.string(),
    timestamp: z.string(),
    data: z.object({
      outcome: z.enum(outcomes),
      project_id: z.string(),
      instance_id: z.string(),
      instance_name: nullableString,
      region: z.string(),
      status: nullableString,
      progress: nullableNumber,
      error_code: nullableString,
      error_msg: nullableString,
      hint: nullableString,
      started_at: nullableString,
      finished_at: nullableString,
      elapsed_ms: nullableNumber,
      elapsed: nullableString,
      polls: z.number(),
      context: z.record(z.string(), z.string()),
    }),
  });

/** The outcome event as recorded and re-read (a step record, a delivery round). */
export const watchEventSchema = eventSchemaOf(OUTCOMES);
/** Any notified event, the opt-in `started` notice included, as recorded with its step. */
export const notificationEventSchema = eventSchemaOf(EVENT_KINDS);

/** The watch state, checked again after its signature (defence in depth, and typing). */
export const watchStateSchema = z.object({
  v: z.literal(STATE_VERSION),
  kind: z.enum(['poll', 'deliver']),
  watch_id: z.string().check(z.regex(/^w_[0-9a-f]{20}$/, 'must be a watch id')),
  step: z.number().check(z.int(), z.gte(0), z.lte(100_000)),
  request: watchRequestSchema,
  requested_at: epochMs,
  deadline_at: epochMs,
  polls: z.number().check(z.int(), z.gte(0)),
  last: z.nullable(
    z.object({
      status: z.string(),
      progress: nullableNumber,
      start_time_ms: nullableNumber,
      end_time_ms: nullableNumber,
      error_code: nullableString,
      error_msg: nullableString,
      seen_at: z.optional(epochMs),
    }),
  ),
  marks: z.array(z.object({ progress: z.number(), seen_at: epochMs, after: z.optional(z.nullable(epochMs)) })).check(z.maxLength(20)),
  transient: z.nullable(z.object({ since: epochMs, count: z.number(), last_error: z.string() })),
  event: z.nullable(watchEventSchema),
  delivery_rounds: z.number().check(z.int(), z.gte(0)),
  deliver_until: z.nullable(epochMs),
});

/**
 * The key of one gateway (project and instance): every watch of that gateway is recorded under it,
 * so a second request while a watch is active joins it.
 *
 * @example
 * gatewayKeyFor({ project_id: '0123…', instance_id: 'fedc…' }) // 'g_5d1c0e…' (20 hex digits)
 */
export function gatewayKeyFor(request: Pick<WatchRequest, 'project_id' | 'instance_id'>): string {
  return `g_${digest(`${request.project_id}/${request.instance_id}`)}`;
}

/**
 * The id of one watch of a gateway: the gateway and the SQS message id of the request that started
 * it. The same message delivered again gives the same id (and so continues the same watch); a new
 * request after the watch ended gives a new id, so its outcome has new event ids.
 *
 * @example
 * watchIdFor({ project_id: '0123…', instance_id: 'fedc…' }, '059f36b4-87a3-44ab-83d2-661975830a7d') // 'w_…'
 */
export function watchIdFor(request: Pick<WatchRequest, 'project_id' | 'instance_id'>, startedBy: string): string {
  return `w_${digest(`${request.project_id}/${request.instance_id}/${startedBy}`)}`;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 20);
}

/**
 * The first state of a watch, made from a producer's request when it is first received. The
 * poller names the watch after the request's message (`watchIdFor`); the CLI, which watches alone,
 * may leave it to the default.
 *
 * @example
 * const state = startWatch(request, Date.now(), 7200, watchIdFor(request, record.messageId));
 */
export function startWatch(request: WatchRequest, nowMs: number, timeoutSeconds: number, watchId = watchIdFor(request, 'local')): WatchState {
  return {
    v: STATE_VERSION,
    kind: 'poll',
    watch_id: watchId,
    step: 0,
    request,
    requested_at: nowMs,
    deadline_at: nowMs + timeoutSeconds * 1000,
    polls: 0,
    last: null,
    marks: [],
    transient: null,
    event: null,
    delivery_rounds: 0,
    deliver_until: null,
  };
}
