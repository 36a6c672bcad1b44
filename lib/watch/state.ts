/**
 * The watch state, carried in the message body from step to step (signed: lib/watch/state-message.ts).
 * The zod schema is its single definition; the types are inferred from it. Times are Unix ms.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { outcomeEventSchema } from './events.js';
import { normalisedRequestSchema, type WatchRequest } from './request.js';

/**
 * Version of the state the poller sends itself. 2: the state travels inside a signed envelope and
 * its `watch_id` names one watch of a gateway, not the gateway.
 */
export const STATE_VERSION = 2;

const nullableString = z.nullable(z.string());
const nullableNumber = z.nullable(z.number());
const epochMs = z.number().check(z.int(), z.gte(0));

/** What the poller saw last; the schedule and the outcome read it. */
const lastSeenSchema = z.object({
  status: z.string(),
  progress: nullableNumber,
  start_time_ms: nullableNumber,
  end_time_ms: nullableNumber,
  error_code: nullableString,
  error_msg: nullableString,
  /** When this answer came. */
  seen_at: epochMs,
});

/**
 * When a progress value was first seen, for the schedule's estimate of the finish: the step
 * happened after `after` (the answer before, which did not show it yet; `null` in the watch's first
 * answer) and by `seen_at`.
 */
const progressMarkSchema = z.object({ progress: z.number(), seen_at: epochMs, after: z.nullable(epochMs) });

/** The instance detail seen last: Huawei's instance status, and (when read) the gateway's facts. */
const instanceSeenSchema = z.object({
  status: z.string(),
  gateway: z.nullable(
    z.object({ spec: nullableString, public_ingress_address: nullableString, private_ingress_address: nullableString, enterprise_project_id: nullableString }),
  ),
});

/** A run of transient errors (5xx, 429, timeouts, resets), reset by any good answer. */
const transientRunSchema = z.object({ since: epochMs, count: z.number(), last_error: z.string() });

/**
 * `kind: 'poll'` asks Huawei again; `kind: 'deliver'` only delivers `event` to targets still owed.
 * `due_at`: when a poll step is due on the queue (its predecessor's decision time plus the delay),
 * on the watcher's clock; absent in delivery rounds. A step arriving long after it (a replay, a
 * redrive) was most likely decided already.
 */
export const watchStateSchema = z.object({
  v: z.literal(STATE_VERSION),
  kind: z.enum(['poll', 'deliver']),
  watch_id: z.string().check(z.regex(/^w_[0-9a-f]{20}$/, 'must be a watch id')),
  step: z.number().check(z.int(), z.gte(0), z.lte(100_000)),
  request: normalisedRequestSchema,
  requested_at: epochMs,
  deadline_at: epochMs,
  polls: z.number().check(z.int(), z.gte(0)),
  last: z.nullable(lastSeenSchema),
  // States sent before the lifecycle was watched are creations still on the progress API.
  /** `progress`: a creation asks the progress API; `detail`: the watch asks the instance detail. */
  phase: z._default(z.enum(['progress', 'detail']), 'progress'),
  instance: z._default(z.nullable(instanceSeenSchema), null),
  /** Whether the instance status has shown the operation watched (its transitional or end status). */
  operation_seen: z._default(z.boolean(), false),
  /** A health watch's notices told so far (each is told once). */
  told: z._default(z.array(z.enum(['unhealthy', 'frozen'])), []),
  marks: z.array(progressMarkSchema).check(z.maxLength(20)),
  transient: z.nullable(transientRunSchema),
  event: z.nullable(outcomeEventSchema),
  delivery_rounds: z.number().check(z.int(), z.gte(0)),
  deliver_until: z.nullable(epochMs),
  due_at: z.optional(epochMs),
});

export type WatchState = z.infer<typeof watchStateSchema>;
export type LastSeen = z.infer<typeof lastSeenSchema>;
export type ProgressMark = z.infer<typeof progressMarkSchema>;
export type TransientRun = z.infer<typeof transientRunSchema>;
export type InstanceSeen = z.infer<typeof instanceSeenSchema>;

/**
 * The first state of a watch, made from a producer's request when it is first received; `watchId`
 * names the watch after that request's message (`watchIdFor`); tests may leave it to the default.
 *
 * @example
 * const state = initialState(request, Date.now(), 7200, watchIdFor(request, record.messageId));
 */
export function initialState(request: WatchRequest, nowMs: number, timeoutSeconds: number, watchId = watchIdFor(request, 'local')): WatchState {
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
    phase: request.operation === 'creation' ? 'progress' : 'detail',
    instance: null,
    operation_seen: false,
    told: [],
    marks: [],
    transient: null,
    event: null,
    delivery_rounds: 0,
    deliver_until: null,
  };
}

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
