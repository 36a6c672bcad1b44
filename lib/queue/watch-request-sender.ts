import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
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
}

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
      const { project_id, instance_id, region, instance_name, context } = request;
      const body = JSON.stringify({ project_id, instance_id, region, instance_name, context });
      const answer = await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      return { watchId: watchIdFor(request), messageId: answer.MessageId };
    },
  };
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
