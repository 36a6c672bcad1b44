import type { WatchRequest } from './request.js';
import { STATE_VERSION, type WatchState } from './state.js';
import { watchIdFor } from './watch-ids.js';

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
