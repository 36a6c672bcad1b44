import { ChangeMessageVisibilityBatchCommand, SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { OutgoingMessage, WatchQueue } from '../watch/index.js';

/** SQS's limit on entries per `SendMessageBatch`. */
export const MAX_BATCH_ENTRIES = 10;
/**
 * Bodies per `SendMessageBatch`, in UTF-8 bytes: SQS's classic 256 KiB, which every queue takes
 * (AWS has since allowed up to 1 MiB on queues configured for it).
 */
export const MAX_BATCH_BYTES = 256 * 1024;
/** SQS message attribute values are limited; reasons are cut to this length. */
const MAX_REASON_LENGTH = 1000;

/**
 * The watch queue and its dead-letter queue over the AWS SDK.
 *
 * @example
 * const queue = createSqsWatchQueue(new SQSClient({}), config.watchQueueUrl, config.deadLetterQueueUrl);
 * const failed = await queue.sendBatch([{ id: '0', body, delaySeconds: 30 }]);
 */
export function createSqsWatchQueue(client: SQSClient, queueUrl: string, deadLetterQueueUrl: string): WatchQueue {
  return {
    async sendBatch(messages) {
      const failed = new Map<string, string>();
      for (const chunk of splitIntoBatches(messages)) {
        try {
          const answer = await client.send(
            new SendMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: chunk.map((message) => ({ Id: message.id, MessageBody: message.body, DelaySeconds: message.delaySeconds })),
            }),
          );
          for (const entry of answer.Failed ?? []) {
            if (entry.Id) failed.set(entry.Id, `${entry.Code ?? 'error'}: ${entry.Message ?? 'not sent'}`);
          }
        } catch (error) {
          for (const message of chunk) failed.set(message.id, String(error));
        }
      }
      return failed;
    },

    async sendToDeadLetter(body, reason) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: deadLetterQueueUrl,
          MessageBody: body,
          MessageAttributes: { reason: { DataType: 'String', StringValue: reason.slice(0, MAX_REASON_LENGTH) } },
        }),
      );
    },

    async retryLater(messages) {
      for (let start = 0; start < messages.length; start += MAX_BATCH_ENTRIES) {
        await client.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages.slice(start, start + MAX_BATCH_ENTRIES).map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.receiptHandle,
              VisibilityTimeout: message.visibilitySeconds,
            })),
          }),
        );
      }
    },
  };
}

/**
 * Groups messages, in order, into batches of at most `MAX_BATCH_ENTRIES` entries and
 * `MAX_BATCH_BYTES` of bodies. A message larger than that alone travels alone, so whatever SQS
 * answers about it (too long for the queue) fails no other message's record.
 *
 * @example
 * splitIntoBatches([big, small, small]).map((batch) => batch.length) // [1, 2] when big + small > 256 KiB
 */
export function splitIntoBatches(messages: OutgoingMessage[]): OutgoingMessage[][] {
  const batches: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    const bytes = Buffer.byteLength(message.body, 'utf8');
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
