import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startApigSimulator, type ApigSimulator, type SimulatedGateway } from '../lib/dev/apig-simulator.js';
import { startLocalAws, type LocalAws } from '../lib/dev/local-aws.js';
import { startDynamoWriteCounter, type DynamoWriteCounter } from './dynamo-write-counter.js';
import { startWebhookReceiver, type WebhookReceiver } from '../lib/dev/webhook-receiver.js';
import { scaledClock } from '../lib/runtime/time-scale.js';

/** The simulator's default AK/SK pair: the pipeline signs its requests, as deployments do by default. */
export const SIMULATOR_ACCESS_KEY = 'SIMULATORACCESSKEY00';
export const SIMULATOR_SECRET_KEY = 'simulator-secret-key';
export const PROJECT_ID = '0123456789abcdef0123456789abcdef';
/** What fauxqs and dynalite accept; never real credentials. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const MINUTE_MS = 60_000;

export interface StackOptions {
  /** The watcher and the simulator run this many times faster than real time. */
  timeScale: number;
  /** Where both scaled clocks start (Unix ms, real). */
  originMs: number;
  /** Generic webhook targets, one receiver path each. */
  targets: number;
  rateLimitPerSecond?: number;
  visibilityTimeoutSeconds?: number;
}

/** Where the local servers listen, for the bench's own clients. */
export interface StackEndpoints {
  region: string;
  sqs: string;
  dynamodb: string;
  apig: string;
  queueUrl: string;
  tableName: string;
  /** One URL per notification target (without the `webhook+` prefix). */
  targets: string[];
  /** A queue nothing reads, for bare `SendMessageBatch` calls. */
  floorQueueUrl: string;
  /** The bare pipeline's own watch queue (the timeline-matched floor). */
  bareQueueUrl: string;
}

/** fauxqs, dynalite, the APIG simulator and a webhook receiver on loopback, with the handler's environment. */
export interface LocalStack {
  aws: LocalAws;
  simulator: ApigSimulator;
  receiver: WebhookReceiver;
  /** Items written to DynamoDB, counted on the database's side of the wire. */
  dynamoWrites: DynamoWriteCounter;
  /** What the poll handler reads (the README's settings), pointing at the local servers. */
  env: Record<string, string>;
  endpoints: StackEndpoints;
  deadLetterDepth(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the local stack. The handler's own clock and the simulator's run `timeScale` times faster
 * from `originMs`, so minutes of creation take seconds.
 *
 * @example
 * const stack = await startLocalStack({ timeScale: 60, originMs: Date.now(), targets: 2 });
 * Object.assign(process.env, stack.env);
 */
export async function startLocalStack(options: StackOptions): Promise<LocalStack> {
  const aws = await startLocalAws({ visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 5 });
  const simulator = await startApigSimulator({
    now: scaledClock(options.timeScale, options.originMs).now,
    rateLimitPerSecond: options.rateLimitPerSecond,
  });
  const receiver = await startWebhookReceiver();
  const dynamoWrites = await startDynamoWriteCounter(aws.env.AWS_ENDPOINT_URL_DYNAMODB ?? '');
  const { QueueUrl: floorQueueUrl = '' } = await aws.sqs.send(new CreateQueueCommand({ QueueName: 'bench-floor' }));
  const { QueueUrl: bareQueueUrl = '' } = await aws.sqs.send(new CreateQueueCommand({ QueueName: 'bench-bare', Attributes: { VisibilityTimeout: '5' } }));
  const targets = Array.from({ length: options.targets }, (_, index) => `${receiver.url}/target-${index + 1}`);
  return {
    aws,
    simulator,
    receiver,
    dynamoWrites,
    endpoints: {
      region: aws.env.AWS_REGION ?? 'us-east-1',
      sqs: aws.env.AWS_ENDPOINT_URL_SQS ?? '',
      dynamodb: dynamoWrites.url,
      apig: simulator.url,
      queueUrl: aws.queueUrl,
      tableName: aws.tableName,
      targets,
      floorQueueUrl,
      bareQueueUrl,
    },
    env: {
      ...aws.env,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoWrites.url,
      NOTIFY_URLS: targets.map((url) => `webhook+${url}`).join(','),
      WEBHOOK_SECRET: `whsec_${Buffer.from('apig-watch bench secret').toString('base64')}`,
      HUAWEICLOUD_SDK_AK: SIMULATOR_ACCESS_KEY,
      HUAWEICLOUD_SDK_SK: SIMULATOR_SECRET_KEY,
      APIG_ENDPOINT: simulator.url,
      IAM_ENDPOINT: simulator.url,
      APIG_WATCH_TIME_SCALE: String(options.timeScale),
      APIG_WATCH_TIME_ORIGIN_MS: String(options.originMs),
      POWERTOOLS_SERVICE_NAME: 'apig-watch',
      POWERTOOLS_METRICS_NAMESPACE: 'ApigWatch',
      // As deployed (INFO); `BENCH_HANDLER_LOG_LEVEL=ERROR` measures what logging costs.
      POWERTOOLS_LOG_LEVEL: process.env.BENCH_HANDLER_LOG_LEVEL ?? 'INFO',
    },
    async deadLetterDepth() {
      const { Attributes } = await aws.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: aws.deadLetterQueueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      return Object.values(Attributes ?? {}).reduce((sum, value) => sum + Number(value), 0);
    },
    async stop() {
      await Promise.all([simulator.close(), receiver.close(), dynamoWrites.close()]);
      await aws.stop();
    },
  };
}

/**
 * Short creations for the pipeline items: `count` gateways of 4 to 5 simulated minutes from when
 * they are added, progress at its nominal share of the time, one in eight failing at 60 %.
 *
 * @example
 * for (const gateway of shortCreations(300)) simulator.addGateway(gateway);
 */
export function shortCreations(count: number, firstIndex = 0): SimulatedGateway[] {
  return Array.from({ length: count }, (_, position) => {
    const index = firstIndex + position;
    const durationMs = (4 + (position % 3) * 0.5) * MINUTE_MS;
    const fails = position % 8 === 7;
    const steps = [30, 50, 80, 90].map((progress) => ({ atMs: (durationMs * progress) / 100, progress }));
    return {
      projectId: PROJECT_ID,
      instanceId: instanceIdFor(index),
      steps: fails ? steps.filter((step) => step.atMs < 0.6 * durationMs) : steps,
      finish: fails ? { atMs: 0.6 * durationMs, status: 'failed', errorCode: 'APIC.9218' } : { atMs: durationMs, status: 'success' },
    };
  });
}

/** The instance id of the `index`-th bench gateway (32 hex digits). */
export function instanceIdFor(index: number): string {
  return `c${(index + 1).toString(16).padStart(31, '0')}`;
}

/** The watch request a producer sends for the `index`-th bench gateway (the README's watch request contract). */
export function watchRequestFor(index: number): string {
  return JSON.stringify({ project_id: PROJECT_ID, instance_id: instanceIdFor(index), region: 'ap-southeast-1', instance_name: `bench-${index + 1}` });
}

/** An SQS client for the local queues (the event source's, the producer's, the floor's). */
export function localSqsClient(endpoints: StackEndpoints): SQSClient {
  return new SQSClient({ region: endpoints.region, endpoint: endpoints.sqs, credentials: LOCAL_CREDENTIALS, useQueueUrlAsEndpoint: false });
}

/** Sends the watch requests of the first `count` bench gateways, as a producer would, 10 per call. */
export async function sendWatchRequests(sqs: SQSClient, queueUrl: string, count: number, firstIndex = 0): Promise<void> {
  for (let start = firstIndex; start < firstIndex + count; start += 10) {
    const indexes = Array.from({ length: Math.min(10, firstIndex + count - start) }, (_, i) => start + i);
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: indexes.map((i) => ({ Id: String(i), MessageBody: watchRequestFor(i) })) }));
  }
}
