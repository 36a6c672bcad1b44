import { startApigSimulator, type ApigSimulator } from '../../lib/simulator/index.js';
import { startLocalAws, type LocalAws } from '../../devkit/local-aws.js';
import { lambdaContext, type SqsHandler } from '../../devkit/local-event-source.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../devkit/webhook-receiver.js';
import { PROJECT_ID, sqsEventFactory, watchRequestBody } from '../support/factories.js';

/**
 * The real `handlers/poll.ts` export (middy, Powertools Logger and Metrics), invoked with an SQS
 * event as Lambda would, its output captured: structured logs with the watch's ids, EMF metrics,
 * and no secret anywhere.
 */
const SK = 'simulator-secret-key';
const WEBHOOK_SECRET = `whsec_${Buffer.from('observability test secret').toString('base64')}`;
const saved = { ...process.env };
let aws: LocalAws;
let simulator: ApigSimulator;
let receiver: WebhookReceiver;
let handler: SqsHandler;
let notifyUrls: string;
const output: string[] = [];
const writeStdout = process.stdout.write.bind(process.stdout);
const writeStderr = process.stderr.write.bind(process.stderr);

beforeAll(async () => {
  aws = await startLocalAws();
  simulator = await startApigSimulator();
  receiver = await startWebhookReceiver();
  notifyUrls = `slack+${receiver.url}/slack/T000/B000/slack-token-secret,webhook+${receiver.url}/webhook`;
  Object.assign(process.env, aws.env, {
    NOTIFY_URLS: notifyUrls,
    WEBHOOK_SECRET,
    HUAWEICLOUD_SDK_AK: 'SIMULATORACCESSKEY00',
    HUAWEICLOUD_SDK_SK: SK,
    APIG_ENDPOINT: simulator.url,
    IAM_ENDPOINT: simulator.url,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_METRICS_NAMESPACE: 'ApigWatch',
    POWERTOOLS_DEV: '',
  });
  ({ handler } = (await import('../../handlers/poll.js')) as { handler: SqsHandler });
});

afterAll(async () => {
  process.env = saved;
  await Promise.all([simulator.close(), receiver.close(), aws.stop()]);
});

async function invokeCapturingOutput(bodies: string[]) {
  output.length = 0;
  const capture = ((chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    return await handler(sqsEventFactory(bodies), lambdaContext(30_000, 'apig-watch-test-poll'));
  } finally {
    process.stdout.write = writeStdout;
    process.stderr.write = writeStderr;
  }
}

function jsonLines(): Record<string, unknown>[] {
  return output
    .join('')
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the packaged poll handler', () => {
  it('logs each step as structured JSON carrying the watch and instance ids', async () => {
    const instanceId = 'abcdefabcdefabcdefabcdefabcdef01';
    simulator.addGateway({ projectId: PROJECT_ID, instanceId, steps: [{ atMs: 0, progress: 30 }], finish: { atMs: 0, status: 'success' } });

    const response = await invokeCapturingOutput([JSON.stringify(watchRequestBody({ instance_id: instanceId }))]);

    expect(response).toEqual({ batchItemFailures: [] });
    const ended = jsonLines().find((line) => line.message === 'watch ended');
    expect(ended).toMatchObject({ level: 'INFO', service: 'apig-watch', instance_id: instanceId, project_id: PROJECT_ID, outcome: 'succeeded' });
    expect(String(ended?.watch_id)).toMatch(/^w_[0-9a-f]{20}$/);
  });

  it('emits EMF metrics for watches started, polls, outcomes by type and the notification lag', async () => {
    const instanceId = 'abcdefabcdefabcdefabcdefabcdef02';
    simulator.addGateway({ projectId: PROJECT_ID, instanceId, steps: [], finish: { atMs: 0, status: 'failed', errorCode: 'APIC.9218' } });

    await invokeCapturingOutput([JSON.stringify(watchRequestBody({ instance_id: instanceId }))]);

    const metrics = jsonLines().filter((line) => '_aws' in line);
    const names = metrics.flatMap((line) =>
      (line._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics.flatMap((m) => m.Metrics.map((x) => x.Name)),
    );
    expect(names).toEqual(expect.arrayContaining(['WatchesStarted', 'Polls', 'Outcomes', 'NotificationLag']));
    expect(metrics.find((line) => 'Outcomes' in line)).toMatchObject({ outcome: 'failed', Outcomes: 1 });
    expect(metrics.every((line) => (line._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]?.Namespace === 'ApigWatch')).toBe(true);
  });

  it('publishes each metric with its own dimensions only, however many such metrics a batch emits', async () => {
    const instanceIds = ['abcdefabcdefabcdefabcdefabcdef03', 'abcdefabcdefabcdefabcdefabcdef04'];
    for (const instanceId of instanceIds) simulator.addGateway({ projectId: PROJECT_ID, instanceId, steps: [], finish: { atMs: 0, status: 'success' } });

    await invokeCapturingOutput(instanceIds.map((instanceId) => JSON.stringify(watchRequestBody({ instance_id: instanceId }))));

    const dimensioned = jsonLines().filter((line) => '_aws' in line && ('Outcomes' in line || 'NotificationLag' in line));
    const dimensionsOf = (line: Record<string, unknown>) => (line._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0]?.Dimensions;
    const outcomes = dimensioned.filter((line) => 'Outcomes' in line);
    const lags = dimensioned.filter((line) => 'NotificationLag' in line);
    expect(outcomes).toHaveLength(2);
    expect(lags.length).toBeGreaterThanOrEqual(2);
    for (const line of outcomes) expect(dimensionsOf(line)).toEqual([['service', 'outcome']]);
    for (const line of lags) {
      expect(dimensionsOf(line)).toEqual([['service', 'channel']]);
      expect(line).not.toHaveProperty('outcome');
    }
  });

  it('counts an invalid message and logs its reason, and never writes a secret', async () => {
    await invokeCapturingOutput(['{"project_id":"../../v3/auth/tokens"}']);

    const lines = jsonLines();
    expect(lines.find((line) => line.message === 'invalid message rejected; moving it to the dead-letter queue')).toMatchObject({ level: 'ERROR' });
    expect(lines.some((line) => 'InvalidMessages' in line)).toBe(true);
    const everything = output.join('');
    for (const secret of [SK, WEBHOOK_SECRET, 'slack-token-secret', notifyUrls]) expect(everything).not.toContain(secret);
  });
});
