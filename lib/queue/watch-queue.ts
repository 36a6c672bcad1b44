import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { WatchQueue } from '../watch/index.js';
import { changeVisibility, splitIntoBatches } from './batches.js';

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
      await changeVisibility(client, queueUrl, messages);
    },
  };
}
