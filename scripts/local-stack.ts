/**
 * `npm run local`: the whole watcher on this machine, kept running until Ctrl-C, for real clients
 * to talk to — the AWS CLI, `apig-watch start`, your own producer. The same stack as `npm start`
 * (scripts/support/local-watcher.ts, over devkit/local-stack.ts) on fixed ports, with the scripted gateways of `apig-watch simulate`:
 * each one's creation starts when a watch request for it arrives. Prints the endpoints, the
 * commands to try, and each notification as it arrives.
 *
 *   npm run local                       # ports 9324–9327
 *   npm run local -- --port-base 9400   # ports 9400–9403 (0: any free ports)
 *   APIG_WATCH_TIME_SCALE=1 npm run local   # real time (default: 10× faster)
 */
import type { SQSEvent } from 'aws-lambda';
import { SCRIPTED_GATEWAYS, SCRIPTED_PROJECT_ID as PROJECT_ID, SCRIPTED_REGION as REGION } from '../lib/simulator/index.js';
import type { LocalStack } from '../devkit/local-stack.js';
import { describeNotification, formatClock, LOCAL_CHANNELS, LOCAL_WEBHOOK_SECRET, startLocalWatcher } from './support/local-watcher.js';
import { parseMessageBody } from '../lib/watch/index.js';
import { runScript, safely } from './support/run-script.js';

const DEFAULT_PORT_BASE = 9324;
const DEFAULT_TIME_SCALE = 10;
const RECEIVER_POLL_MS = 200;
const LOCAL_AWS_ENV = 'AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local';

async function main(): Promise<number> {
  const portBase = readPortBase(process.argv.slice(2));
  const timeScale = Number(process.env.APIG_WATCH_TIME_SCALE ?? DEFAULT_TIME_SCALE);
  if (!(timeScale >= 1)) throw new Error(`APIG_WATCH_TIME_SCALE must be a number ≥ 1, got ${process.env.APIG_WATCH_TIME_SCALE}`);
  const gatewayOf = new Map(SCRIPTED_GATEWAYS.map((gateway) => [gateway.instanceId, gateway]));
  let stack: LocalStack | undefined;
  const stamp = () => (stack ? `[${formatClock(stack.clock.now() - stack.originMs)}]` : '');

  // A watch request for a scripted gateway starts its creation now, so every try tells the whole story.
  const startCreations = (event: SQSEvent) => {
    for (const record of event.Records) {
      const message = safely(() => parseMessageBody(record.body, { current: process.env.STATE_SIGNING_KEY ?? '', previous: null }));
      if (message?.kind !== 'request' || !stack) continue;
      const gateway = gatewayOf.get(message.request.instance_id);
      console.log(
        `${stamp()} watch request for ${message.request.instance_name ?? message.request.instance_id}${gateway ? ` (${gateway.name}: ${gateway.story})` : ''}`,
      );
      if (gateway?.timeline)
        stack.simulator.addGateway({
          projectId: message.request.project_id,
          instanceId: gateway.instanceId,
          ...gateway.timeline,
          createdAtMs: stack.clock.now(),
        });
    }
  };
  try {
    stack = await startLocalWatcher({
      timeScale,
      ports: portBase === 0 ? {} : { sqs: portBase, dynamodb: portBase + 1, apig: portBase + 2, receiver: portBase + 3 },
      beforeInvocation: startCreations,
      onInvocation: (_, __, error) => {
        if (error) console.error(`${stamp()} the poll handler failed: ${error instanceof Error ? error.message : String(error)}`);
      },
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      console.error(`npm run local: a port from ${portBase} to ${portBase + 3} is in use; pick others with: npm run local -- --port-base 9400`);
      return 2;
    }
    throw error;
  }
  const { aws, simulator, receiver } = stack;
  const sqsEndpoint = process.env.AWS_ENDPOINT_URL_SQS;
  const [example] = SCRIPTED_GATEWAYS;
  if (example === undefined) throw new Error('no scripted gateway to show');
  const body = JSON.stringify({ project_id: PROJECT_ID, instance_id: example.instanceId, region: REGION, instance_name: example.name });
  console.log(
    [
      `apig-watch local stack · time runs ${timeScale}× faster (APIG_WATCH_TIME_SCALE) · Ctrl-C to stop`,
      '',
      `  SQS (fauxqs)            ${sqsEndpoint}   watch queue ${aws.queueUrl}`,
      `                                                   dead-letter queue ${aws.deadLetterQueueUrl}`,
      `  DynamoDB (dynalite)     ${process.env.AWS_ENDPOINT_URL_DYNAMODB}   table ${aws.tableName}`,
      `  Huawei APIG simulator   ${simulator.url}`,
      `  webhook receiver        ${receiver.url}   (${LOCAL_CHANNELS.map((channel) => `${channel}+${receiver.url}/${channel}`).join(', ')})`,
      `                          checks signatures with WEBHOOK_SECRET=${LOCAL_WEBHOOK_SECRET}; shows any other POST as it is`,
      '',
      "Start a watch with the AWS CLI (a version that speaks SQS's JSON protocol: see docs/development.md):",
      `  ${LOCAL_AWS_ENV} aws sqs send-message --endpoint-url ${sqsEndpoint} --region ${aws.env.AWS_REGION} \\`,
      `    --queue-url ${aws.queueUrl} --message-body '${body}'`,
      'or with apig-watch:',
      `  AWS_ENDPOINT_URL_SQS=${sqsEndpoint} AWS_ENDPOINT_URL_DYNAMODB=${process.env.AWS_ENDPOINT_URL_DYNAMODB} WATCH_TABLE_NAME=${aws.tableName} \\`,
      `  ${LOCAL_AWS_ENV} npx apig-watch start \\`,
      `    --queue-url ${aws.queueUrl} --project-id ${PROJECT_ID} --instance-id ${example.instanceId} --region ${REGION} --name ${example.name}`,
      '',
      `Scripted gateways in project ${PROJECT_ID} (each creation starts when its watch request arrives):`,
      ...SCRIPTED_GATEWAYS.map(
        ({ name, story, instanceId, timeline }) =>
          `  ${instanceId}  ${name}: ${story}${timeline?.finish === null ? ' (ends timed_out after WATCH_TIMEOUT_SECONDS, default 7200: WATCH_TIMEOUT_SECONDS=600 npm run local)' : ''}`,
      ),
      '',
      'Notifications appear here as they arrive.',
      '',
    ].join('\n'),
  );

  let shown = 0;
  const timer = setInterval(() => {
    for (const request of receiver.received().slice(shown)) {
      shown += 1;
      console.log(describeNotification(request, stamp()).join('\n'));
    }
  }, RECEIVER_POLL_MS);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(timer);
  console.log(`\nStopping: ${shown} notification(s), ${simulator.stats().requests} call(s) to the simulated Huawei API.`);
  await stack.stop();
  return 0;
}

function readPortBase(args: string[]): number {
  const at = args.indexOf('--port-base');
  if (at < 0) return DEFAULT_PORT_BASE;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || (value !== 0 && (value < 1024 || value > 65532)))
    throw new Error('--port-base must be a port from 1024 to 65532, or 0 for any free ports');
  return value;
}

runScript(main);
