import type { SQSEvent } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { slackMessageText } from './slack-text.js';
import { scaledClock } from '../../lib/runtime/time-scale.js';
import type { Clock } from '../../lib/watch/ports.js';
import type { WatchEvent } from '../../lib/watch/notification-event.js';
import { SIMULATOR_DEFAULT_CREDENTIALS, startApigSimulator, type ApigSimulator } from '../../lib/dev/apig-simulator.js';
import { startLocalAws, type LocalAws } from '../../lib/dev/local-aws.js';
import { startLocalEventSource, type LocalEventSource, type SqsHandler } from '../../lib/dev/local-event-source.js';
import { describeRequest, startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../../lib/dev/webhook-receiver.js';

/** The channels the local receiver stands in for: Slack and a signed generic webhook. */
export const LOCAL_CHANNELS = ['slack', 'webhook'] as const;
/** The generic webhook's signing secret in local stacks (a fixed, public test value). */
export const LOCAL_WEBHOOK_SECRET = `whsec_${Buffer.from('apig-watch demo secret').toString('base64')}`;

export interface LocalStackOptions {
  /** The watcher's clock and the simulator's run this many times faster than real time. */
  timeScale: number;
  /** Ports on 127.0.0.1; 0 or absent: any free port. */
  ports?: { sqs?: number; dynamodb?: number; apig?: number; receiver?: number };
  /** Seconds before a failed record is delivered again (Lambda deployments use 6× the function timeout). */
  visibilityTimeoutSeconds?: number;
  /** More `NOTIFY_URLS` entries, `{receiver}` standing for the receiver's URL (e.g. a filtered target). */
  extraTargets?: string[];
  /** More environment for the handlers (e.g. `DISCOVER_PROJECTS`). */
  env?: Record<string, string>;
  /** Called before each invocation of the handler, with its records (e.g. to start a scripted creation). */
  beforeInvocation?: (event: SQSEvent) => void;
  onInvocation?: Parameters<typeof startLocalEventSource>[0]['onInvocation'];
}

export interface LocalStack {
  aws: LocalAws;
  simulator: ApigSimulator;
  receiver: WebhookReceiver;
  source: LocalEventSource;
  clock: Clock;
  startedAtMs: number;
  stop(): Promise<void>;
}

/**
 * The whole watcher on this machine, the way Lambda runs it: fauxqs (SQS) and dynalite (DynamoDB),
 * the Huawei APIG simulator (AK/SK signatures checked), a webhook receiver standing in for Slack and
 * a signed webhook, and the real poll handler under an SQS event-source loop. Sets the handler's
 * environment in this process (as `serverless.yml` does in AWS). `npm start` and `npm run local`.
 *
 * @example
 * const stack = await startLocalStack({ timeScale: 20 });
 * await stack.aws.sqs.send(new SendMessageCommand({ QueueUrl: stack.aws.queueUrl, MessageBody }));
 * await stack.stop();
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  // A local reader cannot act on the AWS SDK's notice that its 2027 releases need Node 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const startedAtMs = Date.now();
  const clock = scaledClock(options.timeScale, startedAtMs);
  const ports = options.ports ?? {};
  const aws = await startLocalAws({ visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 2, sqsPort: ports.sqs, dynamoPort: ports.dynamodb });
  const simulator = await startApigSimulator({ now: clock.now, port: ports.apig });
  const receiver = await startWebhookReceiver({ port: ports.receiver });
  const [aksk] = SIMULATOR_DEFAULT_CREDENTIALS.aksk;

  Object.assign(process.env, aws.env, {
    NOTIFY_URLS: [
      ...LOCAL_CHANNELS.map((channel) => `${channel}+${receiver.url}/${channel}`),
      ...(options.extraTargets ?? []).map((entry) => entry.replace('{receiver}', receiver.url)),
    ].join(','),
    WEBHOOK_SECRET: LOCAL_WEBHOOK_SECRET,
    HUAWEICLOUD_SDK_AK: aksk?.accessKey,
    HUAWEICLOUD_SDK_SK: aksk?.secretKey,
    APIG_ENDPOINT: simulator.url,
    IAM_ENDPOINT: simulator.url,
    APIG_WATCH_TIME_SCALE: String(options.timeScale),
    APIG_WATCH_TIME_ORIGIN_MS: String(startedAtMs),
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...options.env,
  });
  const { handler } = (await import('../../handlers/poll.js')) as { handler: SqsHandler };
  const before = options.beforeInvocation;
  const source = startLocalEventSource({
    sqs: aws.sqs,
    queueUrl: aws.queueUrl,
    handler: before
      ? async (event, context) => {
          before(event);
          return handler(event, context);
        }
      : handler,
    onInvocation: options.onInvocation,
  });

  return {
    aws,
    simulator,
    receiver,
    source,
    clock,
    startedAtMs,
    async stop() {
      source.stop();
      await source.done;
      await Promise.all([simulator.close(), receiver.close(), aws.stop()]);
    },
  };
}

/**
 * A request the local receiver got, as its reader sees it: the Slack message as text, the
 * generic webhook as its event with the signature checked, anything else as its method, path
 * and body (a local receiver takes any POST; describing one never throws).
 *
 * @example
 * board.log(describeNotification(request, '[03:12]')); // { '/slack': 'Slack' } are Slack messages
 * // ['[03:12] Slack ← ✅ Gateway created: orders-gw-prod', '          │ The dedicated gateway was created…', …]
 */
export function describeNotification(request: ReceivedRequest, stamp: string, slackPaths: Readonly<Record<string, string>> = { '/slack': 'Slack' }): string[] {
  const slack = slackPaths[request.path];
  if (slack !== undefined) {
    const [title = '', ...rest] = slackMessageText(request.body);
    return [`${stamp} ${slack} ← ${title}`, ...rest.map((line) => `          │ ${line}`), ''];
  }
  let signature: string;
  try {
    new Webhook(LOCAL_WEBHOOK_SECRET).verify(request.rawBody, request.headers);
    signature = 'signature verified';
  } catch {
    signature = request.headers['webhook-signature'] === undefined ? 'unsigned' : 'SIGNATURE INVALID';
  }
  if (!isWatchEvent(request.body)) return [`${stamp} ${describeRequest(request)} · ${signature}`, ''];
  const event = request.body;
  return [
    `${stamp} webhook ← ${event.type} (${event.data.instance_name ?? event.data.instance_id}) · webhook-id ${request.headers['webhook-id']} · ${signature}`,
    '',
  ];
}

/** Whether a body has the generic webhook event's shape (a local receiver takes any POST). */
function isWatchEvent(body: unknown): body is WatchEvent {
  const { type, data } = (body ?? {}) as Partial<Record<keyof WatchEvent, unknown>>;
  return typeof type === 'string' && typeof data === 'object' && data !== null;
}

/**
 * Simulated time since the start, `mm:ss` (or `h:mm:ss`).
 *
 * @example
 * formatClock(185_000) // '03:05'
 */
export function formatClock(ms: number): string {
  const total = Math.floor(ms / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  const hours = Math.floor(total / 3600);
  return `${hours > 0 ? `${hours}:` : ''}${two(Math.floor((total % 3600) / 60))}:${two(total % 60)}`;
}
