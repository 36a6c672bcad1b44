import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { changeVisibility, MAX_BATCH_ENTRIES } from './batches.js';

/**
 * The watch queue's dead-letter queue, as an operator sees it: what is in it (peeked, left in
 * place) and moving it back to the watch queue with SQS's message-move task.
 */

/** One message in the dead-letter queue. */
export interface DeadLetter {
  messageId: string;
  body: string;
  /** The `reason` attribute the watcher set when it put the message there; `null` when SQS moved it (exhausted retries). */
  reason: string | null;
  /** SQS's `ApproximateReceiveCount`: receives before it was moved here, and since. */
  receiveCount: number;
  sentAtMs: number | null;
}

/** How far a move has come; `status` is SQS's (`RUNNING`, `COMPLETED`, `CANCELLED`, `FAILED`…). */
export interface MoveProgress {
  status: string;
  moved: number;
  toMove: number | null;
  failureReason: string | null;
}

/** The queues of one redrive: the dead-letter queue (found from the watch queue's redrive policy) and where it goes back to. */
export interface RedriveQueues {
  watchQueueUrl: string;
  watchQueueArn: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
}

/** Peeked messages stay invisible this long, then come back by themselves even if the release is lost. */
const PEEK_VISIBILITY_SECONDS = 60;
/** At most this many messages are listed (and, without a move task, moved) in one run. */
export const MAX_PEEKED_MESSAGES = 1000;
/** How often a running move task is asked how far it has come. */
const MOVE_TASK_POLL_INTERVAL_MS = 1000;
/** What an SQS endpoint without message-move tasks (e.g. the fauxqs emulator) answers. */
const UNKNOWN_ACTION_ERRORS = new Set(['InvalidAction', 'UnsupportedOperation']);

/**
 * The dead-letter queue of the watch queue, from the watch queue's `RedrivePolicy` (the queue SQS
 * itself moves exhausted messages to). Throws when the watch queue has none.
 *
 * @example
 * const queues = await findRedriveQueues(sqs, 'https://sqs.ap-southeast-1.amazonaws.com/123456789012/apig-watch-prod');
 */
export async function findRedriveQueues(client: SQSClient, watchQueueUrl: string): Promise<RedriveQueues> {
  const { Attributes = {} } = await client.send(new GetQueueAttributesCommand({ QueueUrl: watchQueueUrl, AttributeNames: ['QueueArn', 'RedrivePolicy'] }));
  const deadLetterQueueArn = (JSON.parse(Attributes.RedrivePolicy ?? '{}') as { deadLetterTargetArn?: string }).deadLetterTargetArn;
  if (!deadLetterQueueArn) throw new Error(`${watchQueueUrl} has no redrive policy, so no dead-letter queue`);
  // arn:aws:sqs:<region>:<account>:<name>
  const [, , , , account, name] = deadLetterQueueArn.split(':');
  const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }));
  return { watchQueueUrl, watchQueueArn: Attributes.QueueArn ?? '', deadLetterQueueUrl: QueueUrl ?? '', deadLetterQueueArn };
}

/**
 * Lists what is in a queue without taking it: receives every message (up to
 * `MAX_PEEKED_MESSAGES`), then makes them all visible again at once.
 *
 * @example
 * for (const letter of await peekDeadLetters(sqs, queues.deadLetterQueueUrl)) console.log(letter.reason ?? 'exhausted retries');
 */
export async function peekDeadLetters(client: SQSClient, queueUrl: string): Promise<DeadLetter[]> {
  const seen = new Map<string, Message>();
  try {
    for (;;) {
      const batch = await receiveBatch(client, queueUrl);
      const fresh = batch.filter((message) => message.MessageId !== undefined && !seen.has(message.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) seen.set(message.MessageId ?? '', message);
      if (seen.size >= MAX_PEEKED_MESSAGES) break;
    }
  } finally {
    await release(client, queueUrl, [...seen.values()]);
  }
  return [...seen.values()].map(deadLetterOf);
}

/**
 * Moves the dead-letter queue back into the watch queue with SQS's message-move task and reports
 * its progress until it ends. An SQS endpoint that has no move tasks (a local emulator) gets the
 * same done by hand, for the messages in `only`: received, sent to the watch queue, deleted.
 * Resolves with the last progress and how it was done.
 *
 * @example
 * const { progress } = await moveBack(sqs, queues, letters.map((l) => l.messageId), (p) => console.log(p.moved));
 */
export async function moveBack(
  client: SQSClient,
  queues: RedriveQueues,
  only: readonly string[],
  onProgress: (progress: MoveProgress) => void,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<{ progress: MoveProgress; method: 'move-task' | 'one-by-one' }> {
  let taskHandle: string;
  try {
    const started = await client.send(new StartMessageMoveTaskCommand({ SourceArn: queues.deadLetterQueueArn, DestinationArn: queues.watchQueueArn }));
    taskHandle = started.TaskHandle ?? '';
  } catch (error) {
    if (error instanceof Error && UNKNOWN_ACTION_ERRORS.has(error.name))
      return { progress: await moveOneByOne(client, queues, only, onProgress), method: 'one-by-one' };
    throw error;
  }
  for (;;) {
    const { Results = [] } = await client.send(new ListMessageMoveTasksCommand({ SourceArn: queues.deadLetterQueueArn, MaxResults: 10 }));
    const task = Results.find((result) => result.TaskHandle === taskHandle) ?? Results[0];
    const progress: MoveProgress = {
      status: task?.Status ?? 'UNKNOWN',
      moved: task?.ApproximateNumberOfMessagesMoved ?? 0,
      toMove: task?.ApproximateNumberOfMessagesToMove ?? null,
      failureReason: task?.FailureReason ?? null,
    };
    onProgress(progress);
    if (progress.status !== 'RUNNING' && progress.status !== 'CANCELLING') return { progress, method: 'move-task' };
    await sleep(MOVE_TASK_POLL_INTERVAL_MS);
  }
}

/**
 * The move without a move task: each message in `only` is sent to the watch queue, then deleted
 * from the dead-letter queue (a crash in between leaves a copy in both, which the watcher's step
 * records make harmless). Anything else received is left there and made visible again at the end.
 */
async function moveOneByOne(
  client: SQSClient,
  queues: RedriveQueues,
  only: readonly string[],
  onProgress: (progress: MoveProgress) => void,
): Promise<MoveProgress> {
  const wanted = new Set(only);
  const leftAlone: Message[] = [];
  let moved = 0;
  try {
    for (;;) {
      const batch = await receiveBatch(client, queues.deadLetterQueueUrl);
      if (batch.length === 0) break;
      const toMove = batch.filter((message) => wanted.has(message.MessageId ?? ''));
      leftAlone.push(...batch.filter((message) => !wanted.has(message.MessageId ?? '')));
      if (toMove.length === 0) continue;
      const sent = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queues.watchQueueUrl,
          Entries: toMove.map((message, index) => ({ Id: String(index), MessageBody: message.Body ?? '' })),
        }),
      );
      const sentIds = new Set((sent.Successful ?? []).map((entry) => entry.Id));
      const done = toMove.filter((_, index) => sentIds.has(String(index)));
      if (done.length > 0) {
        await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queues.deadLetterQueueUrl,
            Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '' })),
          }),
        );
      }
      moved += done.length;
      for (const message of done) wanted.delete(message.MessageId ?? '');
      leftAlone.push(...toMove.filter((_, index) => !sentIds.has(String(index))));
      onProgress({ status: 'RUNNING', moved, toMove: only.length, failureReason: null });
    }
  } finally {
    await release(client, queues.deadLetterQueueUrl, leftAlone);
  }
  return moved === only.length
    ? { status: 'COMPLETED', moved, toMove: only.length, failureReason: null }
    : { status: 'FAILED', moved, toMove: only.length, failureReason: `${only.length - moved} message(s) could not be sent back` };
}

function receiveBatch(client: SQSClient, queueUrl: string): Promise<Message[]> {
  return client
    .send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: MAX_BATCH_ENTRIES,
        VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
        // Long polling asks every SQS server, so a small queue is not reported empty by mistake.
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['reason'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    )
    .then(({ Messages = [] }) => Messages);
}

/** Makes received messages visible again now. */
function release(client: SQSClient, queueUrl: string, messages: Message[]): Promise<void> {
  return changeVisibility(
    client,
    queueUrl,
    messages.map((message) => ({ receiptHandle: message.ReceiptHandle ?? '', visibilitySeconds: 0 })),
  );
}

function deadLetterOf(message: Message): DeadLetter {
  const sentAt = message.Attributes?.SentTimestamp;
  return {
    messageId: message.MessageId ?? '',
    body: message.Body ?? '',
    reason: message.MessageAttributes?.reason?.StringValue ?? null,
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    sentAtMs: sentAt === undefined ? null : Number(sentAt),
  };
}
