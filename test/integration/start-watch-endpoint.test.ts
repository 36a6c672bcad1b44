/**
 * The real `handlers/start-watch.ts` export (middy, Powertools Logger), invoked with API Gateway
 * HTTP API (payload 2.0) events as Lambda would, sending to a real queue (fauxqs on loopback).
 */
import { PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2WithIAMAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { startLocalAws, type LocalAws } from '../../devkit/local-aws.js';
import { answerStartRequest } from '../../lib/http/start-watch-endpoint.js';
import { createWatchRequestSender } from '../../lib/queue/watch-request-sender.js';
import { SILENT_LOG } from '../../lib/watch/ports/observability.js';
import { gatewayKeyFor, watchIdFor } from '../../lib/watch/state.js';
import { createDynamoStepStore } from '../../lib/store/step-store.js';
import { INSTANCE_ID, PROJECT_ID, watchRequestBody } from '../support/factories.js';
import { httpApiEventFactory, lambdaContextFactory } from '../support/http-api-events.js';

type HttpHandler = (event: APIGatewayProxyEventV2WithIAMAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const saved = { ...process.env };
let aws: LocalAws;
let handler: HttpHandler;

beforeAll(async () => {
  aws = await startLocalAws();
  Object.assign(process.env, aws.env, { POWERTOOLS_LOG_LEVEL: 'SILENT' });
  ({ handler } = (await import('../../handlers/start-watch.js')) as { handler: HttpHandler });
});

afterEach(async () => {
  await aws.sqs.send(new PurgeQueueCommand({ QueueUrl: aws.queueUrl }));
});

afterAll(async () => {
  process.env = saved;
  await aws.stop();
});

async function post(body: unknown, overrides: Partial<APIGatewayProxyEventV2WithIAMAuthorizer> = {}) {
  const response = await handler(httpApiEventFactory(body, overrides), lambdaContextFactory());
  return { statusCode: response.statusCode, body: JSON.parse(response.body ?? 'null') as Record<string, unknown> };
}

async function queuedMessages(): Promise<{ messageId: string; body: unknown }[]> {
  // The handler has answered, so whatever it sent is on the queue already: no need to wait.
  const { Messages = [] } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  return Messages.map((message) => ({ messageId: message.MessageId ?? '', body: JSON.parse(message.Body ?? 'null') }));
}

async function queuedBodies(): Promise<unknown[]> {
  return (await queuedMessages()).map((message) => message.body);
}

/** The id the poller gives the watch that the queued request starts. */
function watchIdOf(messageId: string): string {
  return watchIdFor({ project_id: PROJECT_ID, instance_id: INSTANCE_ID }, messageId);
}
const NORMALISED_REQUEST = {
  project_id: PROJECT_ID,
  instance_id: INSTANCE_ID,
  region: 'ap-southeast-1',
  instance_name: 'orders-gw-prod',
  context: { ticket: 'OPS-1234', env: 'prod' },
};

describe('POST /watches', () => {
  it('answers 202 with the id of the watch the request starts, and puts the request on the watch queue', async () => {
    const response = await post(watchRequestBody());

    const queued = await queuedMessages();
    expect(queued.map((message) => message.body)).toEqual([NORMALISED_REQUEST]);
    expect(response).toEqual({ statusCode: 202, body: { watch_id: watchIdOf(queued[0]!.messageId), joined: false } });
  });

  it('answers joined: true with the active watch of the gateway, and queues nothing', async () => {
    const store = createDynamoStepStore(aws.dynamo, aws.tableName);
    const active = {
      watchId: 'w_0123456789abcdef0123',
      step0: { owner: 'm-1', decidedAtMs: Date.now(), decision: { kind: 'successor' as const, message: { body: '{}', delaySeconds: 60 } } },
      endedAtMs: null,
      liveUntilMs: Date.now() + 3_600_000,
    };
    await store.recordWatch(gatewayKeyFor({ project_id: PROJECT_ID, instance_id: INSTANCE_ID }), active, Date.now(), 'request');

    const response = await post(watchRequestBody());

    expect(response).toEqual({ statusCode: 202, body: { watch_id: active.watchId, joined: true } });
    expect(await queuedBodies()).toEqual([]);
    await store.endWatch(gatewayKeyFor({ project_id: PROJECT_ID, instance_id: INSTANCE_ID }), active.watchId, Date.now());
  });

  it('answers joined: false once the active watch has ended: a new request starts a new watch', async () => {
    const store = createDynamoStepStore(aws.dynamo, aws.tableName);
    const ended = {
      watchId: 'w_fedcba9876543210fedc',
      step0: { owner: 'm-2', decidedAtMs: Date.now(), decision: { kind: 'successor' as const, message: { body: '{}', delaySeconds: 60 } } },
      endedAtMs: Date.now(),
      liveUntilMs: Date.now() + 3_600_000,
    };
    await store.recordWatch(gatewayKeyFor({ project_id: PROJECT_ID, instance_id: INSTANCE_ID }), ended, Date.now(), 'request');

    const response = await post(watchRequestBody());

    const queued = await queuedMessages();
    expect(queued).toHaveLength(1);
    expect(response.body).toEqual({ watch_id: watchIdOf(queued[0]!.messageId), joined: false });
  });

  it('accepts the request wrapped in an EventBridge event, and queues the request itself', async () => {
    const event = { version: '0', id: 'e-1', 'detail-type': 'APIG Gateway Creation Started', source: 'com.example.provisioning', detail: watchRequestBody() };

    const response = await post(event);

    const queued = await queuedMessages();
    expect(queued.map((message) => message.body)).toEqual([NORMALISED_REQUEST]);
    expect(response).toEqual({ statusCode: 202, body: { watch_id: watchIdOf(queued[0]!.messageId), joined: false } });
  });

  it('reads a base64-encoded body', async () => {
    const response = await post(Buffer.from(JSON.stringify(watchRequestBody())).toString('base64'), { isBase64Encoded: true });

    expect(response.statusCode).toBe(202);
  });

  it('queues only the validated request: a poller state smuggled in a request is not forwarded', async () => {
    const smuggled = { ...watchRequestBody(), v: 1, kind: 'deliver', step: 7, event: { type: 'apig.gateway.creation.succeeded' } };

    const response = await post(smuggled);

    expect(response.statusCode).toBe(202);
    expect(await queuedBodies()).toEqual([NORMALISED_REQUEST]);
  });

  describe('answers 400 with field errors, and queues nothing, for', () => {
    it.each([
      ['a body that is not JSON', '{"project_id": ', [{ field: '(body)', message: 'must be a JSON object (the watch request)' }]],
      ['no body at all', undefined, [{ field: '(body)', message: 'must be a JSON object (the watch request)' }]],
      ['a JSON array', [watchRequestBody()], [{ field: '(body)', message: 'must be a JSON object (the watch request)' }]],
      [
        'ids that would change the request path',
        watchRequestBody({ project_id: '../../v3/auth/tokens', instance_id: 'fedcba9876543210fedcba987654321%2F' }),
        [
          { field: 'project_id', message: 'must be 32 lowercase hexadecimal characters (a Huawei Cloud id)' },
          { field: 'instance_id', message: 'must be 32 lowercase hexadecimal characters (a Huawei Cloud id)' },
        ],
      ],
      [
        'wrong types and a missing region',
        { project_id: 123, instance_id: INSTANCE_ID, context: { ticket: 42 } },
        [
          { field: 'project_id', message: 'must be a string' },
          { field: 'region', message: 'must be a string' },
          { field: 'context.ticket', message: 'must be a string' },
        ],
      ],
    ])('%s', async (_, body, errors) => {
      const response = await handler(body === undefined ? httpApiEventFactory('', { body: undefined }) : httpApiEventFactory(body), lambdaContextFactory());

      expect(response.statusCode).toBe(400);
      expect(JSON.parse(response.body ?? '')).toEqual({ errors: expect.arrayContaining(errors) });
      expect(await queuedBodies()).toEqual([]);
    });
  });

  it('answers 413, not 500, for a body far larger than any watch request', async () => {
    const response = await post(watchRequestBody({ instance_name: 'x'.repeat(100_000) }));

    expect(response.statusCode).toBe(413);
  });

  it('answers 503 with a retryable error when the queue does not take the message', async () => {
    const sender = createWatchRequestSender(aws.sqs, aws.queueUrl.replace(/apig-watch$/, 'no-such-queue'));

    const response = await answerStartRequest(httpApiEventFactory(watchRequestBody()), { sender, log: SILENT_LOG });

    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body ?? '')).toEqual({ errors: [{ field: '(body)', message: 'the watch queue did not take the request; try again' }] });
  });
});
