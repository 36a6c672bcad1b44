import { type Log, type DeliveryResult, INVOCATION_SAFETY_MARGIN_MS, type StepOutcome, type WatchPorts, type WatchSettings } from './ports.js';
import { selectTargets } from './select-targets.js';
import { decideDelivery } from './decide.js';
import { withKeys } from './log-keys.js';
import type { NotificationEvent, WatchEvent } from './notification-event.js';
import { encodeStateMessage } from './state-message.js';
import type { WatchState } from './state.js';

/**
 * Delivers an outcome to every target that wants it and has not settled it yet (each settled
 * target is recorded, so a retry goes only to the others), then ends the step, or hands the owed
 * targets to a delivery-only round on the queue, or — once the delivery budget is spent — to the
 * dead-letter queue, where a redrive delivers them.
 *
 * @example
 * const outcome = await deliverOutcome(state, event, ports, settings, deadlineMs, log);
 */
export async function deliverOutcome(
  state: WatchState,
  event: WatchEvent,
  ports: WatchPorts,
  settings: WatchSettings,
  invocationDeadlineMs: number,
  log: Log,
  options: DeliveryOptions = { unsettled: false },
): Promise<StepOutcome> {
  const { metrics, clock } = ports;
  if (ports.targets.length === 0) log.warn('no notification targets are configured (NOTIFY_URLS); the outcome is only logged');
  const results = await deliverToOwedTargets(state, event, ports, invocationDeadlineMs, log, options);
  const stillOwed = results.filter((result) => result.status === 'retry_later');
  const decision = decideDelivery(state, event, stillOwed, clock.now(), settings.deliveryBudgetSeconds);
  switch (decision.action) {
    case 'done':
      return { kind: 'finished' };
    case 'deliver_again':
      log.info('targets still owed; delivering again later', { owed: stillOwed.length, delaySeconds: decision.delaySeconds });
      return { kind: 'send', message: { body: encodeStateMessage(decision.next, ports.stateKeys), delaySeconds: decision.delaySeconds }, log };
    case 'dead_letter':
      log.error('delivery budget spent; the outcome goes to the dead-letter queue (a redrive delivers it)', { reason: decision.reason });
      metrics.count('DeadLettered', 1, { reason: 'delivery' });
      await ports.queue.sendToDeadLetter(encodeStateMessage(decision.next, ports.stateKeys), decision.reason);
      return { kind: 'finished' };
  }
}

/**
 * Delivers the opt-in `started` notice to the targets that want it and have not had it. It is
 * informational: a target that cannot take it within this invocation is not retried (the outcome
 * follows anyway), and the watch goes on whatever the answers.
 *
 * @example
 * if (decision.started) await deliverNotice(state, decision.started, ports, deadlineMs, log);
 */
export async function deliverNotice(
  state: WatchState,
  notice: NotificationEvent,
  ports: WatchPorts,
  invocationDeadlineMs: number,
  log: Log,
  options: DeliveryOptions = { unsettled: false },
): Promise<void> {
  await deliverToOwedTargets(state, notice, ports, invocationDeadlineMs, log, options);
}

export interface DeliveryOptions {
  /** Nothing can have been delivered for this event yet (its step was decided just now): skip the read. */
  unsettled: boolean;
}

/** One delivery per target that wants `event` (its NOTIFY_URLS filters) and has not settled it. */
async function deliverToOwedTargets(
  state: WatchState,
  event: NotificationEvent,
  ports: WatchPorts,
  invocationDeadlineMs: number,
  log: Log,
  { unsettled }: DeliveryOptions,
): Promise<DeliveryResult[]> {
  const { store, notifier, metrics, clock } = ports;
  // Only the targets whose NOTIFY_URLS filters (on=, when=, group=) want this event of this watch.
  const chosen = selectTargets(ports.targets, event, state.request);
  if (chosen.length === 0) return [];
  const settled = unsettled ? new Set<string>() : await store.settledTargets(event.id);
  const owed = chosen.filter((target) => !settled.has(target.id));
  const giveUpAtMs = invocationDeadlineMs - INVOCATION_SAFETY_MARGIN_MS;
  return Promise.all(
    owed.map(async (target) => {
      const result = await notifier.deliver(event, target, { giveUpAtMs, log });
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
      if (result.status !== 'retry_later') await store.recordSettled(event.id, target.id);
      return result;
    }),
  );
}
