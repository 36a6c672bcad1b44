import type { SQSEvent } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { slackMessageText } from './slack-text.js';
import type { LocalEventSourceOptions, SqsHandler } from '../../devkit/local-event-source.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../devkit/local-stack.js';
import { describeRequest, type ReceivedRequest } from '../../devkit/webhook-receiver.js';
import type { OutcomeEvent } from '../../lib/watch/index.js';

/** The channels the local receiver stands in for: Slack and a signed generic webhook. */
export const LOCAL_CHANNELS = ['slack', 'webhook'] as const;
/** The generic webhook's signing secret in local stacks (a fixed, public test value). */
export const LOCAL_WEBHOOK_SECRET = `whsec_${Buffer.from('apig-watch demo secret').toString('base64')}`;

export interface LocalWatcherOptions {
  /** The watcher's clock and the simulator's run this many times faster than real time. */
  timeScale: number;
  ports?: LocalStackOptions['ports'];
  /** More `NOTIFY_URLS` entries, `{receiver}` standing for the receiver's URL (e.g. a filtered target). */
  extraTargets?: string[];
  /** More environment for the handlers (e.g. `DISCOVER_PROJECTS`). */
  env?: Record<string, string>;
  /** Called before each invocation of the handler, with its records (e.g. to start a scripted creation). */
  beforeInvocation?: (event: SQSEvent) => void;
  onInvocation?: LocalEventSourceOptions['onInvocation'];
}

/**
 * `npm start` and `npm run local`: the dev kit's local stack with the real poll handler (the
 * packaged `handlers/poll.ts`) under its SQS event source, notifying the receiver as Slack and as a
 * signed webhook. Sets the handlers' environment in this process, as `serverless.yml` does in AWS.
 *
 * @example
 * const stack = await startLocalWatcher({ timeScale: 20 });
 * await stack.aws.sqs.send(new SendMessageCommand({ QueueUrl: stack.aws.queueUrl, MessageBody }));
 * await stack.stop();
 */
export async function startLocalWatcher(options: LocalWatcherOptions): Promise<LocalStack> {
  // A local reader cannot act on the AWS SDK's notice that its 2027 releases need Node 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const stack = await startLocalStack({ timeScale: options.timeScale, ports: options.ports, visibilityTimeoutSeconds: 2 });
  const { receiver } = stack;
  Object.assign(
    process.env,
    stack.env({
      NOTIFY_URLS: [
        ...LOCAL_CHANNELS.map((channel) => `${channel}+${receiver.url}/${channel}`),
        ...(options.extraTargets ?? []).map((entry) => entry.replace('{receiver}', receiver.url)),
      ].join(','),
      WEBHOOK_SECRET: LOCAL_WEBHOOK_SECRET,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...options.env,
    }),
  );
  const { handler } = (await import('../../handlers/poll.js')) as { handler: SqsHandler };
  const before = options.beforeInvocation;
  stack.runHandler(
    before
      ? async (event, context) => {
          before(event);
          return handler(event, context);
        }
      : handler,
    { onInvocation: options.onInvocation },
  );
  return stack;
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
function isWatchEvent(body: unknown): body is OutcomeEvent {
  const { type, data } = (body ?? {}) as Partial<Record<keyof OutcomeEvent, unknown>>;
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
