import type { DeliveryResult, Notifier, Target } from '../notify/types.js';
import type { NotificationEvent } from '../watch/outcome.js';

/** How long notifying all targets of one event may take, retries included. */
export const DELIVERY_GIVE_UP_MS = 30_000;

/**
 * Delivers one event to every target at once through the notifier (its retries and rate-limit
 * spacing included) and returns each target's result, in the targets' order.
 *
 * @example
 * const results = await deliverToAll(event, targets, notifier);
 * results.every((result) => result.status === 'delivered')
 */
export async function deliverToAll(event: NotificationEvent, targets: Target[], notifier: Notifier): Promise<DeliveryResult[]> {
  const giveUpAtMs = Date.now() + DELIVERY_GIVE_UP_MS;
  return Promise.all(targets.map((target) => notifier.deliver(event, target, { giveUpAtMs })));
}
