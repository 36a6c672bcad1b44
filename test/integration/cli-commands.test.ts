/**
 * `apig-watch test-notify`, `start` and `simulate` as subprocesses, against a webhook receiver,
 * fauxqs and each other on loopback.
 */
import { PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { once } from 'node:events';
import { startLocalAws, type LocalAws } from '../../devkit/local-aws.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../devkit/webhook-receiver.js';
import { createDynamoStepStore } from '../../lib/store/step-store.js';
import { PROVISIONAL_WATCH_ID } from '../../lib/cli/commands/start.js';
import { gatewayKeyFor, watchIdFor } from '../../lib/watch/state.js';
import { cleanEnv, runApigWatch, spawnApigWatch } from '../support/cli-process.js';
import { startCloudFormationStandIn } from '../support/cloudformation-stand-in.js';
import { INSTANCE_ID, PROJECT_ID } from '../support/factories.js';

let receiver: WebhookReceiver;
let aws: LocalAws;

beforeAll(async () => {
  [receiver, aws] = await Promise.all([startWebhookReceiver(), startLocalAws()]);
});

afterAll(async () => {
  await Promise.all([receiver.close(), aws.stop()]);
});

describe('apig-watch test-notify', () => {
  it('sends the sample to every target, prints each answer, and exits 1 when one target rejects it', async () => {
    // Prepare: a Slack target that answers like an archived channel, a DingTalk one that takes it.
    receiver.script('/test-notify/slack', [{ status: 410, body: 'channel_is_archived' }]);
    const env = cleanEnv({ NOTIFY_URLS: `slack+${receiver.url}/test-notify/slack` });

    // Act
    const run = await runApigWatch(['test-notify', '--outcome', 'failed', '--notify', `dingtalk+${receiver.url}/dingtalk/test-notify`], env);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/✖ slack 127\.0\.0\.1:\d+ #\w+: rejected: HTTP 410.*channel_is_archived \(the channel is gone\)/);
    expect(run.stdout).toMatch(/✔ dingtalk 127\.0\.0\.1:\d+ #\w+: delivered \(HTTP 200\)/);
    expect(run.stderr).toContain('1 of 2 target(s) did not take the notification');
    const [dingtalk] = receiver.received('/dingtalk/test-notify');
    expect(JSON.stringify(dingtalk?.body)).toContain('APIC.9218');
  });

  it('exits 0 when every target takes it, and --notify-only leaves NOTIFY_URLS out', async () => {
    const env = cleanEnv({ NOTIFY_URLS: `webhook+${receiver.url}/test-notify/ignored` });

    const run = await runApigWatch(['test-notify', '--notify-only', '--notify', `webhook+${receiver.url}/test-notify/only`], env);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Sending a sample "succeeded" notification \(apig\.gateway\.creation\.succeeded\) to 1 target/);
    expect(receiver.received('/test-notify/only')).toHaveLength(1);
    expect(receiver.received('/test-notify/ignored')).toHaveLength(0);
  });
});

describe('apig-watch start', () => {
  afterEach(async () => {
    await aws.sqs.send(new PurgeQueueCommand({ QueueUrl: aws.queueUrl }));
  });

  function awsEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
    const names = ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_SQS'];
    return cleanEnv({ ...Object.fromEntries(names.map((name) => [name, aws.env[name] ?? ''])), ...overrides });
  }

  it('sends the watch request to the queue and prints the watch id', async () => {
    // Act
    const run = await runApigWatch(
      ['start', '--project-id', PROJECT_ID, '--instance-id', INSTANCE_ID, '--region', 'ap-southeast-1', '--name', 'orders-gw', '--context', 'ticket=OPS-1234'],
      awsEnv({ WATCH_QUEUE_URL: aws.queueUrl }),
    );

    // Assess
    expect(run.code).toBe(0);
    const { Messages = [] } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    expect(run.stdout).toBe(`${watchIdFor({ project_id: PROJECT_ID, instance_id: INSTANCE_ID }, Messages[0]?.MessageId ?? '')}\n`);
    expect(Messages.map((message) => JSON.parse(message.Body ?? ''))).toEqual([
      { project_id: PROJECT_ID, instance_id: INSTANCE_ID, region: 'ap-southeast-1', instance_name: 'orders-gw', context: { ticket: 'OPS-1234' } },
    ]);
    expect(run.stderr).toContain(PROVISIONAL_WATCH_ID);
  });

  it('says a request joins the active watch of its gateway, and sends nothing, when the watch table is known', async () => {
    // Prepare: a watch of the gateway is active in the table.
    const store = createDynamoStepStore(aws.dynamo, aws.tableName);
    const active = {
      watchId: 'w_00112233445566778899',
      step0: { owner: 'm-0', decidedAtMs: Date.now(), decision: { kind: 'successor' as const, message: { body: '{}', delaySeconds: 60 } } },
      endedAtMs: null,
      liveUntilMs: Date.now() + 3_600_000,
    };
    await store.recordWatch(gatewayKeyFor({ project_id: PROJECT_ID, instance_id: INSTANCE_ID }), active, Date.now(), 'request');

    // Act
    const run = await runApigWatch(
      ['start', '--project-id', PROJECT_ID, '--instance-id', INSTANCE_ID, '--region', 'ap-southeast-1'],
      awsEnv({ WATCH_QUEUE_URL: aws.queueUrl, WATCH_TABLE_NAME: aws.tableName, AWS_ENDPOINT_URL_DYNAMODB: aws.env.AWS_ENDPOINT_URL_DYNAMODB ?? '' }),
    );

    // Assess
    await store.endWatch(gatewayKeyFor({ project_id: PROJECT_ID, instance_id: INSTANCE_ID }), active.watchId, Date.now());
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${active.watchId}\n`);
    expect(run.stderr).toContain('is already being watched; this request joins that watch (nothing sent)');
    expect(run.stderr).not.toContain('provisional');
    const { Messages = [] } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    expect(Messages).toEqual([]);
  });

  it('reads the queue URL from the WatchQueueUrl output of --stack', async () => {
    const cloudFormation = await startCloudFormationStandIn({ 'apig-watch-ci': { WatchQueueUrl: aws.queueUrl, HttpApiUrl: 'https://example.invalid' } });
    try {
      const args = ['start', '--project-id', PROJECT_ID, '--instance-id', INSTANCE_ID, '--region', 'ap-southeast-1', '--stack'];
      const env = awsEnv({ AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.url });

      const found = await runApigWatch([...args, 'apig-watch-ci'], env);
      const missing = await runApigWatch([...args, 'apig-watch-nope'], env);

      expect(found.code).toBe(0);
      const { Messages = [] } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: aws.queueUrl, WaitTimeSeconds: 1 }));
      expect(Messages).toHaveLength(1);
      expect(missing.code).toBe(4);
      expect(missing.stderr).toContain('could not read the outputs of stack apig-watch-nope: ValidationError: Stack with id apig-watch-nope does not exist');
    } finally {
      await cloudFormation.close();
    }
  });

  it("takes the AWS region from the queue URL when none is configured, without the SDK's queue-host warning", async () => {
    const { AWS_REGION: _, ...withoutRegion } = awsEnv() as Record<string, string>;

    const run = await runApigWatch(
      ['start', '--project-id', PROJECT_ID, '--instance-id', INSTANCE_ID, '--region', 'ap-southeast-1', '--queue-url', aws.queueUrl],
      cleanEnv(withoutRegion),
    );

    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/differs from SQSClient|useQueueUrlAsEndpoint/);
  });

  it('exits 2 with the fix when no AWS region can be known', async () => {
    const cloudFormation = await startCloudFormationStandIn({});
    try {
      const { AWS_REGION: _, ...withoutRegion } = awsEnv({ AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.url }) as Record<string, string>;

      const run = await runApigWatch(
        ['start', '--project-id', PROJECT_ID, '--instance-id', INSTANCE_ID, '--region', 'ap-southeast-1', '--stack', 'apig-watch-prod'],
        cleanEnv(withoutRegion),
      );

      expect(run.code).toBe(2);
      expect(run.stderr).toBe('apig-watch: no AWS region: pass --aws-region REGION or set AWS_REGION (a queue URL or a stack ARN names it too)\n');
    } finally {
      await cloudFormation.close();
    }
  });

  it('exits 2 with the fix when no AWS credentials can be found, not a raw CredentialsProviderError', async () => {
    // Prepare: nothing anywhere the SDK looks.
    const {
      AWS_ACCESS_KEY_ID: _,
      AWS_SECRET_ACCESS_KEY: __,
      ...withoutCredentials
    } = awsEnv({
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_EC2_METADATA_DISABLED: 'true',
    }) as Record<string, string>;

    // Act
    const run = await runApigWatch(
      ['start', '--project-id', PROJECT_ID, '--instance-id', INSTANCE_ID, '--region', 'ap-southeast-1', '--queue-url', aws.queueUrl],
      cleanEnv(withoutCredentials),
    );

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^apig-watch: no AWS credentials found: set AWS_PROFILE .* or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    expect(run.stderr).not.toContain('CredentialsProviderError');
  });

  it('exits 2 for a malformed queue URL, naming where it came from', async () => {
    const flag = await runApigWatch(
      ['start', '--project-id', PROJECT_ID, '--instance-id', INSTANCE_ID, '--region', 'ap-southeast-1', '--queue-url', 'not-a-url'],
      awsEnv(),
    );
    const variable = await runApigWatch(
      ['start', '--project-id', PROJECT_ID, '--instance-id', INSTANCE_ID, '--region', 'ap-southeast-1'],
      awsEnv({ WATCH_QUEUE_URL: 'https://example.com/' }),
    );

    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain(
      '--queue-url must be an SQS queue URL like https://sqs.ap-southeast-1.amazonaws.com/123456789012/apig-watch-prod; "not-a-url" is not a URL',
    );
    expect(variable.code).toBe(2);
    expect(variable.stderr).toContain('WATCH_QUEUE_URL must be an SQS queue URL');
  });

  it('exits 4 when the queue does not take the message', async () => {
    const missingQueue = aws.queueUrl.replace(/apig-watch$/, 'no-such-queue');

    const run = await runApigWatch(
      ['start', '--project-id', PROJECT_ID, '--instance-id', INSTANCE_ID, '--region', 'ap-southeast-1', '--queue-url', missingQueue],
      awsEnv(),
    );

    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`could not send the watch request to ${missingQueue}`);
  });
});

describe('apig-watch simulate', () => {
  it('serves the scripted gateways until Ctrl-C, printing the environment a watch needs', async () => {
    // Prepare
    const simulate = spawnApigWatch(['simulate', '--port', '0'], cleanEnv());
    let output = '';
    simulate.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    while (!output.includes('typo-gw')) await once(simulate.stdout!, 'data');
    const exports = Object.fromEntries([...output.matchAll(/(\w+)=(\S+)/g)].map(([, name, value]) => [name!, value!]));
    const typo = /--project-id (\w+) --instance-id (\w+) --region ([\w-]+) --name typo-gw/.exec(output);

    // Act
    const watch = await runApigWatch(['watch', '--project-id', typo![1]!, '--instance-id', typo![2]!, '--region', typo![3]!, '--json'], cleanEnv(exports));
    const exited = once(simulate, 'exit');
    simulate.kill('SIGINT');
    const [code] = (await exited) as [number | null];

    // Assess
    expect(exports).toMatchObject({ APIG_ENDPOINT: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), HUAWEICLOUD_SDK_AK: expect.any(String) });
    expect(watch.code).toBe(4);
    expect(watch.stdout).toContain('"outcome":"not_found"');
    expect(code).toBe(0);
  });

  it('hints at the options that apply to each scripted gateway: --timeout for the one that never finishes, discover for the unwatched one', async () => {
    // Prepare
    const simulate = spawnApigWatch(['simulate', '--port', '0'], cleanEnv());
    let output = '';
    simulate.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));

    // Act
    while (!output.includes('console-gw')) await once(simulate.stdout!, 'data');
    const exited = once(simulate, 'exit');
    simulate.kill('SIGINT');
    await exited;

    // Assess
    expect(output).toMatch(/--name stuck-gw --timeout 120\n/);
    expect(output).toMatch(/console-gw: .*\n.*--name console-gw\n\s+npx apig-watch discover --once --project ap-southeast-1:0123456789abcdef0123456789abcdef/);
  });
});
