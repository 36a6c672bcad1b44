import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { LOCAL_CREDENTIALS } from '../devkit/local-aws.js';
import { startLocalStack, type LocalStack } from '../devkit/local-stack.js';
import type { SimulatedGateway } from '../lib/simulator/index.js';
import { startDynamoWriteCounter, type DynamoWriteCounter } from './dynamo-write-counter.js';

export const PROJECT_ID = '0123456789abcdef0123456789abcdef';
const MINUTE_MS = 60_000;

export interface BenchServersOptions {
  /** The watcher and the simulator run this many times faster than real time. */
  timeScale: number;
  /** Where both scaled clocks start (Unix ms, real). */
  originMs: number;
  /** Generic webhook targets, one receiver path each. */
  targets: number;
  rateLimitPerSecond?: number;
  /** Seconds before a record the handler did not finish is delivered again. Default 5. */
  visibilityTimeoutSeconds?: number;
}

/** Where the local servers listen, for the bench's own clients (in this process or another). */
export interface StackEndpoints {
  region: string;
  sqs: string;
  dynamodb: string;
  apig: string;
  queueUrl: string;
  tableName: string;
  /** One URL per notification target (without the `webhook+` prefix). */
  targets: string[];
  /** A queue nothing reads, for the floor's bare `SendMessageBatch` calls. */
  floorQueueUrl: string;
}

/** The dev kit's local stack, measured: DynamoDB writes counted at the database, the handler's environment as deployed. */
export interface BenchServers {
  stack: LocalStack;
  /** Items written to DynamoDB, counted on the database's side of the wire. */
  dynamoWrites: DynamoWriteCounter;
  /** What the poll handler reads (docs/configuration.md's settings), pointing at the local servers. */
  env: Record<string, string>;
  endpoints: StackEndpoints;
  deadLetterDepth(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The dev kit's local stack (devkit/local-stack.ts) with the bench's instruments: a proxy in front
 * of DynamoDB that counts the items written, `targets` generic webhook targets on the receiver, a
 * queue for the floor, and the handler's environment as deployed (log level INFO).
 *
 * @example
 * const servers = await startBenchServers({ timeScale: 60, originMs: Date.now(), targets: 2 });
 * Object.assign(process.env, servers.env);
 */
export async function startBenchServers(options: BenchServersOptions): Promise<BenchServers> {
  const stack = await startLocalStack({
    timeScale: options.timeScale,
    originMs: options.originMs,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    simulator: { rateLimitPerSecond: options.rateLimitPerSecond },
  });
  const { aws, simulator, receiver } = stack;
  const dynamoWrites = await startDynamoWriteCounter(aws.env.AWS_ENDPOINT_URL_DYNAMODB ?? '');
  const { QueueUrl: floorQueueUrl = '' } = await aws.sqs.send(new CreateQueueCommand({ QueueName: 'bench-floor' }));
  const targets = Array.from({ length: options.targets }, (_, index) => `${receiver.url}/target-${index + 1}`);
  return {
    stack,
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
    },
    env: stack.env({
      AWS_ENDPOINT_URL_DYNAMODB: dynamoWrites.url,
      NOTIFY_URLS: targets.map((url) => `webhook+${url}`).join(','),
      WEBHOOK_SECRET: `whsec_${Buffer.from('apig-watch bench secret').toString('base64')}`,
      POWERTOOLS_SERVICE_NAME: 'apig-watch',
      POWERTOOLS_METRICS_NAMESPACE: 'ApigWatch',
      // As deployed (INFO); `BENCH_HANDLER_LOG_LEVEL=ERROR` measures what logging costs.
      POWERTOOLS_LOG_LEVEL: process.env.BENCH_HANDLER_LOG_LEVEL ?? 'INFO',
    }),
    deadLetterDepth: () => aws.depth(aws.deadLetterQueueUrl),
    async stop() {
      await dynamoWrites.close();
      await stack.stop();
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

/** The watch request a producer sends for the `index`-th bench gateway (docs/contracts.md's watch request contract). */
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

/**
 * An SQS event of the watch requests of the bench gateways `indexes`, as Lambda hands it to the handler.
 *
 * @example
 * await handler(sqsEventOf([0, 1, 2]), lambdaContext(60_000));
 */
export function sqsEventOf(indexes: readonly number[], bodyOf: (index: number) => string = watchRequestFor): SQSEvent {
  return {
    Records: indexes.map((index) => ({
      messageId: `bench-${index}`,
      receiptHandle: `bench-${index}`,
      body: bodyOf(index),
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'bench', ApproximateFirstReceiveTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:apig-watch',
      awsRegion: 'us-east-1',
    })),
  };
}
