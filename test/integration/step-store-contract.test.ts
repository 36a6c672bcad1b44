import { startLocalAws, type LocalAws } from '../../devkit/local-aws.js';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoStepStore } from '../../lib/store/step-store.js';
import type { OutcomeEvent } from '../../lib/watch/events.js';
import {
  DEAD_LETTER_RETENTION_SECONDS,
  MAX_WATCH_LIFETIME_SECONDS,
  type GatewayWatch,
  type StepRecord,
  type StepStore,
} from '../../lib/watch/ports/step-store.js';
import { memoryStepStore } from '../../lib/store/memory-step-store.js';

/**
 * One contract, two stores: the DynamoDB store over dynalite, and the in-memory store the unit
 * tests and the polling benchmark use. Each test runs on fresh keys.
 */

let aws: LocalAws;
beforeAll(async () => {
  aws = await startLocalAws();
});
afterAll(async () => {
  await aws?.stop();
});

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
let sequence = 0;
const fresh = (prefix: string) => {
  sequence += 1;
  return `${prefix}_${sequence.toString(16).padStart(20, '0')}`;
};

const EVENT: OutcomeEvent = {
  type: 'apig.gateway.creation.succeeded',
  id: 'w_00000000000000000001_succeeded',
  timestamp: '2026-12-01T12:00:00.000Z',
  data: {
    outcome: 'succeeded',
    operation: 'creation',
    project_id: '0123456789abcdef0123456789abcdef',
    instance_id: 'fedcba9876543210fedcba9876543210',
    instance_name: 'orders-gw',
    region: 'ap-southeast-1',
    status: 'success',
    progress: 100,
    error_code: null,
    error_msg: null,
    hint: null,
    unavailable_reason: null,
    instance_status: null,
    gateway: null,
    started_at: '2026-12-01T11:54:00.000Z',
    finished_at: '2026-12-01T12:00:00.000Z',
    elapsed_ms: 360_000,
    elapsed: '6m 00s',
    polls: 9,
    context: { ticket: 'OPS-1' },
  },
};
const successor = (owner: string): StepRecord => ({ owner, decidedAtMs: NOW, decision: { kind: 'successor', message: { body: '{"v":2}', delaySeconds: 42 } } });
const terminal = (owner: string): StepRecord => ({ owner, decidedAtMs: NOW, decision: { kind: 'terminal', event: EVENT } });
const watch = (watchId: string, step0: StepRecord, endedAtMs: number | null = null): GatewayWatch => ({
  watchId,
  step0,
  endedAtMs,
  liveUntilMs: NOW + 3_600_000,
});

describe('the DynamoDB store', () => {
  it("keeps every record past the dead-letter queue's 14 days plus the longest watch and delivery budget", async () => {
    const store = createDynamoStepStore(aws.dynamo, aws.tableName);
    const key = { watchId: fresh('w'), step: 1 };
    const gateway = fresh('g');
    const eventId = `${fresh('w')}_succeeded`;
    const writtenAt = Math.floor(Date.now() / 1000);
    await store.recordStep(key, successor('m1'));
    await store.recordWatch(gateway, watch(fresh('w'), successor('m2')), NOW, 'request');
    await store.recordSettled(eventId, 'a');

    const expiries = await Promise.all(
      [`step#${key.watchId}#1`, `gateway#${gateway}`, `delivery#${eventId}`].map(async (pk) => {
        const { Item } = await aws.dynamo.send(new GetItemCommand({ TableName: aws.tableName, Key: { pk: { S: pk } } }));
        return Number(Item?.expires_at?.N);
      }),
    );
    for (const expiresAt of expiries) {
      expect(expiresAt).toBeGreaterThanOrEqual(writtenAt + DEAD_LETTER_RETENTION_SECONDS + MAX_WATCH_LIFETIME_SECONDS);
    }
  });
});

describe.each([
  ['the DynamoDB store (dynalite)', (now: () => number) => createDynamoStepStore(aws.dynamo, aws.tableName, undefined, now)],
  ['the in-memory store', (now: () => number) => memoryStepStore(now)],
])('%s', (_, makeStore: (now: () => number) => StepStore) => {
  let store: StepStore;
  /** The wall clock claims are judged on. */
  let wallMs: number;
  beforeEach(() => {
    wallMs = NOW;
    store = makeStore(() => wallMs);
  });

  it('records a step once, and hands every later attempt the first decision, typed', async () => {
    const key = { watchId: fresh('w'), step: 3 };
    expect(await store.readStep(key)).toBeNull();
    expect(await store.recordStep(key, terminal('first'))).toEqual({ recorded: true });
    expect(await store.recordStep(key, successor('second'))).toEqual({ recorded: false, existing: terminal('first') });
    expect(await store.readStep(key)).toEqual(terminal('first'));
  });

  it('keeps the started notice a successor owes, typed', async () => {
    const key = { watchId: fresh('w'), step: 1 };
    const started = {
      ...EVENT,
      type: 'apig.gateway.creation.started' as const,
      id: 'w_1_started',
      data: { ...EVENT.data, outcome: 'started' as const, finished_at: null },
    };
    const record: StepRecord = { owner: 'm1', decidedAtMs: NOW, decision: { kind: 'successor', message: { body: '{}', delaySeconds: 30 }, notice: started } };
    await store.recordStep(key, record);
    expect(await store.readStep(key)).toEqual(record);
  });

  it('starts a watch of a gateway once; another request joins it, and its own request finds it', async () => {
    const gateway = fresh('g');
    const first = watch(fresh('w'), successor('m1'));
    expect(await store.recordWatch(gateway, first, NOW, 'request')).toEqual({ started: true });
    expect(await store.recordWatch(gateway, watch(fresh('w'), successor('m2')), NOW, 'request')).toEqual({ started: false, current: first });
    expect(await store.recordWatch(gateway, { ...first, step0: successor('m1-again') }, NOW, 'request')).toEqual({ started: false, current: first });
  });

  it('lets a new request start a new watch once the watch has ended, leaving nothing of the old one', async () => {
    const gateway = fresh('g');
    const first = watch(fresh('w'), terminal('m1'));
    await store.recordWatch(gateway, first, NOW, 'request');
    await store.endWatch(gateway, first.watchId, NOW + 1);
    const second = watch(fresh('w'), successor('m2'));
    expect(await store.recordWatch(gateway, second, NOW + 2, 'request')).toEqual({ started: true });
    expect(await store.currentWatch(gateway)).toEqual(second);
  });

  it('never lets the same watch start again, ended or not', async () => {
    const gateway = fresh('g');
    const only = watch(fresh('w'), terminal('m1'), NOW);
    await store.recordWatch(gateway, only, NOW, 'request');
    expect(await store.recordWatch(gateway, only, NOW + 1, 'request')).toMatchObject({ started: false });
  });

  it('lets a request take over a watch that never ended once it is past its deadline', async () => {
    const gateway = fresh('g');
    await store.recordWatch(gateway, watch(fresh('w'), successor('m1')), NOW, 'request');
    expect(await store.recordWatch(gateway, watch(fresh('w'), successor('m2')), NOW + 3_600_001, 'request')).toEqual({ started: true });
  });

  it('lets discovery start a watch only for a gateway with nothing on record', async () => {
    const gateway = fresh('g');
    const first = watch(fresh('w'), terminal('m1'), NOW);
    expect(await store.recordWatch(gateway, first, NOW, 'discovery')).toEqual({ started: true });
    expect(await store.recordWatch(gateway, watch(fresh('w'), successor('m2')), NOW + 86_400_000, 'discovery')).toMatchObject({ started: false });
  });

  it('never restarts a watch that ended, even once a newer watch of the gateway has ended too', async () => {
    const gateway = fresh('g');
    const older = watch(fresh('w'), terminal('m1'), NOW);
    await store.recordWatch(gateway, older, NOW, 'request');
    const newer = watch(fresh('w'), terminal('m2'), NOW + 1);
    expect(await store.recordWatch(gateway, newer, NOW + 1, 'request')).toEqual({ started: true });
    expect(await store.recordWatch(gateway, { ...older, step0: terminal('m1') }, NOW + 2, 'request')).toEqual({ started: false, current: newer });
    expect(await store.recordWatch(gateway, watch(fresh('w'), successor('m3')), NOW + 3, 'request')).toEqual({ started: true });
  });

  it('ends only the watch it names', async () => {
    const gateway = fresh('g');
    const current = watch(fresh('w'), successor('m1'));
    await store.recordWatch(gateway, current, NOW, 'request');
    await store.endWatch(gateway, 'w_someone_else', NOW);
    expect((await store.currentWatch(gateway))?.endedAtMs).toBeNull();
    await store.endWatch(gateway, current.watchId, NOW + 5);
    expect((await store.currentWatch(gateway))?.endedAtMs).toBe(NOW + 5);
  });

  it('keeps the settled targets of an outcome apart from every other outcome', async () => {
    const eventId = `${fresh('w')}_failed`;
    await store.recordSettled(eventId, 'a');
    await store.recordSettled(eventId, 'b');
    await store.recordSettled(eventId, 'a');
    expect(await store.settledTargets(eventId)).toEqual(new Set(['a', 'b']));
    expect(await store.settledTargets(`${fresh('w')}_failed`)).toEqual(new Set());
  });

  it('refuses a claim on a delivery while another claim on it is held, and says until when', async () => {
    const eventId = `${fresh('w')}_succeeded`;
    expect(await store.claimDelivery(eventId, 'a', NOW + 60_000)).toEqual({ kind: 'claimed' });
    wallMs = NOW + 59_000;
    expect(await store.claimDelivery(eventId, 'a', NOW + 120_000)).toEqual({ kind: 'held', untilMs: NOW + 60_000 });
    expect(await store.claimDelivery(eventId, 'b', NOW + 120_000)).toEqual({ kind: 'claimed' });
    expect(await store.claimDelivery(`${fresh('w')}_succeeded`, 'a', NOW + 120_000)).toEqual({ kind: 'claimed' });
  });

  it('lets a claim that expired be taken (its holder died between claim and post)', async () => {
    const eventId = `${fresh('w')}_failed`;
    await store.claimDelivery(eventId, 'a', NOW + 60_000);
    wallMs = NOW + 60_001;
    expect(await store.claimDelivery(eventId, 'a', NOW + 120_000)).toEqual({ kind: 'claimed' });
    wallMs = NOW + 61_000;
    expect(await store.claimDelivery(eventId, 'a', NOW + 180_000)).toEqual({ kind: 'held', untilMs: NOW + 120_000 });
  });

  it('never claims a delivery again once its target has settled it, claim expired or not', async () => {
    const eventId = `${fresh('w')}_succeeded`;
    await store.claimDelivery(eventId, 'a', NOW + 60_000);
    await store.recordSettled(eventId, 'a');
    expect(await store.claimDelivery(eventId, 'a', NOW + 120_000)).toEqual({ kind: 'settled' });
    wallMs = NOW + 3_600_000;
    expect(await store.claimDelivery(eventId, 'a', NOW + 3_700_000)).toEqual({ kind: 'settled' });
    await store.recordSettled(eventId, 'b');
    expect(await store.claimDelivery(eventId, 'b', NOW + 3_700_000)).toEqual({ kind: 'settled' });
  });

  it('gives up only its own claim, so a retry of a post that failed need not wait for it to expire', async () => {
    const eventId = `${fresh('w')}_failed`;
    await store.claimDelivery(eventId, 'a', NOW + 60_000);
    await store.releaseDelivery(eventId, 'a', NOW + 60_000);
    expect(await store.claimDelivery(eventId, 'a', NOW + 90_000)).toEqual({ kind: 'claimed' });
    await store.releaseDelivery(eventId, 'a', NOW + 60_000);
    expect(await store.claimDelivery(eventId, 'a', NOW + 120_000)).toEqual({ kind: 'held', untilMs: NOW + 90_000 });
  });
});
