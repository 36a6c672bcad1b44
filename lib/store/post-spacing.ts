import { ConditionalCheckFailedException, GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { MIN_POST_SPACING_MS, type PostSpacing, type TargetSlots, takeSlot } from '../notify/index.js';
import type { ChannelType } from '../notify/index.js';
import { ITEM_KEY_PREFIXES } from './step-store.js';

/** Reads and writes of one take before it stops contending (other containers kept taking the same target's slots). */
const MAX_TAKE_ATTEMPTS = 8;
/** A target's pace item outlives its last write by this much (its slots mean nothing after a day). */
const PACE_RETENTION_SECONDS = 24 * 3600;

/**
 * Every container's pace of a target in one item of the watch table (`pace#<target id>`: the last
 * post, the first free slot, the slots held by owner, a version): each take reads the item and
 * writes `takeSlot`'s answer back on the condition that the version is still the one read, so
 * two containers never hand out the same slot, and a delivery that comes back in another
 * container finds the slot it holds. Channels without a pace (webhooks, Teams) touch no item.
 *
 * @example
 * const spacing = createDynamoPostSpacing(new DynamoDBClient({}), process.env.WATCH_TABLE_NAME!);
 * await spacing.take(target.id, 'slack', event.id, Date.now()); // → 0: post now, or ms until its slot
 */
export function createDynamoPostSpacing(
  client: DynamoDBClient,
  tableName: string,
  spacingMs: Readonly<Record<ChannelType, number>> = MIN_POST_SPACING_MS,
): PostSpacing {
  // One take per target at a time in this container: its deliveries then never contend with each other for the item.
  const lastTakes = new Map<string, Promise<unknown>>();
  async function takeShared(targetId: string, owner: string, spacing: number, nowMs: number): Promise<number> {
    const key = { pk: { S: `${ITEM_KEY_PREFIXES.pace}${targetId}` } };
    for (let attempt = 1; attempt <= MAX_TAKE_ATTEMPTS; attempt += 1) {
      const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      const version = Number(Item?.version?.N ?? 0);
      const { waitMs, slots } = takeSlot(Item === undefined ? undefined : slotsFrom(Item), owner, spacing, nowMs);
      if (await writeIfVersion(client, tableName, key, slots, version)) return waitMs;
    }
    // Other containers kept taking this target's slots: the pace is busy, so look again a spacing later.
    return spacing;
  }
  return {
    take(targetId, type, owner, nowMs) {
      const spacing = spacingMs[type];
      if (spacing <= 0) return Promise.resolve(0);
      const take = (lastTakes.get(targetId) ?? Promise.resolve()).then(() => takeShared(targetId, owner, spacing, nowMs));
      lastTakes.set(
        targetId,
        take.catch(() => undefined),
      );
      return take;
    },
  };
}

async function writeIfVersion(
  client: DynamoDBClient,
  tableName: string,
  key: Record<string, AttributeValue>,
  slots: TargetSlots,
  version: number,
): Promise<boolean> {
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key,
        UpdateExpression: 'SET last_post_at = :last, next_free_at = :next, held = :held, version = :version, expires_at = :expires',
        ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :seen',
        ExpressionAttributeValues: {
          // No post yet is stored as 0: a spacing after it is long past.
          ':last': { N: String(Number.isFinite(slots.lastPostMs) ? slots.lastPostMs : 0) },
          ':next': { N: String(slots.nextFreeMs) },
          ':held': { M: Object.fromEntries(Object.entries(slots.held).map(([owner, atMs]) => [owner, { N: String(atMs) }])) },
          ':version': { N: String(version + 1) },
          ':expires': { N: String(Math.floor(Date.now() / 1000) + PACE_RETENTION_SECONDS) },
          ...(version === 0 ? {} : { ':seen': { N: String(version) } }),
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

function slotsFrom(item: Record<string, AttributeValue>): TargetSlots {
  return {
    lastPostMs: Number(item.last_post_at?.N ?? 0),
    nextFreeMs: Number(item.next_free_at?.N ?? 0),
    held: Object.fromEntries(Object.entries(item.held?.M ?? {}).map(([owner, value]) => [owner, Number(value.N ?? 0)])),
  };
}
