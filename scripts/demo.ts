/**
 * `npm start`: the whole watcher on an embedded default. fauxqs plays SQS, dynalite plays DynamoDB,
 * the project's simulator plays Huawei Cloud, a loopback receiver plays Slack and a signed webhook,
 * and the real poll handler runs under a local event-source loop — the code path Lambda runs.
 * Creations are time-compressed (TIME_SCALE× real time). Exits 0 once every watch is notified.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { startApigSimulator, type SimulatedGateway } from '../lib/dev/apig-simulator.js';
import { startLocalAws } from '../lib/dev/local-aws.js';
import { startLocalEventSource, type SqsHandler } from '../lib/dev/local-event-source.js';
import { startWebhookReceiver } from '../lib/dev/webhook-receiver.js';
import { scaledClock } from '../lib/runtime/time-scale.js';

const TIME_SCALE = 20;
const GIVE_UP_AFTER_MS = 120_000;
const MINUTE_MS = 60_000;

interface DemoWatch {
  name: string;
  projectId: string;
  instanceId: string;
  gateway: Omit<SimulatedGateway, 'projectId' | 'instanceId'> | null;
}

const PROJECT_ID = '0123456789abcdef0123456789abcdef';
const WATCHES: DemoWatch[] = [
  {
    name: 'orders-gw-prod',
    projectId: PROJECT_ID,
    instanceId: 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1',
    gateway: {
      steps: [
        { atMs: 0, progress: 30 },
        { atMs: 1.5 * MINUTE_MS, progress: 50 },
        { atMs: 3 * MINUTE_MS, progress: 80 },
        { atMs: 5 * MINUTE_MS, progress: 90 },
      ],
      finish: { atMs: 6.2 * MINUTE_MS, status: 'success' },
    },
  },
  {
    name: 'payments-gw-staging',
    projectId: PROJECT_ID,
    instanceId: 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2',
    gateway: {
      steps: [
        { atMs: 0, progress: 30 },
        { atMs: 2 * MINUTE_MS, progress: 50 },
      ],
      finish: { atMs: 3 * MINUTE_MS + 40_000, status: 'failed', errorCode: 'APIC.9218', errorMsg: 'create failed...' },
    },
  },
  { name: 'typo-gw', projectId: PROJECT_ID, instanceId: 'c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3', gateway: null },
];

async function main(): Promise<number> {
  const origin = Date.now();
  const clock = scaledClock(TIME_SCALE, origin);
  const aws = await startLocalAws({ visibilityTimeoutSeconds: 2 });
  const simulator = await startApigSimulator({ now: clock.now });
  const receiver = await startWebhookReceiver();
  for (const watch of WATCHES) {
    if (watch.gateway) simulator.addGateway({ projectId: watch.projectId, instanceId: watch.instanceId, ...watch.gateway });
  }

  Object.assign(process.env, aws.env, {
    NOTIFY_URLS: `slack+${receiver.url}/slack,webhook+${receiver.url}/webhook`,
    WEBHOOK_SECRET: 'whsec_' + Buffer.from('apig-watch demo secret').toString('base64'),
    HUAWEICLOUD_SDK_AK: 'SIMULATORACCESSKEY00',
    HUAWEICLOUD_SDK_SK: 'simulator-secret-key',
    APIG_ENDPOINT: simulator.url,
    IAM_ENDPOINT: simulator.url,
    APIG_WATCH_TIME_SCALE: String(TIME_SCALE),
    APIG_WATCH_TIME_ORIGIN_MS: String(origin),
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const { handler } = (await import('../handlers/poll.js')) as { handler: SqsHandler };

  const names = new Map(WATCHES.map((watch) => [watch.instanceId, watch.name]));
  const say = (line: string) => console.log(`[${new Date(clock.now() - origin).toISOString().slice(11, 19)} sim] ${line}`);
  say(`SQS (fauxqs) ${aws.queueUrl}`);
  say(`Huawei APIG simulator ${simulator.url} · receiver ${receiver.url} · time runs ${TIME_SCALE}× faster`);

  const source = startLocalEventSource({
    sqs: aws.sqs,
    queueUrl: aws.queueUrl,
    handler,
    onInvocation: (event) => {
      for (const record of event.Records) {
        const state = JSON.parse(record.body) as { instance_id?: string; request?: { instance_id: string }; last?: { status: string; progress: number | null } | null; polls?: number; kind?: string };
        const instanceId = state.request?.instance_id ?? state.instance_id ?? '?';
        const seen = state.last ? `${state.last.status} ${state.last.progress ?? '-'}%` : 'first poll';
        say(`${(names.get(instanceId) ?? instanceId).padEnd(20)} ${state.kind === 'deliver' ? 'delivering again' : seen}${state.polls ? ` (after ${state.polls} polls)` : ''}`);
      }
    },
  });

  for (const watch of WATCHES) {
    const body = { project_id: watch.projectId, instance_id: watch.instanceId, region: 'ap-southeast-1', instance_name: watch.name, context: { ticket: 'OPS-1234' } };
    await aws.sqs.send(new SendMessageCommand({ QueueUrl: aws.queueUrl, MessageBody: JSON.stringify(body) }));
    say(`watch requested for ${watch.name}`);
  }

  const expected = WATCHES.length * 2;
  let shown = 0;
  const deadline = Date.now() + GIVE_UP_AFTER_MS;
  while (Date.now() < deadline && receiver.received().length < expected) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const request of receiver.received().slice(shown)) {
      shown += 1;
      const body = request.body as { text?: string; type?: string; data?: { instance_name: string } };
      if (request.path.startsWith('/slack')) say(`Slack   ← ${body.text}`);
      else say(`webhook ← ${body.type} (${body.data?.instance_name}) webhook-id ${request.headers['webhook-id']}`);
    }
  }

  const received = receiver.received();
  source.stop();
  await source.done;
  await Promise.all([simulator.close(), receiver.close(), aws.stop()]);
  if (received.length !== expected) {
    console.error(`expected ${expected} notifications, received ${received.length}`);
    return 1;
  }
  console.log(`\nAll ${WATCHES.length} watches notified: ${received.length} notifications, ${simulator.stats().requests} calls to the simulated Huawei API.`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
