import { randomBytes } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import dynalite from 'dynalite';
import { interceptLocalhostDns, startFauxqs } from 'fauxqs';
import type { AddressInfo } from 'node:net';

/** Credentials the local emulators accept; never real ones. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOCAL_REGION = 'us-east-1';

export interface LocalAws {
  sqs: SQSClient;
  dynamo: DynamoDBClient;
  queueUrl: string;
  deadLetterQueueUrl: string;
  tableName: string;
  /** The environment the poll handler reads (the same variables `serverless.yml` sets in AWS). */
  env: Record<string, string>;
  /** Messages on a queue: visible, in flight and delayed (fauxqs counts a message until it is deleted). */
  depth(queueUrl: string): Promise<number>;
  stop(): Promise<void>;
}

export interface LocalAwsOptions {
  /** Seconds before a failed record is delivered again; Lambda deployments use 6× the function timeout. */
  visibilityTimeoutSeconds?: number;
  /** Receives before SQS itself moves a message to the dead-letter queue (the redrive policy). */
  maxReceiveCount?: number;
  /** Ports on 127.0.0.1 (default 0: any free port), for a stack other programs talk to. */
  sqsPort?: number;
  dynamoPort?: number;
}

/**
 * Starts SQS (`fauxqs`) and DynamoDB (`dynalite`) on loopback with the queue, dead-letter queue and
 * table that `serverless.yml` creates in AWS. Queue URLs use `*.localhost` hosts, resolved to
 * 127.0.0.1 in this process.
 *
 * @example
 * const aws = await startLocalAws();
 * Object.assign(process.env, aws.env);
 */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const restoreDns = interceptLocalhostDns();
  const fauxqs = await startFauxqs({ port: options.sqsPort ?? 0, logger: false });
  const dlq = fauxqs.createQueue('apig-watch-dlq', { attributes: { MessageRetentionPeriod: '1209600' } });
  const queue = fauxqs.createQueue('apig-watch', {
    attributes: {
      VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 5),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount: String(options.maxReceiveCount ?? 5) }),
    },
  });

  const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamoServer.once('error', reject);
    dynamoServer.listen(options.dynamoPort ?? 0, '127.0.0.1', resolve);
  });
  const dynamoEndpoint = `http://127.0.0.1:${(dynamoServer.address() as AddressInfo).port}`;
  const tableName = 'apig-watch';

  const sqs = new SQSClient({ region: LOCAL_REGION, endpoint: fauxqs.address, credentials: LOCAL_CREDENTIALS });
  const dynamo = new DynamoDBClient({ region: LOCAL_REGION, endpoint: dynamoEndpoint, credentials: LOCAL_CREDENTIALS });
  await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await dynamo
    .send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true } }))
    .catch(() => undefined); // dynalite may not implement TTL; the attribute is written all the same

  return {
    sqs,
    dynamo,
    queueUrl: queue.queueUrl,
    deadLetterQueueUrl: dlq.queueUrl,
    tableName,
    env: {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_SQS: fauxqs.address,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      WATCH_QUEUE_URL: queue.queueUrl,
      DEAD_LETTER_QUEUE_URL: dlq.queueUrl,
      WATCH_TABLE_NAME: tableName,
      // A fresh key per local stack, as serverless.yml generates one per deployment.
      STATE_SIGNING_KEY: randomBytes(32).toString('base64url'),
    },
    async depth(queueUrl) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      return Object.values(Attributes).reduce((sum, value) => sum + Number(value), 0);
    },
    async stop() {
      sqs.destroy();
      dynamo.destroy();
      await fauxqs.stop();
      await new Promise<void>((resolve) => dynamoServer.close(() => resolve()));
      restoreDns();
    },
  };
}
