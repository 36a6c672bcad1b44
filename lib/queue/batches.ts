/** SQS's batch limits, and the one way this project splits work into batches within them. */
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** SQS's limit on entries per batch call (`SendMessageBatch`, `ChangeMessageVisibilityBatch`, receives). */
export const MAX_BATCH_ENTRIES = 10;
/**
 * Bodies per `SendMessageBatch`, in UTF-8 bytes: SQS's classic 256 KiB, which every queue takes
 * (AWS has since allowed up to 1 MiB on queues configured for it).
 */
export const MAX_BATCH_BYTES = 256 * 1024;

/**
 * Groups messages, in order, into batches of at most `MAX_BATCH_ENTRIES` entries and
 * `MAX_BATCH_BYTES` of bodies (a message without a body counts 0 bytes). A message larger than
 * that alone travels alone, so whatever SQS answers about it (too long for the queue) fails no
 * other message.
 *
 * @example
 * splitIntoBatches([big, small, small]).map((batch) => batch.length) // [1, 2] when big + small > 256 KiB
 */
export function splitIntoBatches<Message extends object>(messages: readonly Message[]): Message[][] {
  const batches: Message[][] = [];
  let current: Message[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    const bytes = 'body' in message && typeof message.body === 'string' ? Buffer.byteLength(message.body, 'utf8') : 0;
    if (current.length === MAX_BATCH_ENTRIES || (current.length > 0 && currentBytes + bytes > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Makes received messages visible again after their `visibilitySeconds` (0: now), in as few
 * `ChangeMessageVisibilityBatch` calls as SQS allows.
 *
 * @example
 * await changeVisibility(client, queueUrl, [{ receiptHandle, visibilitySeconds: 10 }]);
 */
export async function changeVisibility(
  client: SQSClient,
  queueUrl: string,
  messages: readonly { receiptHandle: string; visibilitySeconds: number }[],
): Promise<void> {
  for (const batch of splitIntoBatches(messages)) {
    await client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((message, index) => ({ Id: String(index), ReceiptHandle: message.receiptHandle, VisibilityTimeout: message.visibilitySeconds })),
      }),
    );
  }
}
