import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { REFUSED_LOGIN_RETRY_MS } from '../../lib/apig/iam-token.js';
import type { SqsHandler } from '../../devkit/local-event-source.js';
import type { ReceivedRequest } from '../../devkit/webhook-receiver.js';
import { PROJECT_ID, watchRequestBody } from '../support/factories.js';
import {
  DEFAULT_WAIT_MS,
  MINUTE_MS,
  PIPELINE_WEBHOOK_SECRET,
  instanceIdFor,
  slackText,
  startPipeline,
  webhookEvent,
  type EnvOverrides,
  type Pipeline,
  type PipelineOptions,
} from '../support/pipeline.js';

/**
 * Every outcome of the README's "Outcomes", end to end: a watch request on the (fauxqs) queue, the watcher
 * polling the Huawei simulator on a compressed clock, and one Slack message and one signed generic
 * webhook per outcome at a loopback receiver.
 */

const SLACK_PATH = '/slack/T000/B000/outcomes';
const WEBHOOK_PATH = '/hooks/outcomes';

let pipeline: Pipeline;
afterEach(async () => {
  await pipeline?.stop();
});

/** Starts the pipeline and the watcher under the local event source, with a Slack and a webhook target. */
async function startWatching(env: EnvOverrides = {}, options: PipelineOptions & { slack?: boolean } = {}): Promise<Pipeline> {
  pipeline = await startPipeline(options);
  const webhook = `webhook+${pipeline.receiver.url}${WEBHOOK_PATH}`;
  const targets = options.slack === false ? webhook : `slack+${pipeline.receiver.url}${SLACK_PATH},${webhook}`;
  const { handler } = pipeline.watcher({ NOTIFY_URLS: targets, WEBHOOK_SECRET: PIPELINE_WEBHOOK_SECRET, ...env });
  pipeline.run(handler);
  return pipeline;
}

/** The webhook event of one instance, once the queue is quiet; fails unless exactly one arrived. */
async function webhookOf(instanceId: string): Promise<ReceivedRequest> {
  const about = (request: ReceivedRequest) => (request.body as { data?: { instance_id?: string } }).data?.instance_id === instanceId;
  const webhook = await pipeline.receiver.waitFor((request) => request.path === WEBHOOK_PATH && about(request), DEFAULT_WAIT_MS);
  await pipeline.waitForQuiet();
  expect(pipeline.receiver.received(WEBHOOK_PATH).filter(about)).toHaveLength(1);
  return webhook;
}

/** The notifications of one instance at both targets; fails unless exactly one arrived at each. */
async function notificationsOf(instanceId: string): Promise<{ webhook: ReceivedRequest; slack: ReceivedRequest }> {
  const about = (request: ReceivedRequest) => JSON.stringify(request.body).includes(instanceId);
  const slack = await pipeline.receiver.waitFor((request) => request.path === SLACK_PATH && about(request), DEFAULT_WAIT_MS);
  const webhook = await webhookOf(instanceId);
  expect(pipeline.receiver.received(SLACK_PATH).filter(about)).toHaveLength(1);
  return { webhook, slack };
}

const CREATION_STEPS = [
  { atMs: 0, progress: 30 },
  { atMs: 1.5 * MINUTE_MS, progress: 50 },
  { atMs: 3 * MINUTE_MS, progress: 80 },
  { atMs: 5 * MINUTE_MS, progress: 90 },
];

describe('a watch, end to end, reports', () => {
  it('succeeded, with the elapsed time from start_time to end_time, the request echoed and the poll count', async () => {
    // Prepare
    await startWatching();
    const instanceId = instanceIdFor(1);
    const createdAtMs = pipeline.clock.now();
    pipeline.addGateway(instanceId, { createdAtMs, steps: CREATION_STEPS, finish: { atMs: 6 * MINUTE_MS + 12_000, status: 'success' } });

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    const { webhook, slack } = await notificationsOf(instanceId);
    const polls = pipeline.progressRequests(instanceId).length;
    expect(webhookEvent(webhook)).toMatchObject({
      type: 'apig.gateway.creation.succeeded',
      data: {
        outcome: 'succeeded',
        project_id: PROJECT_ID,
        instance_id: instanceId,
        instance_name: 'orders-gw-prod',
        region: 'ap-southeast-1',
        status: 'success',
        progress: 100,
        error_code: null,
        error_msg: null,
        hint: null,
        started_at: new Date(createdAtMs).toISOString(),
        finished_at: new Date(createdAtMs + 372_000).toISOString(),
        elapsed_ms: 372_000,
        elapsed: '6m 12s',
        polls,
        context: { ticket: 'OPS-1234', env: 'prod' },
      },
    });
    expect(polls).toBeGreaterThan(1);
    expect(slackText(slack)).toBe('✅ Gateway created: orders-gw-prod');
    expect(JSON.stringify(slack.body)).toContain('6m 12s');
  });

  it("failed with APIC.9218, with Huawei's error, the elapsed time and a hint to ask for a quota increase", async () => {
    // Prepare
    await startWatching();
    const instanceId = instanceIdFor(2);
    pipeline.addGateway(instanceId, {
      steps: CREATION_STEPS.slice(0, 2),
      finish: { atMs: 3 * MINUTE_MS + 40_000, status: 'failed', errorCode: 'APIC.9218', errorMsg: 'create failed...' },
    });

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    const { webhook, slack } = await notificationsOf(instanceId);
    const { data, type } = webhookEvent(webhook);
    expect(type).toBe('apig.gateway.creation.failed');
    expect(data).toMatchObject({
      outcome: 'failed',
      status: 'failed',
      progress: 50,
      error_code: 'APIC.9218',
      error_msg: 'create failed...',
      elapsed: '3m 40s',
      elapsed_ms: 220_000,
    });
    expect(data.hint).toMatch(/quota/i);
    expect(slackText(slack)).toBe('❌ Gateway creation failed: orders-gw-prod');
    expect(JSON.stringify(slack.body)).toMatch(/APIC\.9218[\s\S]*quota/i);
  });

  it('not_found for an instance Huawei does not know (404 APIC.7302), after one poll', async () => {
    // Prepare
    await startWatching();
    const instanceId = instanceIdFor(3);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId, instance_name: 'typo-gw' }));

    // Assess
    const { webhook, slack } = await notificationsOf(instanceId);
    expect(webhookEvent(webhook)).toMatchObject({
      type: 'apig.gateway.creation.not_found',
      data: { outcome: 'not_found', error_code: 'APIC.7302', polls: 1, instance_name: 'typo-gw', finished_at: null },
    });
    expect(pipeline.progressRequests(instanceId)).toHaveLength(1);
    expect(slackText(slack)).toBe('❓ Gateway not found: typo-gw');
  });

  it('unauthorized when the AK/SK signature is refused (wrong secret key), without polling again', async () => {
    // Prepare
    await startWatching({ HUAWEICLOUD_SDK_SK: 'not-the-simulator-secret-key' });
    const instanceId = instanceIdFor(4);
    pipeline.addGateway(instanceId, { steps: CREATION_STEPS, finish: null });

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    const { webhook, slack } = await notificationsOf(instanceId);
    expect(webhookEvent(webhook)).toMatchObject({
      type: 'apig.gateway.creation.unauthorized',
      data: { outcome: 'unauthorized', error_code: 'APIG.0301', polls: 1 },
    });
    expect(pipeline.progressRequests(instanceId)).toEqual([expect.objectContaining({ auth: 'aksk', status: 401 })]);
    expect(slackText(slack)).toBe('🔑 Credentials rejected: orders-gw-prod');
  });

  it('unauthorized for every watch when IAM refuses the password twice, minutes apart, after exactly two IAM logins', async () => {
    // Prepare: three watches of one container; a wrong password must not be tried on every poll (account lockout).
    await startWatching(
      {
        HUAWEICLOUD_SDK_AK: undefined,
        HUAWEICLOUD_SDK_SK: undefined,
        HUAWEICLOUD_IAM_USER: 'simulator-user',
        HUAWEICLOUD_IAM_PASSWORD: 'a-wrong-password',
        HUAWEICLOUD_IAM_DOMAIN: 'simulator-domain',
      },
      { slack: false },
    );
    const instanceIds = [instanceIdFor(5), instanceIdFor(6), instanceIdFor(7)];
    for (const instanceId of instanceIds) pipeline.addGateway(instanceId, { steps: CREATION_STEPS, finish: null });
    const startedMs = pipeline.clock.now();

    // Act
    for (const instanceId of instanceIds) await pipeline.send(watchRequestBody({ instance_id: instanceId }));
    const outcomes = [];
    for (const instanceId of instanceIds) outcomes.push(webhookEvent(await webhookOf(instanceId)).data);

    // Assess
    expect(outcomes).toEqual(
      instanceIds.map(() => expect.objectContaining({ outcome: 'unauthorized', error_msg: expect.stringContaining('a second time minutes after the first') })),
    );
    expect(pipeline.simulator.stats()).toMatchObject({ iamLogins: 2, iamRefusals: 2 });
    expect(pipeline.clock.now() - startedMs).toBeGreaterThanOrEqual(REFUSED_LOGIN_RETRY_MS);
    expect(pipeline.simulator.requests.filter((request) => request.path.includes('/progress'))).toEqual([]);
  });

  it('succeeded for every watch when IAM refuses one login (a hiccup), never unauthorized', async () => {
    // Prepare: IAM refuses the first login only; every watch of the project polls meanwhile.
    await startWatching(
      {
        HUAWEICLOUD_SDK_AK: undefined,
        HUAWEICLOUD_SDK_SK: undefined,
        HUAWEICLOUD_IAM_USER: 'simulator-user',
        HUAWEICLOUD_IAM_PASSWORD: 'simulator-password',
        HUAWEICLOUD_IAM_DOMAIN: 'simulator-domain',
      },
      { slack: false },
    );
    pipeline.simulator.failLogins([{ status: 401, message: 'The username or password is wrong.' }]);
    const instanceIds = [instanceIdFor(12), instanceIdFor(13), instanceIdFor(14)];
    for (const instanceId of instanceIds) {
      pipeline.addGateway(instanceId, { steps: CREATION_STEPS, finish: { atMs: 6 * MINUTE_MS, status: 'success' } });
    }

    // Act
    for (const instanceId of instanceIds) await pipeline.send(watchRequestBody({ instance_id: instanceId }));
    const outcomes = [];
    for (const instanceId of instanceIds) outcomes.push(webhookEvent(await webhookOf(instanceId)).data.outcome);

    // Assess
    expect(outcomes).toEqual(['succeeded', 'succeeded', 'succeeded']);
    const logins = pipeline.simulator.requests.filter((request) => request.path.startsWith('/v3/auth/tokens'));
    expect(logins.map((login) => login.status)).toEqual([401, 201]);
  });

  it('forbidden (403 APIC.7106), naming the missing permission', async () => {
    // Prepare
    await startWatching();
    const instanceId = instanceIdFor(8);
    pipeline.addGateway(instanceId, { steps: CREATION_STEPS, finish: null });
    pipeline.simulator.fail(PROJECT_ID, instanceId, [{ status: 403 }]);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    const { webhook, slack } = await notificationsOf(instanceId);
    expect(webhookEvent(webhook)).toMatchObject({ type: 'apig.gateway.creation.forbidden', data: { outcome: 'forbidden', error_code: 'APIC.7106', polls: 1 } });
    expect(slackText(slack)).toBe('⛔ Permission missing: orders-gw-prod');
    expect(JSON.stringify(slack.body)).toContain('apig:instance:getCreateProgress');
  });

  it('timed_out when the gateway is still creating at WATCH_TIMEOUT_SECONDS, with the last progress seen', async () => {
    // Prepare
    await startWatching({ WATCH_TIMEOUT_SECONDS: '300' });
    const instanceId = instanceIdFor(9);
    pipeline.addGateway(instanceId, { steps: CREATION_STEPS.slice(0, 3), finish: null });

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    const { webhook, slack } = await notificationsOf(instanceId);
    const { data } = webhookEvent(webhook);
    expect(data).toMatchObject({
      outcome: 'timed_out',
      status: 'creating',
      progress: 80,
      finished_at: null,
      polls: pipeline.progressRequests(instanceId).length,
    });
    expect(data.elapsed_ms).toBeGreaterThanOrEqual(300_000);
    expect(slackText(slack)).toBe('⏱️ Gateway still creating at the deadline: orders-gw-prod');
    expect(JSON.stringify(slack.body)).toContain('80%');
  });

  it('unavailable, "Huawei Cloud never answered" (not still creating), after a few quick attempts on an address that refuses connections', async () => {
    // Prepare: the APIG endpoint refuses every connection; real time is fine, the attempts are seconds apart.
    await startWatching({ APIG_ENDPOINT: 'http://127.0.0.1:1' }, { timeScale: 10 });
    const instanceId = instanceIdFor(11);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    const { webhook, slack } = await notificationsOf(instanceId);
    const { data } = webhookEvent(webhook);
    expect(data).toMatchObject({ outcome: 'unavailable', status: null, progress: null, polls: 3 });
    expect(data.error_msg).toMatch(
      /^Huawei never answered \(3 attempts\): APIG progress request failed \(ECONNREFUSED\): .*127\.0\.0\.1:1.*; check APIG_ENDPOINT and the region$/,
    );
    expect(slackText(slack)).toBe('⚠️ Huawei Cloud never answered: orders-gw-prod');
  });

  it('unavailable naming APIG_ENDPOINT, not not_found, after a few quick attempts on a plain server that answers 404', async () => {
    // Prepare: APIG_ENDPOINT points at an HTTP server that is not Huawei's: every path is 404, no APIG error code.
    const plain = createServer((_, response) => response.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>Not Found</h1>'));
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      await startWatching({ APIG_ENDPOINT: `http://127.0.0.1:${(plain.address() as AddressInfo).port}` }, { timeScale: 10 });
      const instanceId = instanceIdFor(15);

      // Act
      await pipeline.send(watchRequestBody({ instance_id: instanceId }));

      // Assess
      const { webhook, slack } = await notificationsOf(instanceId);
      const { data } = webhookEvent(webhook);
      expect(data).toMatchObject({ outcome: 'unavailable', status: null, progress: null, polls: 3, error_code: null });
      expect(data.error_msg).toMatch(/^Huawei never answered \(3 attempts\): APIG progress request answered HTTP 404 .*; check APIG_ENDPOINT$/);
      expect(slackText(slack)).toBe('⚠️ Huawei Cloud never answered: orders-gw-prod');
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
  });

  it('unavailable when Huawei answers 500 for longer than the transient budget, with the last error', async () => {
    // Prepare: 300× — the 10-minute budget passes in a few polls.
    await startWatching({}, { timeScale: 300 });
    const instanceId = instanceIdFor(10);
    pipeline.addGateway(instanceId, { steps: CREATION_STEPS, finish: { atMs: 60 * MINUTE_MS, status: 'success' } });
    pipeline.simulator.fail(
      PROJECT_ID,
      instanceId,
      Array.from({ length: 50 }, () => ({ status: 500, code: 'APIC.9000' })),
    );

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    const { webhook, slack } = await notificationsOf(instanceId);
    const { data } = webhookEvent(webhook);
    const requests = pipeline.progressRequests(instanceId);
    expect(data).toMatchObject({ outcome: 'unavailable', polls: requests.length });
    expect(data.error_msg).toContain('APIC.9000');
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.every((request) => request.status === 500)).toBe(true);
    expect(slackText(slack)).toBe('⚠️ No progress from Huawei Cloud: orders-gw-prod');
  });
});

describe('a watch request', () => {
  it('wrapped in an EventBridge event is watched like a plain request', async () => {
    // Prepare
    await startWatching();
    const instanceId = instanceIdFor(11);
    pipeline.addGateway(instanceId, { steps: CREATION_STEPS, finish: { atMs: 2 * MINUTE_MS, status: 'success' } });
    const envelope = {
      version: '0',
      id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
      'detail-type': 'APIG Gateway Creation Started',
      source: 'acme.provisioning',
      account: '111122223333',
      time: '2026-11-28T10:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: watchRequestBody({ instance_id: instanceId, instance_name: 'from-eventbridge' }),
    };

    // Act
    await pipeline.send(envelope);

    // Assess
    const { webhook, slack } = await notificationsOf(instanceId);
    expect(webhookEvent(webhook).data).toMatchObject({
      outcome: 'succeeded',
      instance_id: instanceId,
      instance_name: 'from-eventbridge',
      elapsed: '2m 00s',
      context: { ticket: 'OPS-1234', env: 'prod' },
    });
    expect(slackText(slack)).toBe('✅ Gateway created: from-eventbridge');
  });
});

describe('the packaged poll handler (handlers/poll.ts)', () => {
  it('watches a creation to success under the SQS trigger, reading its settings from the environment', async () => {
    // Prepare: the module reads process.env when it is imported.
    pipeline = await startPipeline();
    const instanceId = instanceIdFor(12);
    pipeline.addGateway(instanceId, { steps: CREATION_STEPS, finish: { atMs: 4 * MINUTE_MS + 5_000, status: 'success' } });
    Object.assign(
      process.env,
      pipeline.env({
        NOTIFY_URLS: `slack+${pipeline.receiver.url}${SLACK_PATH},webhook+${pipeline.receiver.url}${WEBHOOK_PATH}`,
        WEBHOOK_SECRET: PIPELINE_WEBHOOK_SECRET,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
      }),
    );
    const { handler } = (await import('../../handlers/poll.js')) as { handler: SqsHandler };
    const run = pipeline.run(handler);

    // Act
    await pipeline.send(watchRequestBody({ instance_id: instanceId }));

    // Assess
    expect(webhookEvent(await webhookOf(instanceId)).data).toMatchObject({ outcome: 'succeeded', elapsed: '4m 05s' });
    expect(run.invocations.length).toBeGreaterThan(1);
    expect(run.invocations.flatMap((invocation) => invocation.failedMessageIds)).toEqual([]);
  });
});
