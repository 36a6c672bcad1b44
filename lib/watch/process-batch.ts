import { describeError } from '../describe-error.js';
import { processStep } from './process-step.js';
import type { IncomingRecord, StepOutcome, WatchPorts, WatchSettings } from './step-context.js';

/**
 * How soon a record that failed for a transient reason comes back: this many seconds, doubled on
 * each receive (10, 20, 40, 80, 160 s), instead of after the queue's 360 s visibility timeout.
 */
const RETRY_VISIBILITY_BASE_SECONDS = 10;

/**
 * Processes one batch of watch-queue records: each record's step concurrently, then every
 * successor in one `SendMessageBatch`. Returns the message ids to report as batch-item failures
 * (a record is acknowledged only once its successor is on the queue); a bad record never fails the
 * others, and a failed one is made visible again within seconds.
 *
 * @example
 * const { failedMessageIds } = await processBatch(event.Records, ports, settings, deadlineMs);
 * return { batchItemFailures: failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
 */
export async function processBatch(
  records: IncomingRecord[],
  ports: WatchPorts,
  settings: WatchSettings,
  deadlineMs: number,
): Promise<{ failedMessageIds: string[] }> {
  const outcomes = await Promise.all(
    records.map((record) =>
      processStep(record, ports, settings, deadlineMs).catch((error: unknown): StepOutcome => {
        ports.log.error('record failed; it will be retried', { messageId: record.messageId, error: describeError(error) });
        return { kind: 'failed' };
      }),
    ),
  );
  const failed = new Set(records.filter((_, index) => outcomes[index]?.kind === 'failed'));

  const sends = records.flatMap((record, index) => {
    const outcome = outcomes[index];
    return outcome?.kind === 'send' ? [{ id: String(index), record, outcome }] : [];
  });
  const unsent = await ports.queue.sendBatch(sends.map(({ id, outcome }) => ({ id, ...outcome.message })));
  for (const { id, record, outcome } of sends) {
    const reason = unsent.get(id);
    if (reason === undefined) continue;
    outcome.log.error('successor not sent; the step will be retried', { reason });
    failed.add(record);
  }

  if (failed.size > 0) {
    ports.metrics.count('RecordFailures', failed.size);
    await retrySoon([...failed], ports);
  }
  return { failedMessageIds: [...failed].map((record) => record.messageId) };
}

/** Best effort: a record whose visibility cannot be changed still comes back after the timeout. */
async function retrySoon(records: IncomingRecord[], ports: WatchPorts): Promise<void> {
  const retries = records.flatMap(({ receiptHandle, attributes }) => {
    if (!receiptHandle) return [];
    const receives = Math.max(1, Number(attributes?.ApproximateReceiveCount ?? 1) || 1);
    return [{ receiptHandle, visibilitySeconds: RETRY_VISIBILITY_BASE_SECONDS * 2 ** Math.min(receives - 1, 6) }];
  });
  if (retries.length === 0) return;
  try {
    await ports.queue.retryLater(retries);
  } catch (error) {
    ports.log.warn('could not bring failed records back early; they return after the visibility timeout', { error: describeError(error) });
  }
}
