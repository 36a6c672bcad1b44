import { ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { LocalAws } from '../../devkit/local-aws.js';
import type { SqsHandler } from '../../devkit/local-event-source.js';
import { startLocalStack, type EnvOverrides } from '../../devkit/local-stack.js';
import type { ReceivedRequest, WebhookReceiver } from '../../devkit/webhook-receiver.js';
import { SIMULATOR_AKSK, type ApigSimulator, type SimulatedGateway, type SimulatedRequest, type SimulatorOptions } from '../../lib/simulator/index.js';
import type { OutcomeEvent } from '../../lib/watch/events.js';
import type { WatchPorts } from '../../lib/watch/step-context.js';
import type { Clock } from '../../lib/watch/ports/observability.js';
import { createWatcher, type Watcher } from '../../lib/runtime/watcher.js';
import { DEFAULT_FUNCTION_TIMEOUT_MS, DEFAULT_VISIBILITY_TIMEOUT_SECONDS, DEFAULT_WAIT_MS } from './budgets.js';
import { PROJECT_ID } from './factories.js';
import { recordingLog, recordingMetrics } from './fakes.js';

/**
 * The integration tests' harness over the dev kit's local stack (devkit/local-stack.ts, the one
 * `npm start` runs): watchers built by `createWatcher` with a recording log and metrics, driven by
 * local event sources, and the waits the tests make on the queue, the receiver and the simulator.
 */

export const MINUTE_MS = 60_000;
/** 1 s of real time is 2 min of simulated time: every poll and retry delay becomes 1 s (SQS's unit). */
export const DEFAULT_TIME_SCALE = 120;
export { DEFAULT_FUNCTION_TIMEOUT_MS, DEFAULT_VISIBILITY_TIMEOUT_SECONDS, DEFAULT_WAIT_MS } from './budgets.js';
/** The simulator's default AK/SK pair (`SIMULATOR_AKSK`). */
export const SIMULATOR_AK = SIMULATOR_AKSK.accessKey;
export const SIMULATOR_SK = SIMULATOR_AKSK.secretKey;
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

export type { EnvOverrides } from '../../devkit/local-stack.js';

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
  const savedEnv = { ...process.env };
  const stack = await startLocalStack({
    timeScale,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? DEFAULT_VISIBILITY_TIMEOUT_SECONDS,
    maxReceiveCount: options.maxReceiveCount ?? 5,
    simulator: options.simulator,
  });
  const { aws, simulator, receiver, clock, env } = stack;
  Object.assign(process.env, aws.env);
  let running = 0;

  const queueDepth = () => aws.depth(aws.queueUrl);

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
      stack.runHandler(counted, {
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
      await stack.stop();
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
export function webhookEvent(request: ReceivedRequest): OutcomeEvent {
  return request.body as OutcomeEvent;
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
