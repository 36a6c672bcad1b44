import * as z from 'zod/mini';
import { EVENT_KINDS, OUTCOMES } from './notification-event.js';
import { watchRequestSchema } from './request.js';
import { STATE_VERSION } from './state.js';

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
  due_at: z.optional(epochMs),
});
