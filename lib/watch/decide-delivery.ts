/**
 * The delivery policy: after a round of deliveries of an outcome, whether the watch is done, goes
 * round again through the queue, or hands the outcome to the dead-letter queue.
 */
import type { OutcomeEvent } from './events.js';
import { MAX_SQS_DELAY_SECONDS, sqsDelaySeconds } from './schedule.js';
import type { WatchState } from './state.js';

/** Delivery rounds through the queue: 10 s, 30 s, 2 min, 5 min, then every 15 min (SQS's longest delay). */
export const DELIVERY_RETRY_DELAYS_SECONDS = [10, 30, 120, 300, MAX_SQS_DELAY_SECONDS] as const;

export type DeliveryDecision =
  | { action: 'done' }
  | { action: 'deliver_again'; delaySeconds: number; next: WatchState }
  | { action: 'dead_letter'; next: WatchState; reason: string };

/** A target still owed after a round: what the notifier said about when to try it again. */
export interface OwedDelivery {
  /** The earliest time (ms) this target may be tried again, when one was given. */
  notBeforeMs?: number;
  /** Only waiting for its pace: not posted, nothing failed. */
  paced?: boolean;
}

/**
 * After a round of deliveries of a terminal outcome: done when no target is owed any more;
 * otherwise a delivery-only message later (it never polls Huawei again), and once the delivery
 * budget is spent, the dead-letter queue, holding the outcome so that a redrive delivers it.
 *
 * When every owed target is only waiting for its pace, the next round comes exactly when the
 * earliest may post (whole seconds, at least one) and neither the retry schedule nor the budget is
 * spent. When any failed, the retry schedule applies, never before a `Retry-After` it was given.
 *
 * @example
 * decideDelivery(state, event, [{}], now, 24 * 3600) // { action: 'deliver_again', delaySeconds: 10, next }
 * decideDelivery(state, event, [{ paced: true, notBeforeMs: now + 2500 }], now, 86_400) // delaySeconds: 3
 */
export function decideDelivery(state: WatchState, event: OutcomeEvent, owed: readonly OwedDelivery[], nowMs: number, budgetSeconds: number): DeliveryDecision {
  if (owed.length === 0) return { action: 'done' };
  const base: WatchState = { ...state, kind: 'deliver', event, step: state.step + 1 };
  const rounds = state.kind === 'deliver' ? state.delivery_rounds : 0;
  const secondsUntil = (atMs: number) => Math.ceil((atMs - nowMs) / 1000);
  // A time that is no time (NaN, ±Infinity from an odd Retry-After) is no constraint.
  const notBeforeMs = (target: OwedDelivery) => (Number.isFinite(target.notBeforeMs) ? target.notBeforeMs : undefined);
  const failed = owed.filter((target) => target.paced !== true);
  if (failed.length === 0) {
    const earliestMs = Math.min(...owed.map((target) => notBeforeMs(target) ?? nowMs));
    return {
      action: 'deliver_again',
      delaySeconds: sqsDelaySeconds(Math.max(1, secondsUntil(earliestMs)), 1),
      next: { ...base, delivery_rounds: rounds, deliver_until: state.deliver_until },
    };
  }
  const deliverUntil = state.deliver_until ?? nowMs + budgetSeconds * 1000;
  if (nowMs >= deliverUntil) {
    return {
      action: 'dead_letter',
      reason: `${failed.length} target(s) still failing after the delivery budget of ${budgetSeconds} s`,
      next: { ...base, delivery_rounds: 0, deliver_until: null },
    };
  }
  const scheduled = DELIVERY_RETRY_DELAYS_SECONDS[Math.min(rounds, DELIVERY_RETRY_DELAYS_SECONDS.length - 1)] ?? MAX_SQS_DELAY_SECONDS;
  const retryAfter = Math.max(0, ...failed.map((target) => secondsUntil(notBeforeMs(target) ?? nowMs)));
  const delay = Math.min(Math.max(scheduled, retryAfter), MAX_SQS_DELAY_SECONDS);
  return {
    action: 'deliver_again',
    delaySeconds: sqsDelaySeconds(Math.min(delay, secondsUntil(deliverUntil)), scheduled),
    next: { ...base, delivery_rounds: rounds + 1, deliver_until: deliverUntil },
  };
}
