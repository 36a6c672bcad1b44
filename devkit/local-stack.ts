import { scaledClock } from '../lib/runtime/time-scale.js';
import { SIMULATOR_AKSK, startApigSimulator, type ApigSimulator, type SimulatorOptions } from '../lib/simulator/index.js';
import type { Clock } from '../lib/watch/index.js';
import { startLocalAws, type LocalAws } from './local-aws.js';
import { startLocalEventSource, type LocalEventSource, type LocalEventSourceOptions, type SqsHandler } from './local-event-source.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

export interface LocalStackOptions {
  /** The watcher's clock and the simulator's run this many times faster than real time. Default 1. */
  timeScale?: number;
  /** Where both scaled clocks start (Unix ms, real). Default: now. */
  originMs?: number;
  /** Ports on 127.0.0.1; 0 or absent: any free port. */
  ports?: { sqs?: number; dynamodb?: number; apig?: number; receiver?: number };
  /** Seconds before a record the handler did not finish is delivered again (Lambda deployments use 6× the function timeout). Default 5. */
  visibilityTimeoutSeconds?: number;
  /** Receives before SQS itself moves a message to the dead-letter queue. Default 5. */
  maxReceiveCount?: number;
  /** The simulator's own options (credentials, rate limit, …); its clock is the stack's. */
  simulator?: Omit<SimulatorOptions, 'now' | 'port'>;
}

/** Environment overrides; `undefined` removes a variable. */
export type EnvOverrides = Record<string, string | undefined>;

/** Everything the watcher talks to, on loopback. */
export interface LocalStack {
  aws: LocalAws;
  simulator: ApigSimulator;
  receiver: WebhookReceiver;
  timeScale: number;
  originMs: number;
  /** The clock the watcher and the simulator share. */
  clock: Clock;
  /**
   * The handlers' environment, as `serverless.yml` sets it in AWS: the local queues and table, the
   * simulator as APIG and IAM with its AK/SK, the time scale; then `overrides`.
   */
  env(overrides?: EnvOverrides): Record<string, string>;
  /** Plays Lambda's SQS trigger: `handler` under a local event source on the watch queue, until `stop()`. */
  runHandler(handler: SqsHandler, options?: Omit<LocalEventSourceOptions, 'sqs' | 'queueUrl' | 'handler'>): LocalEventSource;
  /** Stops the event sources (letting their invocations finish), then every server. */
  stop(): Promise<void>;
}

/**
 * The one local stack of `npm start`, `npm run local`, the bench and the integration tests:
 * fauxqs (SQS) and dynalite (DynamoDB) with the queue, dead-letter queue and table `serverless.yml`
 * creates, the Huawei APIG simulator (AK/SK signatures checked) and a webhook receiver. Time runs
 * `timeScale`× faster for the watcher and the simulator alike, so a six-minute creation takes
 * seconds. Nothing is mocked: every call crosses a socket.
 *
 * @example
 * const stack = await startLocalStack({ timeScale: 20 });
 * Object.assign(process.env, stack.env({ NOTIFY_URLS: `webhook+${stack.receiver.url}/hook` }));
 * const { handler } = await import('../handlers/poll.js');
 * stack.runHandler(handler);
 * await stack.stop();
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const timeScale = options.timeScale ?? 1;
  const originMs = options.originMs ?? Date.now();
  const clock = scaledClock(timeScale, originMs);
  const ports = options.ports ?? {};
  const aws = await startLocalAws({
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    maxReceiveCount: options.maxReceiveCount,
    sqsPort: ports.sqs,
    dynamoPort: ports.dynamodb,
  });
  const simulator = await startApigSimulator({ ...options.simulator, now: clock.now, port: ports.apig });
  const receiver = await startWebhookReceiver({ port: ports.receiver });
  const sources: LocalEventSource[] = [];

  return {
    aws,
    simulator,
    receiver,
    timeScale,
    originMs,
    clock,
    env(overrides = {}) {
      const merged: EnvOverrides = {
        ...aws.env,
        APIG_ENDPOINT: simulator.url,
        IAM_ENDPOINT: simulator.url,
        HUAWEICLOUD_SDK_AK: SIMULATOR_AKSK.accessKey,
        HUAWEICLOUD_SDK_SK: SIMULATOR_AKSK.secretKey,
        APIG_WATCH_TIME_SCALE: String(timeScale),
        APIG_WATCH_TIME_ORIGIN_MS: String(originMs),
        ...overrides,
      };
      return Object.fromEntries(Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined));
    },
    runHandler(handler, sourceOptions = {}) {
      const source = startLocalEventSource({ ...sourceOptions, sqs: aws.sqs, queueUrl: aws.queueUrl, handler });
      sources.push(source);
      return source;
    },
    async stop() {
      for (const source of sources) source.stop();
      await Promise.all(sources.map((source) => source.done.catch(() => undefined)));
      await Promise.all([simulator.close(), receiver.close()]);
      await aws.stop();
    },
  };
}
