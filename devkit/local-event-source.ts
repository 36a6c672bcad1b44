import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/** A Lambda handler for SQS events, as the packaged function exports it. */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface LocalEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  handler: SqsHandler;
  /** Records per invocation, as the event source mapping's `batchSize` (≤ 10). */
  batchSize?: number;
  /** The function timeout the handler is told about through `context.getRemainingTimeInMillis()`. */
  functionTimeoutMs?: number;
  /** Invocations running at once, as the mapping's `maximumConcurrency`. */
  concurrency?: number;
  onInvocation?: (event: SQSEvent, response: SQSBatchResponse | void, error?: unknown) => void;
}

export interface LocalEventSource {
  /** Resolves when the loop has stopped (after `stop()`); in-flight invocations are finished first. */
  readonly done: Promise<void>;
  stop(): void;
  invocations(): number;
}

/**
 * Plays the part of Lambda's SQS event source mapping on a local queue: long-polls for up to
 * `batchSize` messages, invokes the real handler with an `SQSEvent`, deletes the records that
 * succeeded and leaves the `batchItemFailures` (or the whole batch, if the handler throws) to
 * reappear after the queue's visibility timeout — the same contract Lambda keeps.
 *
 * @example
 * const source = startLocalEventSource({ sqs, queueUrl, handler });
 * // … later
 * source.stop(); await source.done;
 */
export function startLocalEventSource(options: LocalEventSourceOptions): LocalEventSource {
  const { sqs, queueUrl, handler, batchSize = 10, functionTimeoutMs = 60_000, concurrency = 2 } = options;
  let stopped = false;
  let invocations = 0;
  // Ends the long polls at once on stop(), instead of up to a second later.
  const stopping = new AbortController();

  async function worker(): Promise<void> {
    const queueArn = await readQueueArn(sqs, queueUrl);
    while (!stopped) {
      const received = await sqs
        .send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: stopping.signal },
        )
        .catch((error: unknown) => {
          if (stopped) return { Messages: [] };
          throw error;
        });
      const { Messages = [] } = received;
      if (Messages.length === 0) continue;
      const event: SQSEvent = { Records: Messages.map((message) => toRecord(message, queueArn)) };
      invocations += 1;
      let response: SQSBatchResponse | void;
      let failedIds: Set<string>;
      try {
        response = await handler(event, lambdaContext(functionTimeoutMs));
        failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
        options.onInvocation?.(event, response);
      } catch (error) {
        failedIds = new Set(event.Records.map((record) => record.messageId));
        options.onInvocation?.(event, undefined, error);
      }
      const succeeded = Messages.filter((message) => !failedIds.has(message.MessageId ?? ''));
      if (succeeded.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: succeeded.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
          }),
        );
      }
    }
  }

  const done = Promise.all(Array.from({ length: concurrency }, worker)).then(() => undefined);
  return {
    done,
    stop: () => {
      stopped = true;
      stopping.abort();
    },
    invocations: () => invocations,
  };
}

async function readQueueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  return Attributes?.QueueArn ?? 'arn:aws:sqs:local:000000000000:watch';
}

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, { stringValue: value.StringValue, dataType: value.DataType ?? 'String' }]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
  };
}

/**
 * A Lambda `Context` for a local invocation: `getRemainingTimeInMillis()` counts down from
 * `timeoutMs`, as the function timeout does in Lambda.
 *
 * @example
 * await handler(event, lambdaContext(60_000, 'apig-watch-local-poll'));
 */
export function lambdaContext(timeoutMs: number, functionName = 'apig-watch-local-poll', memoryLimitInMB = '512'): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB,
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
