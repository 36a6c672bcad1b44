/**
 * `apig-watch discover --once [--start]` and `apig-watch test-notify`'s routing options as
 * subprocesses, against the Huawei simulator, fauxqs and a webhook receiver on loopback.
 */
import { PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startApigSimulator, type ApigSimulator } from '../../lib/simulator/index.js';
import { startLocalAws, type LocalAws } from '../../devkit/local-aws.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../devkit/webhook-receiver.js';
import { cleanEnv, runApigWatch } from '../support/cli-process.js';
import { PROJECT_ID } from '../support/factories.js';
import { SIMULATOR_AK, SIMULATOR_SK } from '../support/pipeline.js';

const EMPTY_PROJECT = 'fedcba9876543210fedcba9876543210';
const CREATING = 'c'.repeat(32);
const RUNNING = 'd'.repeat(32);
let simulator: ApigSimulator;
let aws: LocalAws;
let receiver: WebhookReceiver;

beforeAll(async () => {
  [simulator, aws, receiver] = await Promise.all([startApigSimulator(), startLocalAws(), startWebhookReceiver()]);
  simulator.addGateway({ projectId: PROJECT_ID, instanceId: CREATING, instanceName: 'orders-gw', steps: [{ atMs: 0, progress: 30 }], finish: null });
  simulator.addGateway({ projectId: PROJECT_ID, instanceId: RUNNING, instanceName: 'old-gw', steps: [], finish: null, listStatus: 'Running' });
});

afterAll(async () => {
  await Promise.all([simulator.close(), aws.stop(), receiver.close()]);
});

function huaweiEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnv({
    HUAWEICLOUD_SDK_AK: SIMULATOR_AK,
    HUAWEICLOUD_SDK_SK: SIMULATOR_SK,
    APIG_ENDPOINT: simulator.url,
    IAM_ENDPOINT: simulator.url,
    DISCOVER_PROJECTS: `ap-southeast-1:${PROJECT_ID},ap-southeast-1:${EMPTY_PROJECT}`,
    ...overrides,
  });
}

describe('apig-watch discover --once', () => {
  afterEach(async () => {
    await aws.sqs.send(new PurgeQueueCommand({ QueueUrl: aws.queueUrl }));
  });

  it('prints the gateways being created per project, and reminds of apig:instance:list for an empty one', async () => {
    // Act
    const run = await runApigWatch(['discover', '--once'], huaweiEnv());

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`✔ ap-southeast-1:${PROJECT_ID}: 1 gateway(s) being created`);
    expect(run.stdout).toContain(`${CREATING}  orders-gw  Creating`);
    expect(run.stdout).not.toContain(RUNNING);
    expect(run.stdout).toContain(`· ap-southeast-1:${EMPTY_PROJECT}: no gateway being created.`);
    expect(run.stdout).toContain('Huawei answers an empty list, not an error, when the credentials lack apig:instance:list');
  });

  it('shows which target would hear which outcome of a discovered watch', async () => {
    // Prepare
    const notifyUrls = [`webhook+${receiver.url}/all`, `webhook+${receiver.url}/oncall#on=failed`, `webhook+${receiver.url}/payments#group=payments`].join(',');

    // Act
    const run = await runApigWatch(['discover', '--once', '--project', `ap-southeast-1:${PROJECT_ID}`], huaweiEnv({ NOTIFY_URLS: notifyUrls }));

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ {2}succeeded → webhook 127\.0\.0\.1:\d+ #\w+\n/);
    expect(run.stdout).toMatch(/ {2}failed → webhook 127\.0\.0\.1:\d+ #\w+, webhook 127\.0\.0\.1:\d+ #\w+\n/);
    expect(run.stdout).toMatch(/ {2}started → nobody\n/);
    expect(run.stdout).toMatch(/: group=payments\n/);
    expect(run.stdout).not.toContain('/oncall');
  });

  it('with --start sends one discovered watch request per gateway being created to the queue', async () => {
    // Act
    const run = await runApigWatch(
      ['discover', '--once', '--start', '--queue-url', aws.queueUrl],
      huaweiEnv(
        Object.fromEntries(['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_SQS'].map((name) => [name, aws.env[name] ?? ''])),
      ),
    );

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('1 gateway(s) being created — 1 watch request(s) sent');
    expect(run.stderr).toContain(`1 watch request(s) sent to ${aws.queueUrl}`);
    const { Messages = [] } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    expect(Messages.map((message) => JSON.parse(message.Body ?? ''))).toEqual([
      { project_id: PROJECT_ID, instance_id: CREATING, region: 'ap-southeast-1', instance_name: 'orders-gw', context: {}, origin: 'discovery' },
    ]);
  });

  it.each([
    [['discover'], 'discover needs --once: from this machine it runs a single sweep and prints the gateways being created\n  apig-watch discover --once ['],
    [['discover', '--once', '--project', 'ap-southeast-1'], '--project entry 1 ("ap-southeast-1"): must be REGION:PROJECT_ID'],
  ])('refuses %j with exit 2 and a message naming the option', async (args, message) => {
    // Act
    const run = await runApigWatch(args, huaweiEnv());

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  it('exits 4 and says why when a project cannot be listed', async () => {
    // Act
    const run = await runApigWatch(['discover', '--once'], huaweiEnv({ HUAWEICLOUD_SDK_SK: 'wrong' }));

    // Assess
    expect(run.code).toBe(4);
    expect(run.stdout).toContain(`✖ ap-southeast-1:${PROJECT_ID}: could not list the gateways: ApigTerminalError: APIG refused the credentials`);
  });
});

describe('apig-watch test-notify with routing options', () => {
  const notifyUrls = () =>
    [
      `webhook+${receiver.url}/route/all`,
      `webhook+${receiver.url}/route/oncall#on=failed`,
      `webhook+${receiver.url}/route/payments#on=failed,succeeded&when=team:payments&group=payments`,
      `webhook+${receiver.url}/route/feed#on=started`,
    ].join(',');

  it('sends the sample only to the targets whose filters want it, and prints the routing', async () => {
    // Act
    const run = await runApigWatch(
      ['test-notify', '--outcome', 'failed', '--context', 'team=payments', '--group', 'payments'],
      cleanEnv({ NOTIFY_URLS: notifyUrls() }),
    );

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ {2}failed → (webhook 127\.0\.0\.1:\d+ #\w+(, )?){3}\n/);
    expect(run.stdout).toContain('Sending a sample "failed" notification (apig.gateway.creation.failed) to 3 target(s)');
    expect(['all', 'oncall', 'payments', 'feed'].map((name) => receiver.received(`/route/${name}`).length)).toEqual([1, 1, 1, 0]);
    expect((receiver.received('/route/payments')[0]?.body as { data: { context: object } } | undefined)?.data.context).toEqual({
      sent_by: 'apig-watch test-notify',
      team: 'payments',
    });
  });

  it('sends the opt-in started notice only to a target with on=started', async () => {
    // Act
    const run = await runApigWatch(['test-notify', '--outcome', 'started'], cleanEnv({ NOTIFY_URLS: notifyUrls() }));

    // Assess
    expect(run.code).toBe(0);
    const [post] = receiver.received('/route/feed');
    expect((post?.body as { type: string } | undefined)?.type).toBe('apig.gateway.creation.started');
    expect(receiver.received('/route/all').filter((request) => (request.body as { type: string }).type.endsWith('started'))).toEqual([]);
  });

  it('sends nothing, and says so, when no target wants the sample', async () => {
    // Act
    const run = await runApigWatch(['test-notify', '--outcome', 'started'], cleanEnv({ NOTIFY_URLS: `webhook+${receiver.url}/route/none#on=failed` }));

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No target wants a "started" notification of this watch: nothing sent.');
    expect(receiver.received('/route/none')).toEqual([]);
  });

  it('refuses a bad --group with exit 2', async () => {
    // Act
    const run = await runApigWatch(['test-notify', '--group', 'Not A Group'], cleanEnv({ NOTIFY_URLS: `webhook+${receiver.url}/route/all` }));

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--group must be a group name');
  });
});
