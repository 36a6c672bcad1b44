import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { OUTCOMES, type WatchEvent } from './outcome.js';
import {
  InvalidMessageError,
  describeIssues,
  parseWatchRequest,
  watchRequestSchema,
  type WatchRequest,
} from './request.js';

/** Version of the message body the poller sends itself. */
export const STATE_VERSION = 1;

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
 * The watch state, carried in the message body from step to step (`v: 1`). Times are Unix ms.
 * `kind: 'poll'` asks Huawei again; `kind: 'deliver'` only delivers `event` to targets still owed.
 */
export interface WatchState {
  v: 1;
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

const eventSchema = z.object({
  type: z.string(),
  id: z.string(),
  timestamp: z.string(),
  data: z.object({
    outcome: z.enum(OUTCOMES),
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

const stateSchema = z.object({
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
  event: z.nullable(eventSchema),
  delivery_rounds: z.number().check(z.int(), z.gte(0)),
  deliver_until: z.nullable(epochMs),
});

/**
 * The id of the watch of one gateway: the same for every request about the same project and
 * instance, so a second request for a gateway already being watched joins the first.
 *
 * @example
 * watchIdFor({ project_id: '0123…', instance_id: 'fedc…' }) // 'w_5d1c0e…' (20 hex digits)
 */
export function watchIdFor(request: Pick<WatchRequest, 'project_id' | 'instance_id'>): string {
  const digest = createHash('sha256').update(`${request.project_id}/${request.instance_id}`).digest('hex');
  return `w_${digest.slice(0, 20)}`;
}

/**
 * The first state of a watch, made from a producer's request when it is first received.
 *
 * @example
 * const state = startWatch(request, Date.now(), 7200);
 */
export function startWatch(request: WatchRequest, nowMs: number, timeoutSeconds: number): WatchState {
  return {
    v: STATE_VERSION,
    kind: 'poll',
    watch_id: watchIdFor(request),
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

/** A message body read from the queue: a producer's request, or the poller's own state. */
export type ParsedMessage = { kind: 'request'; request: WatchRequest } | { kind: 'state'; state: WatchState };

/**
 * Parses an SQS message body. Throws `InvalidMessageError` with a loggable reason for anything
 * that can never be processed (not JSON, not an object, a bad field, an unknown version).
 *
 * @example
 * const message = parseMessageBody(record.body);
 * const state = message.kind === 'state' ? message.state : startWatch(message.request, now, timeout);
 */
export function parseMessageBody(body: string): ParsedMessage {
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch {
    throw new InvalidMessageError('message body is not JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidMessageError(`message body must be a JSON object, got ${Array.isArray(input) ? 'an array' : String(input === null ? 'null' : typeof input)}`);
  }
  if (!('v' in input)) return { kind: 'request', request: parseWatchRequest(input) };
  if (input.v !== STATE_VERSION) {
    throw new InvalidMessageError(`unsupported message version ${JSON.stringify(input.v)}; this poller reads v: ${STATE_VERSION}`);
  }
  const parsed = stateSchema.safeParse(input);
  if (!parsed.success) throw new InvalidMessageError('invalid watch state', describeIssues(parsed.error.issues));
  const state = parsed.data as WatchState;
  if (state.watch_id !== watchIdFor(state.request)) {
    throw new InvalidMessageError('invalid watch state: watch_id does not match the project and instance');
  }
  return { kind: 'state', state: { ...state, request: parseWatchRequest(state.request) } };
}
