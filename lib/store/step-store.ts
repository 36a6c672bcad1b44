import { ConditionalCheckFailedException, GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type NotificationEvent,
  type OutcomeEvent,
  notificationEventSchema,
  outcomeEventSchema,
  type GatewayWatch,
  type StepKey,
  type StepRecord,
  type StepStore,
  RECORD_RETENTION_SECONDS,
} from '../watch/index.js';

/**
 * How each kind of item's partition key starts: `gateway#<gateway key>`, `step#<watch id>#<step>`,
 * `delivery#<event id>` (read back by lib/store/watch-listing.ts), `pace#<target id>`
 * (lib/store/post-spacing.ts).
 */
export const ITEM_KEY_PREFIXES = { gateway: 'gateway#', step: 'step#', delivery: 'delivery#', pace: 'pace#' } as const;

/**
 * Step, gateway and delivery records in one DynamoDB table (partition key `pk`, TTL on
 * `expires_at`), each decision written once with a conditional write. A gateway's record keeps
 * the ids of every watch started on it (`watch_ids`), so no watch starts twice; a delivery record
 * keeps the settled targets (`settled`) and each live claim's expiry (`claim_<target id>`).
 * Claims are on `now` (the wall clock; tests pass their own).
 *
 * @example
 * const store = createDynamoStepStore(new DynamoDBClient({}), process.env.WATCH_TABLE_NAME!);
 */
export function createDynamoStepStore(
  client: DynamoDBClient,
  tableName: string,
  retentionSeconds = RECORD_RETENTION_SECONDS,
  now: () => number = Date.now,
): StepStore {
  const stepKey = ({ watchId, step }: StepKey) => ({ pk: { S: `${ITEM_KEY_PREFIXES.step}${watchId}#${step}` } });
  const gatewayKeyOf = (gatewayKey: string) => ({ pk: { S: `${ITEM_KEY_PREFIXES.gateway}${gatewayKey}` } });
  const deliveryKey = (eventId: string) => ({ pk: { S: `${ITEM_KEY_PREFIXES.delivery}${eventId}` } });
  const claimName = (targetId: string) => `claim_${targetId}`;
  const expiresAt = () => ({ N: String(Math.floor(Date.now() / 1000) + retentionSeconds) });

  async function read(key: Record<string, AttributeValue>) {
    const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return Item;
  }

  /**
   * Writes `attributes` to the item at `key` (creating it) if `condition` holds, removing `remove`
   * and adding `add`'s elements to those sets: `true` when written, `false` when the condition
   * failed. An UpdateItem, so the function needs no PutItem grant. The condition may name the
   * attributes written as `#name`.
   */
  async function writeIf(
    key: Record<string, AttributeValue>,
    attributes: Record<string, AttributeValue>,
    condition: string,
    { values = {}, remove = [], add = {} }: WriteOptions = {},
  ): Promise<boolean> {
    const setNames = Object.keys({ ...attributes, expires_at: null });
    // Through placeholders: `owner` and others are DynamoDB reserved words.
    const set = setNames.map((name) => `#${name} = :set_${name}`).join(', ');
    const clauses = [
      `SET ${set}`,
      ...(remove.length > 0 ? [`REMOVE ${remove.map((name) => `#${name}`).join(', ')}`] : []),
      ...(Object.keys(add).length > 0
        ? [
            `ADD ${Object.keys(add)
              .map((name) => `#${name} :add_${name}`)
              .join(', ')}`,
          ]
        : []),
    ];
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key,
          UpdateExpression: clauses.join(' '),
          ConditionExpression: condition,
          ExpressionAttributeNames: Object.fromEntries([...setNames, ...remove, ...Object.keys(add)].map((name) => [`#${name}`, name])),
          ExpressionAttributeValues: {
            ...values,
            ...Object.fromEntries(Object.entries({ ...attributes, expires_at: expiresAt() }).map(([name, value]) => [`:set_${name}`, value])),
            ...Object.fromEntries(Object.entries(add).map(([name, value]) => [`:add_${name}`, value])),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  return {
    async recordStep(key, record) {
      if (await writeIf(stepKey(key), recordAttributes(record), 'attribute_not_exists(pk)')) return { recorded: true };
      const item = await read(stepKey(key));
      if (!item) throw new Error(`step ${key.step} of ${key.watchId} was recorded and is gone`);
      return { recorded: false, existing: recordFrom(item) };
    },

    async readStep(key) {
      const item = await read(stepKey(key));
      return item ? recordFrom(item) : null;
    },

    async recordWatch(gatewayKey, watch, nowMs, policy) {
      const attributes = {
        watch_id: { S: watch.watchId },
        live_until: { N: String(watch.liveUntilMs) },
        ...(watch.endedAtMs === null ? {} : { ended_at: { N: String(watch.endedAtMs) } }),
        ...recordAttributes(watch.step0),
      };
      // What the previous watch of the gateway left that this one does not set.
      const leftovers = ['ended_at', ...DECISION_ATTRIBUTES].filter((name) => !(name in attributes));
      // Every watch started here is remembered, so none starts twice (a redriven old request).
      const write = (condition: string, values: Record<string, AttributeValue>) =>
        writeIf(gatewayKeyOf(gatewayKey), attributes, `(${condition}) AND NOT contains(watch_ids, :watch)`, {
          values: { ...values, ':watch': { S: watch.watchId } },
          remove: leftovers,
          add: { watch_ids: { SS: [watch.watchId] } },
        });
      const started =
        policy === 'discovery'
          ? await write('attribute_not_exists(pk) OR expires_at < :nowSeconds', { ':nowSeconds': { N: String(Math.floor(Date.now() / 1000)) } })
          : await write('attribute_not_exists(pk) OR (watch_id <> :watch AND (attribute_exists(ended_at) OR live_until < :now))', {
              ':now': { N: String(nowMs) },
            });
      if (started) return { started: true };
      const current = await this.currentWatch(gatewayKey);
      if (current === null) throw new Error(`the watch of gateway ${gatewayKey} was recorded and is gone`);
      return { started: false, current };
    },

    async endWatch(gatewayKey, watchId, nowMs) {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: gatewayKeyOf(gatewayKey),
            UpdateExpression: 'SET ended_at = :now',
            ConditionExpression: 'watch_id = :watch AND attribute_not_exists(ended_at)',
            ExpressionAttributeValues: { ':now': { N: String(nowMs) }, ':watch': { S: watchId } },
          }),
        );
      } catch (error) {
        // Ended already (a replay), or another watch has since taken the gateway over: nothing to do.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    async currentWatch(gatewayKey) {
      const item = await read(gatewayKeyOf(gatewayKey));
      return item ? gatewayWatchFrom(item) : null;
    },

    async settledTargets(eventId) {
      const item = await read(deliveryKey(eventId));
      return new Set(item?.settled?.SS ?? []);
    },

    async claimDelivery(eventId, targetId, heldUntilMs) {
      const claim = claimName(targetId);
      const nowMs = now();
      const claimed = await writeIf(
        deliveryKey(eventId),
        { [claim]: { N: String(heldUntilMs) } },
        `NOT contains(settled, :target) AND (attribute_not_exists(#${claim}) OR #${claim} < :now)`,
        { values: { ':target': { S: targetId }, ':now': { N: String(nowMs) } } },
      );
      if (claimed) return { kind: 'claimed' };
      const item = await read(deliveryKey(eventId));
      if (item?.settled?.SS?.includes(targetId)) return { kind: 'settled' };
      return { kind: 'held', untilMs: Math.max(nowMs, Number(item?.[claim]?.N ?? nowMs)) };
    },

    async releaseDelivery(eventId, targetId, heldUntilMs) {
      const claim = claimName(targetId);
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: deliveryKey(eventId),
            UpdateExpression: 'REMOVE #claim',
            ConditionExpression: '#claim = :until',
            ExpressionAttributeNames: { '#claim': claim },
            ExpressionAttributeValues: { ':until': { N: String(heldUntilMs) } },
          }),
        );
      } catch (error) {
        // Expired and taken by another copy meanwhile: that claim is not ours to give up.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    async recordSettled(eventId, targetId) {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: deliveryKey(eventId),
          UpdateExpression: 'ADD settled :target SET expires_at = :expires',
          ExpressionAttributeValues: { ':target': { SS: [targetId] }, ':expires': expiresAt() },
        }),
      );
    },
  };
}

interface WriteOptions {
  values?: Record<string, AttributeValue>;
  remove?: string[];
  add?: Record<string, AttributeValue>;
}

/** The attributes a decision of either kind may set. */
const DECISION_ATTRIBUTES = ['event', 'successor_body', 'successor_delay_seconds', 'started', 'reason'];

function recordAttributes({ decision, owner, decidedAtMs }: StepRecord): Record<string, AttributeValue> {
  const common = { owner: { S: owner }, decided_at: { N: String(decidedAtMs) } };
  if (decision.kind === 'terminal') return { ...common, decision: { S: 'terminal' }, event: { S: JSON.stringify(decision.event) } };
  if (decision.kind === 'ended') return { ...common, decision: { S: 'ended' }, reason: { S: decision.reason } };
  return {
    ...common,
    decision: { S: 'successor' },
    successor_body: { S: decision.message.body },
    successor_delay_seconds: { N: String(decision.message.delaySeconds) },
    // The notice (a creation's `started`, a health change) is held in the `started` attribute.
    ...(decision.notice ? { started: { S: JSON.stringify(decision.notice) } } : {}),
  };
}

/**
 * A gateway item read back: its watch and that watch's step 0.
 *
 * @example
 * const watch = gatewayWatchFrom(item); // item: the `gateway#<key>` item
 */
export function gatewayWatchFrom(item: Record<string, AttributeValue>): GatewayWatch {
  return {
    watchId: item.watch_id?.S ?? '',
    step0: recordFrom(item),
    endedAtMs: item.ended_at?.N === undefined ? null : Number(item.ended_at.N),
    liveUntilMs: Number(item.live_until?.N ?? 0),
  };
}

/**
 * Reads a step record (a `step#…` item, or a gateway item's step 0) back through the same schema
 * as any untrusted input: typed, never cast. Throws for an item that holds no decision.
 *
 * @example
 * const record = recordFrom(item); // record.decision.kind: 'successor' | 'terminal'
 */
export function recordFrom(item: Record<string, AttributeValue>): StepRecord {
  const owner = item.owner?.S ?? '';
  const decidedAtMs = Number(item.decided_at?.N ?? 0);
  if (item.decision?.S === 'terminal') {
    const event = outcomeEventSchema.parse(JSON.parse(item.event?.S ?? 'null')) as OutcomeEvent;
    return { owner, decidedAtMs, decision: { kind: 'terminal', event } };
  }
  if (item.decision?.S === 'successor' && item.successor_body?.S !== undefined) {
    const message = { body: item.successor_body.S, delaySeconds: Number(item.successor_delay_seconds?.N ?? 0) };
    const notice = item.started?.S === undefined ? undefined : (notificationEventSchema.parse(JSON.parse(item.started.S)) as NotificationEvent);
    return { owner, decidedAtMs, decision: { kind: 'successor', message, ...(notice ? { notice } : {}) } };
  }
  if (item.decision?.S === 'ended') {
    return { owner, decidedAtMs, decision: { kind: 'ended', reason: item.reason?.S ?? '' } };
  }
  throw new Error('a step record without a decision');
}
