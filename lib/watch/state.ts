import type { WatchEvent } from './notification-event.js';
import type { WatchRequest } from './request.js';

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
  /**
   * When this poll step is due on the queue (its predecessor's decision time plus the delay), on the
   * watcher's clock; absent in delivery rounds and in states written before it was recorded. A step
   * arriving long after it (a replay, a redrive) was most likely decided already.
   */
  due_at?: number;
}
