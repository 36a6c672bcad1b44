import type { DeliveryResult, Notifier, Target, NotificationEvent } from '../watch/index.js';

/** How long notifying all targets of one event may take, retries included. */
export const DELIVERY_GIVE_UP_MS = 30_000;

export interface DeliverToAllOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Delivers one event to every target at once through the notifier and returns each target's
 * result, in the targets' order. The notifier never waits long (a target's pace, a `Retry-After`):
 * a terminal may, so a target handed back with a time to try again is tried again then, as long
 * as that is before the give-up time. Attempts add up across tries.
 *
 * @example
 * const results = await deliverToAll(event, targets, notifier);
 * results.every((result) => result.status === 'delivered')
 */
export async function deliverToAll(
  event: NotificationEvent,
  targets: Target[],
  notifier: Notifier,
  options: DeliverToAllOptions = {},
): Promise<DeliveryResult[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const giveUpAtMs = now() + DELIVERY_GIVE_UP_MS;
  const deliverOne = async (target: Target): Promise<DeliveryResult> => {
    let attempts = 0;
    for (;;) {
      const result = await notifier.deliver(event, target, { giveUpAtMs });
      attempts += result.attempts;
      const again = result.status === 'retry_later' && result.notBeforeMs !== undefined && result.notBeforeMs < giveUpAtMs;
      if (!again) return { ...result, attempts };
      await sleep(Math.max(0, (result.notBeforeMs ?? 0) - now()));
    }
  };
  return Promise.all(targets.map(deliverOne));
}
