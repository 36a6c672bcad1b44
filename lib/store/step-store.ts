import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';

/** Identifies one step of one watch (DESIGN §1, rule 1): never the SQS `messageId`. */
export interface StepKey {
  watchId: string;
  step: number;
}

/** The recorded result of a step, replayed whenever the step is seen again (DESIGN §1, rule 2). */
export type StepDecision =
  | { kind: 'successor'; body: string; delaySeconds: number }
  | { kind: 'terminal'; event: string };

export type ClaimResult =
  /** This attempt holds the step; `decision` is set when an earlier attempt already decided it. */
  | { status: 'claimed'; lease: string; decision: StepDecision | null }
  /** The step is complete: a duplicate, to be dropped. */
  | { status: 'done' }
  /** Another attempt holds the step right now: try again later (never drop it: that one may fail). */
  | { status: 'busy' };

/** The port through which the use case makes processing idempotent. */
export interface StepStore {
  claim(key: StepKey, leaseUntilMs: number, nowMs: number): Promise<ClaimResult>;
  recordDecision(key: StepKey, lease: string, decision: StepDecision): Promise<void>;
  complete(key: StepKey, lease: string): Promise<void>;
  /** Ids of the targets already settled (delivered, or refused for good) for one outcome event. */
  settledTargets(eventId: string): Promise<Set<string>>;
  recordSettled(eventId: string, targetId: string): Promise<void>;
}

/** Raised when a lease was lost to another attempt: the step must be retried, not completed. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/** How long records outlive their watch: long enough to drop any late duplicate. */
export const RECORD_RETENTION_SECONDS = 3 * 24 * 3600;

/**
 * Step and delivery records in one DynamoDB table (partition key `pk`, TTL on `expires_at`),
 * written with conditional updates so that concurrent or repeated attempts never both act.
 *
 * @example
 * const store = createDynamoStepStore(new DynamoDBClient({}), process.env.WATCH_TABLE_NAME!);
 */
export function createDynamoStepStore(client: DynamoDBClient, tableName: string, retentionSeconds = RECORD_RETENTION_SECONDS): StepStore {
  const stepKey = ({ watchId, step }: StepKey) => ({ pk: { S: `step#${watchId}#${step}` } });
  const expiresAt = (nowMs: number) => ({ N: String(Math.floor(nowMs / 1000) + retentionSeconds) });

  async function readStep(key: StepKey) {
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: stepKey(key), ConsistentRead: true }));
    return Item;
  }

  return {
    async claim(key, leaseUntilMs, nowMs) {
      const lease = randomUUID();
      try {
        const { Attributes } = await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: stepKey(key),
            UpdateExpression: 'SET lease = :lease, lease_until = :until, expires_at = :expires',
            ConditionExpression: 'attribute_not_exists(pk) OR (attribute_not_exists(done_at) AND lease_until < :now)',
            ExpressionAttributeValues: {
              ':lease': { S: lease },
              ':until': { N: String(leaseUntilMs) },
              ':now': { N: String(nowMs) },
              ':expires': expiresAt(nowMs),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        const decision = Attributes?.decision?.S;
        return { status: 'claimed', lease, decision: decision ? (JSON.parse(decision) as StepDecision) : null };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const item = await readStep(key);
        return item?.done_at ? { status: 'done' } : { status: 'busy' };
      }
    },

    async recordDecision(key, lease, decision) {
      await updateHoldingLease(key, lease, 'SET decision = :decision', { ':decision': { S: JSON.stringify(decision) } });
    },

    async complete(key, lease) {
      await updateHoldingLease(key, lease, 'SET done_at = :done REMOVE lease_until', { ':done': { N: String(Date.now()) } });
    },

    async settledTargets(eventId) {
      const { Item } = await client.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: `delivery#${eventId}` } }, ConsistentRead: true }),
      );
      return new Set(Item?.settled?.SS ?? []);
    },

    async recordSettled(eventId, targetId) {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: { S: `delivery#${eventId}` } },
          UpdateExpression: 'ADD settled :target SET expires_at = :expires',
          ExpressionAttributeValues: { ':target': { SS: [targetId] }, ':expires': expiresAt(Date.now()) },
        }),
      );
    },
  };

  async function updateHoldingLease(key: StepKey, lease: string, update: string, values: Record<string, { S: string } | { N: string }>) {
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: stepKey(key),
          UpdateExpression: update,
          ConditionExpression: 'lease = :lease',
          ExpressionAttributeValues: { ':lease': { S: lease }, ...values },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new LeaseLostError(`step ${key.step} of ${key.watchId} was taken over by another attempt`);
      }
      throw error;
    }
  }
}
