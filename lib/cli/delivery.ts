import type { DeliveryResult, Notifier, Target, NotificationEvent } from '../watch/index.js';

/** Notifying every target of one event from a terminal (`watch`, `test-notify`), and saying what each answered. */

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

/**
 * What one target answered, in plain words for a terminal: `✔ slack hooks.slack.com #3f2a9c: delivered (HTTP 200)`.
 *
 * @example
 * describeDelivery(target, { status: 'rejected', attempts: 1, reason: 'HTTP 404: channel_not_found', gone: true })
 * // '✖ slack hooks.slack.com #3f2a9c: rejected: HTTP 404: channel_not_found (the channel is gone)'
 * describeDelivery(target, { status: 'retry_later', attempts: 4, reason: 'network error ECONNREFUSED' })
 * // '✖ slack hooks.slack.com #3f2a9c: not delivered: network error ECONNREFUSED after 4 attempts'
 */
export function describeDelivery(target: Target, result: DeliveryResult): string {
  const attempts = result.attempts === 1 ? '1 attempt' : `${result.attempts} attempts`;
  switch (result.status) {
    case 'delivered':
      return `✔ ${target.display}: delivered (HTTP ${result.httpStatus}${result.attempts === 1 ? '' : `, ${attempts}`})`;
    case 'rejected':
      return `✖ ${target.display}: rejected: ${result.reason}${result.gone ? ' (the channel is gone)' : ''}`;
    case 'retry_later':
      return `✖ ${target.display}: not delivered: ${result.reason}${result.attempts > 0 ? ` after ${attempts}` : ''}`;
  }
}
