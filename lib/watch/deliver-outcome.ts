import { decideDelivery, type OwedDelivery } from './decide-delivery.js';
import type { NotificationEvent, OutcomeEvent } from './events.js';
import { type DeliveryResult, type Target, withKeys } from './ports/index.js';
import { selectTargets } from './select-targets.js';
import { encodeStateMessage } from './state-message.js';
import { INVOCATION_SAFETY_MARGIN_MS, type StepContext, type StepOutcome } from './step-context.js';

/**
 * A claim on a delivery outlives the invocation that took it by this much (wall clock): the
 * Lambda is stopped at its deadline, so no post of the holder can start later; the slack covers
 * the clocks of two containers disagreeing.
 */
export const CLAIM_SLACK_MS = 10_000;

/**
 * Delivers an outcome to every target that wants it and has not settled it yet (each settled
 * target is recorded, so a retry goes only to the others; each post is claimed first, so two live
 * copies of the step never both post), then ends the step, or hands the owed targets to a
 * delivery-only round on the queue, or — once the delivery budget is spent — to the dead-letter
 * queue, where a redrive delivers them.
 *
 * @example
 * return deliverOutcome(context, decision.event, { unsettled: false });
 */
export async function deliverOutcome(context: StepContext, event: OutcomeEvent, options: DeliveryOptions): Promise<StepOutcome> {
  const { state, ports, settings, log } = context;
  if (ports.targets.length === 0) log.warn('no notification targets are configured (NOTIFY_URLS); the outcome is only logged');
  const stillOwed = await deliverToOwedTargets(context, event, options);
  const decision = decideDelivery(state, event, stillOwed, ports.clock.now(), settings.deliveryBudgetSeconds);
  switch (decision.action) {
    case 'done':
      return { kind: 'finished' };
    case 'deliver_again':
      log.info('targets still owed; delivering again later', { owed: stillOwed.length, delaySeconds: decision.delaySeconds });
      return { kind: 'send', message: { body: encodeStateMessage(decision.next, ports.stateKeys), delaySeconds: decision.delaySeconds }, log };
    case 'dead_letter':
      log.error('delivery budget spent; the outcome goes to the dead-letter queue (a redrive delivers it)', { reason: decision.reason });
      ports.metrics.count('DeadLettered', 1, { reason: 'delivery' });
      await ports.queue.sendToDeadLetter(encodeStateMessage(decision.next, ports.stateKeys), decision.reason);
      return { kind: 'finished' };
  }
}

export interface DeliveryOptions {
  /** Nothing can have been delivered for this event yet (its step was decided just now): skip the read. */
  unsettled: boolean;
}

/**
 * One delivery per target that wants `event` (its NOTIFY_URLS filters) and has not settled it, each
 * claimed before its post; returns the targets still owed. A target whose claim another copy holds
 * is owed until the claim expires: if the holder lives it settles the target meanwhile, and if it
 * died, the round that comes back then takes the claim and posts. A step's notice (`started`, a health change) is
 * delivered this way alone: it is informational, so a target that cannot take it within this
 * invocation is not retried (the outcome follows anyway).
 *
 * @example
 * if (decision.notice) await deliverToOwedTargets(context, decision.notice, { unsettled: true });
 */
export async function deliverToOwedTargets(context: StepContext, event: NotificationEvent, { unsettled }: DeliveryOptions): Promise<OwedDelivery[]> {
  const { state, ports, deadlineMs, log } = context;
  const { store } = ports;
  // Only the targets whose NOTIFY_URLS filters (on=, when=, group=) want this event of this watch.
  const chosen = selectTargets(ports.targets, event, state.request);
  if (chosen.length === 0) return [];
  const settled = unsettled ? new Set<string>() : await store.settledTargets(event.id);
  const owed = chosen.filter((target) => !settled.has(target.id));
  const heldUntilMs = deadlineMs + CLAIM_SLACK_MS;
  const stillOwed = await Promise.all(
    owed.map(async (target): Promise<OwedDelivery[]> => {
      const claim = await store.claimDelivery(event.id, target.id, heldUntilMs);
      if (claim.kind === 'settled') return [];
      if (claim.kind === 'held') {
        log.info('another copy of this step holds the delivery; looking again once its claim expires', { target: target.display, heldUntilMs: claim.untilMs });
        ports.metrics.count('DeliveriesHeldByAnotherCopy');
        return [{ paced: true, notBeforeMs: claim.untilMs }];
      }
      const result = await postClaimed(context, event, target, heldUntilMs);
      return result.status === 'retry_later' ? [result] : [];
    }),
  );
  return stillOwed.flat();
}

/**
 * Posts a claimed delivery and settles it, or gives the claim up when the post did not go through
 * (or threw), so a retry need not wait for it to expire.
 */
async function postClaimed({ ports, deadlineMs, log }: StepContext, event: NotificationEvent, target: Target, heldUntilMs: number): Promise<DeliveryResult> {
  const { store, notifier, metrics, clock } = ports;
  const giveUpAtMs = deadlineMs - INVOCATION_SAFETY_MARGIN_MS;
  let result: DeliveryResult;
  try {
    result = await notifier.deliver(event, target, { giveUpAtMs, log });
  } catch (error) {
    await store.releaseDelivery(event.id, target.id, heldUntilMs);
    throw error;
  }
  const targetLog = withKeys(log, { target: target.display, channel: target.type, attempts: result.attempts });
  if (result.status === 'delivered') {
    targetLog.info('notification delivered', { outcome: event.data.outcome });
    if (event.data.finished_at !== null) {
      metrics.milliseconds('NotificationLag', Math.max(0, clock.now() - Date.parse(event.data.finished_at)), { channel: target.type });
    }
  } else if (result.status === 'retry_later' && result.paced) {
    // Not a failure: the target's pace holds this post until its slot.
    targetLog.info("notification held for the target's pace", { notBeforeMs: result.notBeforeMs });
  } else {
    if (result.status === 'rejected') targetLog.error('notification rejected', { reason: result.reason, gone: result.gone });
    else targetLog.warn('notification not delivered yet', { reason: result.reason, notBeforeMs: result.notBeforeMs });
    // Per channel for dashboards, and once more without dimensions for the alarm.
    metrics.count('NotificationFailures', 1, { channel: target.type, result: result.status });
    metrics.count('NotificationFailures');
  }
  if (result.status === 'retry_later') await store.releaseDelivery(event.id, target.id, heldUntilMs);
  else await store.recordSettled(event.id, target.id);
  return result;
}
