import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { WatchRequest } from '../watch/request.js';
import { watchIdFor } from '../watch/state.js';

/** What starting a watch answers: the watch's id (stable per project and instance) and SQS's message id. */
export interface StartedWatch {
  watchId: string;
  messageId: string | undefined;
}

/** The port producers start watches through: `apig-watch start` and the HTTP start endpoint. */
export interface WatchRequestSender {
  /** Sends a validated request; rejects with the SDK's error when SQS does not take it. */
  send(request: WatchRequest): Promise<StartedWatch>;
  /**
   * Sends many requests in `SendMessageBatch` calls of 10. Never throws: answers, in order, the
   * watch id of each request and the reason SQS did not take it (`null` when it did).
   */
  sendBatch(requests: readonly WatchRequest[]): Promise<BatchSendResult[]>;
}

/** One request of `sendBatch`: its watch id, and why it was not sent (`null`: sent). */
export interface BatchSendResult {
  watchId: string;
  error: string | null;
}

/** SQS's limit on entries per `SendMessageBatch`. */
const MAX_BATCH_ENTRIES = 10;

/**
 * Sends watch requests (DESIGN §2) to the watch queue. The body is the validated, normalised
 * request, never what the caller sent: a caller cannot smuggle a poller state (`v`, `kind`,
 * `event`…) onto the queue through fields the request schema ignores.
 *
 * @example
 * const sender = createWatchRequestSender(sqsClientFor({ sqsEndpointOverridden: false }), queueUrl);
 * const { watchId } = await sender.send(parseWatchRequest(JSON.parse(body)));
 */
export function createWatchRequestSender(client: SQSClient, queueUrl: string): WatchRequestSender {
  return {
    async send(request) {
      const answer = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: requestBody(request) }));
      return { watchId: watchIdFor(request), messageId: answer.MessageId };
    },

    async sendBatch(requests) {
      const results: BatchSendResult[] = requests.map((request) => ({ watchId: watchIdFor(request), error: null }));
      for (let start = 0; start < requests.length; start += MAX_BATCH_ENTRIES) {
        const chunk = requests.slice(start, start + MAX_BATCH_ENTRIES);
        try {
          const answer = await client.send(
            new SendMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: chunk.map((request, index) => ({ Id: String(start + index), MessageBody: requestBody(request) })),
            }),
          );
          for (const entry of answer.Failed ?? []) {
            const result = results[Number(entry.Id)];
            if (result) result.error = `${entry.Code ?? 'error'}: ${entry.Message ?? 'not sent'}`;
          }
        } catch (error) {
          for (let index = start; index < start + chunk.length; index += 1) results[index]!.error = String(error);
        }
      }
      return results;
    },
  };
}

/** The message body of a request: its validated fields only, optional ones when set. */
function requestBody(request: WatchRequest): string {
  const { project_id, instance_id, region, instance_name, context, notify, origin } = request;
  return JSON.stringify({ project_id, instance_id, region, instance_name, context, notify, origin });
}

/**
 * An SQS client for sending to a queue URL. In AWS the SDK sends to the queue URL's own host; with
 * a local endpoint configured (`AWS_ENDPOINT_URL_SQS`, e.g. fauxqs) it must send there instead,
 * because local queue URLs name hosts such as `sqs.us-east-1.localhost` that need not resolve.
 *
 * @example
 * const sqs = sqsClientFor({ sqsEndpointOverridden: Boolean(process.env.AWS_ENDPOINT_URL_SQS) });
 */
export function sqsClientFor(settings: { sqsEndpointOverridden: boolean; region?: string }): SQSClient {
  return new SQSClient({
    useQueueUrlAsEndpoint: !settings.sqsEndpointOverridden,
    ...(settings.region === undefined ? {} : { region: settings.region }),
  });
}
