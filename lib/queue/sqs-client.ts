import { SQSClient } from '@aws-sdk/client-sqs';

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
    // Its middleware stack resolved once per command class instead of on every send.
    cacheMiddleware: true,
    ...(settings.region === undefined ? {} : { region: settings.region }),
  });
}
