import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { startApigSimulator, type ApigSimulator, type SimulatedGateway, type SimulatedRequest, type SimulatorOptions } from '../../lib/dev/apig-simulator.js';
import { startLocalAws, type LocalAws } from '../../lib/dev/local-aws.js';
import { startLocalEventSource, type LocalEventSource, type SqsHandler } from '../../lib/dev/local-event-source.js';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../../lib/dev/webhook-receiver.js';
import type { Clock, WatchPorts } from '../../lib/watch/ports.js';
import { scaledClock } from '../../lib/runtime/time-scale.js';
import { createWatcher, type Watcher } from '../../lib/runtime/watcher.js';
import type { WatchEvent } from '../../lib/watch/notification-event.js';
import { DEFAULT_FUNCTION_TIMEOUT_MS, DEFAULT_VISIBILITY_TIMEOUT_SECONDS, DEFAULT_WAIT_MS } from './budgets.js';
import { PROJECT_ID } from './factories.js';
import { recordingLog, recordingMetrics } from './fakes.js';

/**
 * The whole watcher on loopback, as `npm start` wires it: fauxqs and dynalite (queue, dead-letter
 * queue, step table), the Huawei APIG simulator, a webhook receiver, and the watcher driven by a
 * local event source. Time runs `timeScale`× faster for the watcher and the simulator alike, so a
 * six-minute creation takes a few seconds. Nothing is mocked: every call crosses a socket.
 */

export const MINUTE_MS = 60_000;
/** 1 s of real time is 2 min of simulated time: every poll and retry delay becomes 1 s (SQS's unit). */
export const DEFAULT_TIME_SCALE = 120;
export { DEFAULT_FUNCTION_TIMEOUT_MS, DEFAULT_VISIBILITY_TIMEOUT_SECONDS, DEFAULT_WAIT_MS } from './budgets.js';
/** The simulator's default AK/SK pair (`SIMULATOR_DEFAULT_CREDENTIALS`). */
export const SIMULATOR_AK = 'SIMULATORACCESSKEY00';
export const SIMULATOR_SK = 'simulator-secret-key';
/** A Standard Webhooks secret (`whsec_` + base64). */
export const PIPELINE_WEBHOOK_SECRET = `whsec_${Buffer.from('apig-watch pipeline secret').toString('base64')}`;

export interface PipelineOptions {
  /** Default `DEFAULT_TIME_SCALE`. */
  timeScale?: number;
  /** Seconds before a record the handler did not finish is delivered again. Default `DEFAULT_VISIBILITY_TIMEOUT_SECONDS`. */
  visibilityTimeoutSeconds?: number;
  /** Receives before SQS itself moves a message to the dead-letter queue. Default 5. */
  maxReceiveCount?: number;
  simulator?: Omit<SimulatorOptions, 'now' | 'port'>;
}

/** One invocation of the handler by the local event source. */
export interface Invocation {
  records: { messageId: string; body: string }[];
  failedMessageIds: string[];
  error?: unknown;
}

export interface RunOptions {
  batchSize?: number;
  concurrency?: number;
  /** What the handler is told through `getRemainingTimeInMillis()`. Default `DEFAULT_FUNCTION_TIMEOUT_MS`. */
  functionTimeoutMs?: number;
}

/** A handler running under the local event source, with what it was given and answered. */
export interface Run {
  invocations: Invocation[];
  /** Every record body the handler was given, in order. */
  bodies(): string[];
}

export interface DeadLetter {
  body: string;
  reason: string | undefined;
}

/** Environment overrides; `undefined` removes a variable. */
export type EnvOverrides = Record<string, string | undefined>;

export interface Pipeline {
  aws: LocalAws;
  simulator: ApigSimulator;
  receiver: WebhookReceiver;
  timeScale: number;
  /** The clock the watcher and the simulator share. */
  clock: Clock;
  /** The watcher's environment: local AWS, the simulator as APIG and IAM, AK/SK, the time scale. */
  env(overrides?: EnvOverrides): Record<string, string>;
  /** A watcher built by `createWatcher(env, …)` with a recording log and metrics, and a handler over it. */
  watcher(overrides?: EnvOverrides, adaptPorts?: (ports: WatchPorts) => WatchPorts): TestWatcher;
  /** Starts the local event source (Lambda's SQS trigger) on the watch queue with `handler`. */
  run(handler: SqsHandler, options?: RunOptions): Run;
  /** Sends bodies to the watch queue (objects as JSON) in batches of 10; returns the message ids. */
  send(...bodies: Array<string | object>): Promise<string[]>;
  /** Reads the dead-letter queue until it has given `count` messages or `timeoutMs` has passed (at least once). */
  deadLetters(count: number, timeoutMs?: number): Promise<DeadLetter[]>;
  /** Messages on the watch queue: visible, in flight and delayed. */
  queueDepth(): Promise<number>;
  /** Resolves once the watch queue is empty and no invocation is running. */
  waitForQuiet(timeoutMs?: number): Promise<void>;
  /** Resolves with the requests to `path` once there are at least `count`. */
  waitForPosts(path: string, count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Progress requests the simulator received for one instance. */
  progressRequests(instanceId: string): SimulatedRequest[];
  /** Resolves with the progress requests for one instance once there are at least `count`. */
  waitForProgressRequests(instanceId: string, count: number, timeoutMs?: number): Promise<SimulatedRequest[]>;
  /** Adds a gateway of `PROJECT_ID` to the simulator. */
  addGateway(instanceId: string, spec: Omit<SimulatedGateway, 'projectId' | 'instanceId'>): void;
  stop(): Promise<void>;
}

export interface TestWatcher {
  watcher: Watcher;
  handler: SqsHandler;
  log: ReturnType<typeof recordingLog>;
  metrics: ReturnType<typeof recordingMetrics>;
}

/**
 * Starts every component on loopback. Points `process.env` at the local AWS endpoints (the SDK
 * clients the watcher builds read them there) until `stop()`.
 *
 * @example
 * const pipeline = await startPipeline();
 * pipeline.addGateway(instanceId, { steps: [{ atMs: 0, progress: 30 }], finish: { atMs: 6 * MINUTE_MS, status: 'success' } });
 * pipeline.run(pipeline.watcher({ NOTIFY_URLS: `webhook+${pipeline.receiver.url}/hook` }).handler);
 * await pipeline.send(watchRequestBody({ instance_id: instanceId }));
 * const [post] = await pipeline.waitForPosts('/hook', 1);
 * await pipeline.stop();
 */
export async function startPipeline(options: PipelineOptions = {}): Promise<Pipeline> {
  const timeScale = options.timeScale ?? DEFAULT_TIME_SCALE;
  const originMs = Date.now();
  const clock = scaledClock(timeScale, originMs);
  const savedEnv = { ...process.env };
  const aws = await startLocalAws({
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
    maxReceiveCount: options.maxReceiveCount ?? 5,
  });
  const simulator = await startApigSimulator({ ...options.simulator, now: clock.now });
  const receiver = await startWebhookReceiver();
  Object.assign(process.env, aws.env);
  const sources: LocalEventSource[] = [];
  let running = 0;

  const env = (overrides: EnvOverrides = {}): Record<string, string> => {
    const merged: EnvOverrides = {
      ...aws.env,
      APIG_ENDPOINT: simulator.url,
      IAM_ENDPOINT: simulator.url,
      HUAWEICLOUD_SDK_AK: SIMULATOR_AK,
      HUAWEICLOUD_SDK_SK: SIMULATOR_SK,
      APIG_WATCH_TIME_SCALE: String(timeScale),
      APIG_WATCH_TIME_ORIGIN_MS: String(originMs),
      ...overrides,
    };
    return Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined));
  };

  const queueDepth = async (): Promise<number> => {
    const { Attributes = {} } = await aws.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: aws.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    return Object.values(Attributes).reduce((sum, value) => sum + Number(value), 0);
  };

  const progressRequests = (instanceId: string): SimulatedRequest[] =>
    simulator.requests.filter((request) => request.path.includes(`/instances/${instanceId}/`));

  return {
    aws,
    simulator,
    receiver,
    timeScale,
    clock,
    env,

    watcher(overrides = {}, adaptPorts) {
      const log = recordingLog();
      const metrics = recordingMetrics();
      const watcher = createWatcher(env(overrides), { log, metrics, ...(adaptPorts ? { adaptPorts } : {}) });
      return { watcher, log, metrics, handler: handlerOver(watcher) };
    },

    run(handler, runOptions = {}) {
      const invocations: Invocation[] = [];
      const counted: SqsHandler = async (event, context) => {
        running += 1;
        try {
          return await handler(event, context);
        } finally {
          running -= 1;
        }
      };
      const source = startLocalEventSource({
        sqs: aws.sqs,
        queueUrl: aws.queueUrl,
        handler: counted,
        batchSize: runOptions.batchSize ?? 10,
        concurrency: runOptions.concurrency ?? 2,
        functionTimeoutMs: runOptions.functionTimeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS,
        onInvocation: (event: SQSEvent, response: SQSBatchResponse | void, error?: unknown) => {
          invocations.push({
            records: event.Records.map(({ messageId, body }) => ({ messageId, body })),
            failedMessageIds: error ? event.Records.map((record) => record.messageId) : (response?.batchItemFailures ?? []).map((f) => f.itemIdentifier),
            ...(error === undefined ? {} : { error }),
          });
        },
      });
      sources.push(source);
      return { invocations, bodies: () => invocations.flatMap((invocation) => invocation.records.map((record) => record.body)) };
    },

    async send(...bodies) {
      const ids: string[] = [];
      for (let start = 0; start < bodies.length; start += 10) {
        const chunk = bodies.slice(start, start + 10);
        const { Successful = [], Failed = [] } = await aws.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: aws.queueUrl,
            Entries: chunk.map((body, index) => ({ Id: String(index), MessageBody: typeof body === 'string' ? body : JSON.stringify(body) })),
          }),
        );
        if (Failed.length > 0) throw new Error(`SendMessageBatch refused ${Failed.length} message(s): ${JSON.stringify(Failed)}`);
        ids.push(...Successful.sort((a, b) => Number(a.Id) - Number(b.Id)).map((entry) => entry.MessageId ?? ''));
      }
      return ids;
    },

    async deadLetters(count, timeoutMs = DEFAULT_WAIT_MS) {
      const letters: DeadLetter[] = [];
      const deadline = Date.now() + timeoutMs;
      do {
        const { Messages = [] } = await aws.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: aws.deadLetterQueueUrl,
            MaxNumberOfMessages: 10,
            // Long-poll only while letters are still expected: `deadLetters(0, 0)` looks once.
            WaitTimeSeconds: count > letters.length ? 1 : 0,
            MessageAttributeNames: ['All'],
            VisibilityTimeout: 600,
          }),
        );
        letters.push(...Messages.map((message) => ({ body: message.Body ?? '', reason: message.MessageAttributes?.reason?.StringValue })));
      } while (letters.length < count && Date.now() < deadline);
      return letters;
    },

    queueDepth,

    async waitForQuiet(timeoutMs = DEFAULT_WAIT_MS) {
      // One look is enough: fauxqs counts a message until it is deleted (delayed, visible or in
      // flight, including a failed record waiting to come back), and the event source holds what it
      // received in flight until the handler has returned. So once nothing is on the queue and no
      // invocation runs, nothing can start again.
      const deadline = Date.now() + timeoutMs;
      while (running > 0 || (await queueDepth()) > 0) {
        if (Date.now() >= deadline) {
          throw new Error(`the watch queue did not fall quiet within ${timeoutMs} ms (${await queueDepth()} message(s), ${running} invocation(s) running)`);
        }
        await sleep(50);
      }
    },

    async waitForPosts(path, count, timeoutMs = DEFAULT_WAIT_MS) {
      await receiver
        .waitFor((request) => request.path === path && receiver.received(path).length >= count, timeoutMs)
        .catch(() => {
          throw new Error(`expected ${count} post(s) to ${path} within ${timeoutMs} ms, got ${receiver.received(path).length}`);
        });
      return receiver.received(path);
    },

    progressRequests,

    async waitForProgressRequests(instanceId, count, timeoutMs = DEFAULT_WAIT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (progressRequests(instanceId).length < count) {
        if (Date.now() >= deadline) throw new Error(`expected ${count} progress request(s) for ${instanceId} within ${timeoutMs} ms`);
        await sleep(20);
      }
      return progressRequests(instanceId);
    },

    addGateway(instanceId, spec) {
      simulator.addGateway({ projectId: PROJECT_ID, instanceId, ...spec });
    },

    async stop() {
      for (const source of sources) source.stop();
      await Promise.all(sources.map((source) => source.done.catch(() => undefined)));
      await Promise.all([simulator.close(), receiver.close()]);
      await aws.stop();
      process.env = savedEnv;
    },
  };
}

/** The handler the packaged function exports, over a watcher: records in, batch-item failures out. */
export function handlerOver(watcher: Watcher): SqsHandler {
  return async (event, context) => {
    const { failedMessageIds } = await watcher.processBatch(event.Records, Date.now() + context.getRemainingTimeInMillis());
    return { batchItemFailures: failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** Two generic webhook targets on the receiver: the exactly-once and fault-matrix tests count posts per target. */
export const TWO_TARGET_PATHS = ['/hooks/first', '/hooks/second'] as const;

/** A creation that shows 30 %, then 80 % after 2 minutes, and succeeds after 3: a chain of a few steps. */
export const THREE_STEP_CREATION = {
  steps: [
    { atMs: 0, progress: 30 },
    { atMs: 2 * MINUTE_MS, progress: 80 },
  ],
  finish: { atMs: 3 * MINUTE_MS, status: 'success' as const },
};

/**
 * Waits until every one of `paths` has at least `atLeast` posts about `instanceId` and the queue is
 * quiet; returns those posts per path, in the order of `paths`.
 */
export async function settledPosts(pipeline: Pipeline, instanceId: string, paths: readonly string[], atLeast = 1): Promise<ReceivedRequest[][]> {
  const about = (request: ReceivedRequest) => webhookEvent(request).data.instance_id === instanceId;
  for (const path of paths) {
    await pipeline.receiver.waitFor((request) => request.path === path && pipeline.receiver.received(path).filter(about).length >= atLeast, DEFAULT_WAIT_MS);
  }
  await pipeline.waitForQuiet();
  return paths.map((path) => pipeline.receiver.received(path).filter(about));
}

/** The generic webhook event a receiver got. */
export function webhookEvent(request: ReceivedRequest): WatchEvent {
  return request.body as WatchEvent;
}

/** The Slack fallback text a receiver got. */
export function slackText(request: ReceivedRequest): string {
  return (request.body as { text: string }).text;
}

/** A distinct, valid Huawei instance id (32 lowercase hex characters). */
export function instanceIdFor(n: number): string {
  return n.toString(16).padStart(32, 'e');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
