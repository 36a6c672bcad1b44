import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { splitIntoBatches } from './batches.js';
import { isWatchActive, type StepStore, type WatchRequest, gatewayKeyFor, watchIdFor } from '../watch/index.js';

/**
 * What starting a watch answers: the watch's id and whether the request joined a watch of the
 * gateway already active (then nothing is sent: that watch's outcome is the answer), as far as can
 * be known when the request is taken.
 */
export interface StartedWatch {
  watchId: string;
  joined: boolean;
  /** SQS's message id; absent when the request joined an active watch. */
  messageId: string | undefined;
}

/** Where a sender looks up the gateway's current watch (the step store, read-only). */
export type WatchLookup = Pick<StepStore, 'currentWatch'>;

/** The port producers start watches through: `apig-watch start` and the HTTP start endpoint. */
export interface WatchRequestSender {
  /** Sends a validated request; rejects with the SDK's error when SQS does not take it. */
  send(request: WatchRequest): Promise<StartedWatch>;
  /**
   * Sends many requests in `SendMessageBatch` calls of 10, without looking up current watches (the
   * poller joins or drops each). Never throws: answers, in order, each request's SQS message id, or
   * the reason SQS did not take it.
   */
  sendBatch(requests: readonly WatchRequest[]): Promise<BatchSendResult[]>;
}

/** One request of `sendBatch`: SQS's message id when sent, else why not (`error`). */
export interface BatchSendResult {
  messageId: string | null;
  error: string | null;
}

/**
 * Sends watch requests (docs/contracts.md, "Watch request — contract") to the watch queue. The body is the validated, normalised
 * request, never what the caller sent: a caller cannot smuggle a poller state (`v`, `kind`,
 * `event`…) onto the queue through fields the request schema ignores.
 *
 * With `lookup` (the step table), a request for a gateway whose watch is active is answered with
 * that watch instead of being sent; without it every request is sent (the poller joins it then).
 *
 * @example
 * const sender = createWatchRequestSender(sqsClientFor({ sqsEndpointOverridden: false }), queueUrl);
 * const { watchId, joined } = await sender.send(parseWatchRequest(JSON.parse(body)));
 */
export function createWatchRequestSender(client: SQSClient, queueUrl: string, lookup?: WatchLookup): WatchRequestSender {
  return {
    async send(request) {
      const current = lookup ? await lookup.currentWatch(gatewayKeyFor(request)) : null;
      if (current !== null && isWatchActive(current, Date.now())) {
        return { watchId: current.watchId, joined: true, messageId: undefined };
      }
      const answer = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: requestBody(request) }));
      return { watchId: watchIdFor(request, answer.MessageId ?? ''), joined: false, messageId: answer.MessageId };
    },

    async sendBatch(requests) {
      const results: BatchSendResult[] = requests.map(() => ({ messageId: null, error: null }));
      const messages = requests.map((request, index) => ({ id: String(index), body: requestBody(request) }));
      for (const batch of splitIntoBatches(messages)) {
        try {
          const answer = await client.send(
            new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map(({ id, body }) => ({ Id: id, MessageBody: body })) }),
          );
          for (const entry of answer.Successful ?? []) {
            const result = results[Number(entry.Id)];
            if (result) result.messageId = entry.MessageId ?? '';
          }
          for (const entry of answer.Failed ?? []) {
            const result = results[Number(entry.Id)];
            if (result) result.error = `${entry.Code ?? 'error'}: ${entry.Message ?? 'not sent'}`;
          }
        } catch (error) {
          for (const { id } of batch) {
            const result = results[Number(id)];
            if (result) result.error = String(error);
          }
        }
      }
      return results;
    },
  };
}

/** The message body of a request: its validated fields only, optional ones when set. */
function requestBody(request: WatchRequest): string {
  const { project_id, instance_id, region, instance_name, context, notify, origin, operation } = request;
  // A creation is the default: its body stays the one producers have always seen.
  return JSON.stringify({
    project_id,
    instance_id,
    region,
    instance_name,
    context,
    notify,
    origin,
    operation: operation === 'creation' ? undefined : operation,
  });
}
