/**
 * `apig-watch list` and `apig-watch redrive` as subprocesses, against the table and queues of a
 * running watcher: fauxqs, dynalite, the APIG simulator and webhook receivers on loopback.
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startWebhookReceiver, type WebhookReceiver } from '../../devkit/webhook-receiver.js';
import { parseNotifyUrls } from '../../lib/notify/targets.js';
import type { WatchListing } from '../../lib/store/watch-listing.js';
import { cleanEnv, runApigWatch } from '../support/cli-process.js';
import { startCloudFormationStandIn } from '../support/cloudformation-stand-in.js';
import { startStsStandIn } from '../support/sts-stand-in.js';
import { PROJECT_ID, watchRequestBody } from '../support/factories.js';
import { DEFAULT_WAIT_MS, instanceIdFor, settledPosts, sleep, startPipeline, webhookEvent, type Pipeline } from '../support/pipeline.js';

let pipeline: Pipeline;
const extraReceivers: WebhookReceiver[] = [];
afterEach(async () => {
  await Promise.all(extraReceivers.splice(0).map((receiver) => receiver.close()));
  await pipeline?.stop();
});

/** What the CLI needs of the local AWS: credentials, region, endpoints, and `more`. */
function cliEnv(more: Record<string, string> = {}): NodeJS.ProcessEnv {
  const names = ['AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_SQS', 'AWS_ENDPOINT_URL_DYNAMODB'];
  return cleanEnv({ ...Object.fromEntries(names.map((name) => [name, pipeline.aws.env[name] ?? ''])), ...more });
}

async function deadLetterDepth(): Promise<number> {
  const { Attributes = {} } = await pipeline.aws.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: pipeline.aws.deadLetterQueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
}

async function waitForDeadLetters(count: number): Promise<void> {
  const deadline = Date.now() + DEFAULT_WAIT_MS;
  while ((await deadLetterDepth()) < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} dead letter(s) within ${DEFAULT_WAIT_MS} ms`);
    await sleep(100);
  }
}

/** A port nothing listens on yet (a receiver that is down). */
async function downPort(): Promise<number> {
  const probe = await startWebhookReceiver();
  await probe.close();
  return probe.port;
}

describe('apig-watch list', () => {
  const SLOW = instanceIdFor(0x115);
  const DONE = instanceIdFor(0x116);

  it('shows the active watch with its progress and next look, as a table and as JSON; --all adds the ended one with its outcome and targets', async () => {
    // Prepare: one creation that goes on, one that succeeded; the second target only wants failures.
    pipeline = await startPipeline({ timeScale: 30 });
    pipeline.addGateway(SLOW, { steps: [{ atMs: 0, progress: 30 }], finish: null });
    pipeline.addGateway(DONE, { steps: [], finish: { atMs: 0, status: 'success' } });
    const notifyUrls = `webhook+${pipeline.receiver.url}/hooks/all,webhook+${pipeline.receiver.url}/hooks/failures#on=failed`;
    const [hearsAll] = parseNotifyUrls(notifyUrls);
    pipeline.run(pipeline.watcher({ NOTIFY_URLS: notifyUrls }).handler);
    await pipeline.send(
      watchRequestBody({ instance_id: SLOW, instance_name: 'slow-gw', context: { ticket: 'OPS-1' } }),
      watchRequestBody({ instance_id: DONE, instance_name: 'done-gw' }),
    );
    await pipeline.waitForPosts('/hooks/all', 1);
    await pipeline.waitForProgressRequests(SLOW, 2);
    const env = cliEnv({ WATCH_TABLE_NAME: pipeline.aws.tableName });

    // Act
    const json = await runApigWatch(['list', '--json'], env);
    const table = await runApigWatch(['list'], env);
    const allJson = await runApigWatch(['list', '--all', '--json'], env);
    const allTable = await runApigWatch(['list', '--all'], env);

    // Assess
    expect([json.code, table.code, allJson.code, allTable.code]).toEqual([0, 0, 0, 0]);
    const active = JSON.parse(json.stdout) as WatchListing[];
    expect(active).toEqual([
      expect.objectContaining({
        phase: 'active',
        watch_id: expect.stringMatching(/^w_[0-9a-f]{20}$/),
        project_id: PROJECT_ID,
        instance_id: SLOW,
        instance_name: 'slow-gw',
        region: 'ap-southeast-1',
        operation: 'creation',
        status: 'creating',
        progress: 30,
        next_look_at: expect.any(String),
        started_at: expect.any(String),
        outcome: null,
        context: { ticket: 'OPS-1' },
      }),
    ]);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^PHASE\s+WATCH\s+GATEWAY\s+INSTANCE ID\s+PROJECT ID\s+REGION\s+OPERATION\s+STATUS\s+STARTED\s+NEXT LOOK$/);
    expect(rows).toEqual([
      expect.stringMatching(
        new RegExp(
          `^active\\s+${active[0]?.watch_id}\\s+slow-gw\\s+${SLOW}\\s+${PROJECT_ID}\\s+ap-southeast-1\\s+creation\\s+creating 30%\\s+.+ ago\\s+(in .+|due)$`,
        ),
      ),
    ]);

    const all = JSON.parse(allJson.stdout) as WatchListing[];
    expect(all.map((watch) => [watch.instance_id, watch.phase])).toEqual([
      [SLOW, 'active'],
      [DONE, 'ended'],
    ]);
    expect(all[1]).toEqual(
      expect.objectContaining({
        instance_name: 'done-gw',
        outcome: 'succeeded',
        status: 'success',
        next_look_at: null,
        ended_at: expect.any(String),
        settled_targets: [hearsAll?.id],
      }),
    );
    expect(allTable.stdout).toMatch(/OUTCOME\s+ENDED\s+TARGETS/);
    expect(allTable.stdout).toMatch(new RegExp(`ended\\s+w_\\w+\\s+done-gw\\s+${DONE}.*\\s+succeeded\\s+\\S+ ago\\s+#${hearsAll?.id}\\n`));
  });

  it('finds the table from the WatchTableName output of --stack', async () => {
    pipeline = await startPipeline();
    const cloudFormation = await startCloudFormationStandIn({ 'apig-watch-ci': { WatchTableName: pipeline.aws.tableName } });
    try {
      const run = await runApigWatch(['list', '--stack', 'apig-watch-ci'], cliEnv({ AWS_ENDPOINT_URL_CLOUDFORMATION: cloudFormation.url }));

      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`No active watches in ${pipeline.aws.tableName} (--all shows the ended ones).\n`);
    } finally {
      await cloudFormation.close();
    }
  });

  it('exits 4, naming the grant, when the table cannot be read', async () => {
    pipeline = await startPipeline();

    const run = await runApigWatch(['list', '--table', 'no-such-table'], cliEnv());

    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/could not read the watch table no-such-table \(the caller needs dynamodb:Scan on it\): ResourceNotFoundException/);
  });
});

describe('apig-watch redrive', () => {
  const OWED = instanceIdFor(0x117);
  const EXHAUSTED = instanceIdFor(0x118);

  it('lists the dead letters with their reasons (--dry-run moves nothing), then moves them back: each is delivered once, and served targets get nothing again', async () => {
    // Prepare: a delivery round dead-lettered once its budget was spent (one target down), and a
    // request that SQS itself moved to the dead-letter queue after its receives ran out.
    pipeline = await startPipeline({ maxReceiveCount: 2 });
    pipeline.addGateway(OWED, { steps: [], finish: { atMs: 0, status: 'success' } });
    pipeline.addGateway(EXHAUSTED, { steps: [], finish: { atMs: 0, status: 'success' } });
    const port = await downPort();
    await pipeline.send(watchRequestBody({ instance_id: EXHAUSTED, instance_name: 'exhausted-gw' }));
    for (let receive = 0; receive < 3; receive += 1) {
      await pipeline.aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: pipeline.aws.queueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 1 }));
    }
    await waitForDeadLetters(1);
    pipeline.run(
      pipeline.watcher({
        NOTIFY_URLS: `webhook+${pipeline.receiver.url}/hooks/served,webhook+http://127.0.0.1:${port}/hooks/owed`,
        DELIVERY_RETRY_HOURS: '0.0003',
      }).handler,
    );
    await pipeline.send(watchRequestBody({ instance_id: OWED, instance_name: 'owed-gw' }));
    await waitForDeadLetters(2);
    await pipeline.waitForQuiet();
    const env = cliEnv({ WATCH_QUEUE_URL: pipeline.aws.queueUrl });

    // Act
    const dryRun = await runApigWatch(['redrive', '--dry-run'], env);
    const depthAfterDryRun = await deadLetterDepth();
    const revived = await startWebhookReceiver({ port });
    extraReceivers.push(revived);
    const redrive = await runApigWatch(['redrive'], env);

    // Assess
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain(`2 message(s) in the dead-letter queue ${pipeline.aws.deadLetterQueueUrl}:`);
    expect(dryRun.stdout).toMatch(/MESSAGE ID\s+SENT\s+RECEIVES\s+WHAT\s+REASON/);
    expect(dryRun.stdout).toMatch(/delivery of succeeded, w_\w+ \(owed-gw\)\s+1 target\(s\) still failing after the delivery budget/);
    expect(dryRun.stdout).toMatch(/\s[2-9]\s+watch request for exhausted-gw\s+exhausted retries/);
    expect(dryRun.stdout).toContain('--dry-run: nothing moved.');
    expect(depthAfterDryRun).toBe(2);

    expect(redrive.code).toBe(0);
    expect(redrive.stderr).toContain('the listed messages were moved one by one');
    expect(redrive.stdout).toContain(`✔ 2 message(s) moved back to ${pipeline.aws.queueUrl}.`);
    const [owed] = await settledPosts(pipeline, OWED, ['/hooks/served']);
    const [exhausted] = await settledPosts(pipeline, EXHAUSTED, ['/hooks/served']);
    await revived.waitFor((request) => request.path === '/hooks/owed' && webhookEvent(request).data.instance_id === OWED, DEFAULT_WAIT_MS);
    await pipeline.waitForQuiet();
    expect(owed).toHaveLength(1);
    expect(exhausted).toHaveLength(1);
    expect(revived.received('/hooks/owed').filter((request) => webhookEvent(request).data.instance_id === OWED)).toHaveLength(1);
    expect(await deadLetterDepth()).toBe(0);
  });

  it('says so and exits 0 when the dead-letter queue is empty', async () => {
    pipeline = await startPipeline();

    const run = await runApigWatch(['redrive'], cliEnv({ WATCH_QUEUE_URL: pipeline.aws.queueUrl }));

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`The dead-letter queue ${pipeline.aws.deadLetterQueueUrl} is empty: nothing to redrive.\n`);
  });
});

describe('apig-watch cancel', () => {
  const GATEWAY = instanceIdFor(0x117);
  const OPERATOR = 'arn:aws:sts::123456789012:assumed-role/ops/alice';

  it('ends the active watch at its next step, heard only by on=cancelled targets; list shows it cancelled; a second cancel exits 4', async () => {
    // Prepare: a creation that never finishes, polled every few (simulated) seconds.
    pipeline = await startPipeline({ timeScale: 30 });
    const sts = await startStsStandIn(OPERATOR);
    pipeline.addGateway(GATEWAY, { steps: [{ atMs: 0, progress: 30 }], finish: null });
    const notifyUrls = `webhook+${pipeline.receiver.url}/hooks/everyone,webhook+${pipeline.receiver.url}/hooks/cancels#on=cancelled`;
    pipeline.run(pipeline.watcher({ NOTIFY_URLS: notifyUrls }).handler);
    await pipeline.send(watchRequestBody({ instance_id: GATEWAY, instance_name: 'abandoned-gw' }));
    await pipeline.waitForProgressRequests(GATEWAY, 2);
    const env = cliEnv({ WATCH_TABLE_NAME: pipeline.aws.tableName, AWS_ENDPOINT_URL_STS: sts.url });
    const cancelArgs = ['cancel', '--project-id', PROJECT_ID, '--instance-id', GATEWAY, '--reason', 'creation abandoned'];

    try {
      // Act
      const cancel = await runApigWatch(cancelArgs, env);
      const [post] = await pipeline.waitForPosts('/hooks/cancels', 1);
      await pipeline.waitForQuiet();
      const pollsAfterQuiet = pipeline.progressRequests(GATEWAY).length;
      await sleep(500);
      const again = await runApigWatch(cancelArgs, env);
      const listed = JSON.parse((await runApigWatch(['list', '--all', '--json'], env)).stdout) as WatchListing[];

      // Assess
      expect(cancel.code).toBe(0);
      expect(cancel.stdout).toMatch(/^w_[0-9a-f]{20}\n$/);
      expect(webhookEvent(post!)).toMatchObject({
        type: 'apig.gateway.creation.cancelled',
        data: { outcome: 'cancelled', instance_id: GATEWAY, error_msg: `cancelled by ${OPERATOR}: creation abandoned` },
      });
      expect(pipeline.receiver.received('/hooks/cancels')).toHaveLength(1);
      expect(pipeline.receiver.received('/hooks/everyone')).toHaveLength(0);
      expect(await pipeline.queueDepth()).toBe(0);
      expect(pipeline.progressRequests(GATEWAY).length).toBe(pollsAfterQuiet);
      expect(again.code).toBe(4);
      expect(again.stderr).toContain('no active watch of this gateway');
      expect(listed).toEqual([expect.objectContaining({ instance_id: GATEWAY, phase: 'ended', outcome: 'cancelled' })]);
    } finally {
      await sts.close();
    }
  });

  it('exits 4 for a gateway with no watch, and 2 without a gateway or watch id', async () => {
    // Prepare
    pipeline = await startPipeline();
    const sts = await startStsStandIn(OPERATOR);
    const env = cliEnv({ WATCH_TABLE_NAME: pipeline.aws.tableName, AWS_ENDPOINT_URL_STS: sts.url });

    try {
      // Act
      const none = await runApigWatch(['cancel', '--project-id', PROJECT_ID, '--instance-id', GATEWAY], env);
      const unnamed = await runApigWatch(['cancel'], env);

      // Assess
      expect(none.code).toBe(4);
      expect(none.stderr).toContain('nothing cancelled');
      expect(unnamed.code).toBe(2);
      expect(unnamed.stderr).toContain('--project-id P --instance-id I');
    } finally {
      await sts.close();
    }
  });
});
