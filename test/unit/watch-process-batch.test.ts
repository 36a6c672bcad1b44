import { cancelWatch } from '../../lib/watch/cancel-watch.js';
import { processBatch } from '../../lib/watch/process-batch.js';
import { EXPIRED_STATE_REASON } from '../../lib/watch/process-step.js';
import { encodeStateMessage, FORGED_STATE_REASON } from '../../lib/watch/state-message.js';
import { type WatchState, initialState, gatewayKeyFor, watchIdFor } from '../../lib/watch/state.js';
import type { WatchPorts } from '../../lib/watch/step-context.js';
import { T0, progressReport, watchRequest } from '../support/factories.js';
import { memoryStepStore, recordingLog, recordingMetrics, recordingNotifier, recordingQueue, scriptedProgress, target } from '../support/fakes.js';

const SETTINGS = { watchTimeoutSeconds: 7200, deliveryBudgetSeconds: 86_400 };
const KEYS = { current: 'k'.repeat(32), previous: null };
const hex = (n: number) => n.toString(16).padStart(32, '0');
/** Invocation deadlines are real time: one still ahead, and one already past. */
const inAMinute = () => Date.now() + 60_000;
const alreadyOver = () => Date.now() - 10_000;

function ports(overrides: Partial<WatchPorts> = {}): WatchPorts & { queue: ReturnType<typeof recordingQueue>; metrics: ReturnType<typeof recordingMetrics> } {
  return {
    progressSource: scriptedProgress(() => progressReport()),
    queue: recordingQueue(),
    store: memoryStepStore(),
    notifier: recordingNotifier(),
    targets: [target('a'), target('b')],
    stateKeys: KEYS,
    clock: { now: () => T0 },
    log: recordingLog(),
    metrics: recordingMetrics(),
    ...overrides,
  } as WatchPorts & { queue: ReturnType<typeof recordingQueue>; metrics: ReturnType<typeof recordingMetrics> };
}

function requestRecord(n: number, messageId = `m${n}`) {
  return { messageId, body: JSON.stringify(watchRequest({ instance_id: hex(n) })) };
}

function stateOf(body: string): WatchState {
  return (JSON.parse(body) as { state: WatchState }).state;
}

describe('processBatch', () => {
  it('sends the successors of a whole batch in one SendMessageBatch', async () => {
    const p = ports();
    const records = Array.from({ length: 10 }, (_, n) => requestRecord(n));
    const { failedMessageIds } = await processBatch(records, p, SETTINGS, inAMinute());
    expect(failedMessageIds).toEqual([]);
    expect(p.queue.batches).toHaveLength(1);
    expect(p.queue.batches[0]).toHaveLength(10);
  });

  it('processes the records of a batch concurrently', async () => {
    const progressSource = scriptedProgress(() => progressReport(), 50);
    await processBatch(
      Array.from({ length: 10 }, (_, n) => requestRecord(n)),
      ports({ progressSource }),
      SETTINGS,
      inAMinute(),
    );
    expect(progressSource.maxInFlight).toBe(10);
  });

  it('makes exactly one store write per poll step', async () => {
    const store = memoryStepStore();
    const p = ports({ store });
    await processBatch([requestRecord(1)], p, SETTINGS, inAMinute());
    const step1 = p.queue.batches[0]![0]!;
    await processBatch([{ messageId: 's1', body: step1.body }], { ...p, queue: recordingQueue() }, SETTINGS, inAMinute());
    expect(store.writes).toBe(2);
  });

  it('reports only the record whose successor was not sent, counts it, and brings it back within seconds', async () => {
    const refused = hex(3);
    const queue = recordingQueue((message) => stateOf(message.body).request.instance_id === refused);
    const p = ports({ queue });
    const records = [requestRecord(1), { ...requestRecord(3), receiptHandle: 'r3', attributes: { ApproximateReceiveCount: '2' } }, requestRecord(5)];
    const { failedMessageIds } = await processBatch(records, p, SETTINGS, alreadyOver());
    expect(failedMessageIds).toEqual(['m3']);
    expect(p.metrics.counts.get('RecordFailures')).toBe(1);
    expect(queue.retries).toEqual([{ receiptHandle: 'r3', visibilitySeconds: 20 }]);
  });

  it('sends the recorded successor again when the same message is redelivered and its successor never arrived', async () => {
    const progressSource = scriptedProgress(() => progressReport());
    const failingOnce = recordingQueue(() => true);
    const store = memoryStepStore();
    await processBatch([requestRecord(1)], ports({ progressSource, queue: failingOnce, store }), SETTINGS, alreadyOver());
    const queue = recordingQueue();
    await processBatch([requestRecord(1)], ports({ progressSource, queue, store, clock: { now: () => T0 + 10_000 } }), SETTINGS, inAMinute());
    expect(queue.batches[0]?.[0]?.body).toBe(failingOnce.batches[0]?.[0]?.body);
    expect(store.writes).toBe(1);
  });

  it('drops a redelivered step whose successor has been recorded already', async () => {
    const store = memoryStepStore();
    const p = ports({ store });
    await processBatch([requestRecord(1)], p, SETTINGS, inAMinute());
    await processBatch([{ messageId: 's1', body: p.queue.batches[0]![0]!.body }], { ...p, queue: recordingQueue() }, SETTINGS, inAMinute());
    const queue = recordingQueue();
    await processBatch([requestRecord(1)], { ...p, queue }, SETTINGS, inAMinute());
    expect(queue.batches[0]).toEqual([]);
    expect(p.metrics.counts.get('DuplicatesDropped')).toBe(1);
  });

  it('drops a copy of a decided step sent as another message, counting the duplicate poll', async () => {
    const store = memoryStepStore();
    const p = ports({ store });
    await processBatch([requestRecord(1)], p, SETTINGS, inAMinute());
    const step1 = p.queue.batches[0]![0]!.body;
    await processBatch([{ messageId: 's1', body: step1 }], { ...p, queue: recordingQueue() }, SETTINGS, inAMinute());
    const queue = recordingQueue();
    const again = await processBatch([{ messageId: 's1-copy', body: step1 }], { ...p, queue }, SETTINGS, inAMinute());
    expect(again.failedMessageIds).toEqual([]);
    expect(queue.batches[0]).toEqual([]);
    expect(p.metrics.counts.get('DuplicatePolls')).toBe(1);
  });

  it('lets a second request join the active watch of its gateway', async () => {
    const p = ports();
    await processBatch([requestRecord(1, 'first')], p, SETTINGS, inAMinute());
    const queue = recordingQueue();
    await processBatch([requestRecord(1, 'second')], { ...p, queue }, SETTINGS, inAMinute());
    expect(queue.batches[0]).toEqual([]);
    expect((p.log as ReturnType<typeof recordingLog>).lines.some((line) => line.message.includes('joins that watch'))).toBe(true);
  });

  it('starts a new watch, with new event ids, for a new request after the watch ended', async () => {
    const notifier = recordingNotifier();
    const p = ports({ notifier, progressSource: scriptedProgress(() => progressReport({ status: 'success', progress: 100 })) });
    await processBatch([requestRecord(1, 'first')], p, SETTINGS, inAMinute());
    await processBatch([requestRecord(1, 'first')], p, SETTINGS, inAMinute()); // the same message again: nothing new
    await processBatch([requestRecord(1, 'later')], p, SETTINGS, inAMinute());
    const eventIds = notifier.deliveries.map((delivery) => delivery.eventId);
    expect(eventIds).toHaveLength(4);
    expect(new Set(eventIds)).toEqual(
      new Set([
        `${watchIdFor(watchRequest({ instance_id: hex(1) }), 'first')}_succeeded`,
        `${watchIdFor(watchRequest({ instance_id: hex(1) }), 'later')}_succeeded`,
      ]),
    );
  });

  it('never lets a discovered request restart a watch that ended', async () => {
    const notifier = recordingNotifier();
    const p = ports({ notifier, progressSource: scriptedProgress(() => progressReport({ status: 'success', progress: 100 })) });
    await processBatch([requestRecord(1, 'first')], p, SETTINGS, inAMinute());
    const discovered = { messageId: 'sweep', body: JSON.stringify({ ...watchRequest({ instance_id: hex(1) }), origin: 'discovery' }) };
    await processBatch([discovered], p, SETTINGS, inAMinute());
    expect(notifier.deliveries).toHaveLength(2);
  });

  it('notifies each target once and only the owed targets on a later round', async () => {
    let answerB: 'retry_later' | 'delivered' = 'retry_later';
    const notifier = recordingNotifier((t) =>
      t.id === 'b' && answerB === 'retry_later' ? { status: 'retry_later', attempts: 3, reason: '503' } : { status: 'delivered', attempts: 1, httpStatus: 200 },
    );
    const store = memoryStepStore();
    const success = scriptedProgress(() => progressReport({ status: 'success', progress: 100 }));
    const queue = recordingQueue();
    await processBatch([requestRecord(1)], ports({ notifier, store, progressSource: success, queue }), SETTINGS, inAMinute());
    expect(notifier.deliveries.map((d) => d.targetId)).toEqual(['a', 'b']);
    const deliverMessage = queue.batches[0]?.[0];
    expect(stateOf(deliverMessage!.body)).toMatchObject({ kind: 'deliver', step: 1 });

    answerB = 'delivered';
    await processBatch([{ messageId: 'd1', body: deliverMessage!.body }], ports({ notifier, store, progressSource: success }), SETTINGS, inAMinute());
    expect(notifier.deliveries.map((d) => d.targetId)).toEqual(['a', 'b', 'b']);
    expect(success.calls).toBe(1);
  });

  it('delivers an outcome redriven from the dead-letter queue 13 days later to the owed target only', async () => {
    const DAY_MS = 24 * 3600 * 1000;
    let down = true;
    const notifier = recordingNotifier((t) =>
      t.id === 'b' && down ? { status: 'retry_later', attempts: 1, reason: '503' } : { status: 'delivered', attempts: 1, httpStatus: 200 },
    );
    const store = memoryStepStore();
    const success = scriptedProgress(() => progressReport({ status: 'success', progress: 100 }));
    let nowMs = T0;
    const p = ports({ notifier, store, progressSource: success, clock: { now: () => nowMs } });
    await processBatch([requestRecord(1)], p, SETTINGS, inAMinute());
    // Delivery rounds until the 24 h budget is spent: the outcome goes to the dead-letter queue.
    for (let round = 0; p.queue.deadLetters.length === 0 && round < 200; round += 1) {
      const next = p.queue.batches.at(-1)!.at(-1)!;
      nowMs += next.delaySeconds * 1000;
      await processBatch([{ messageId: `round-${round}`, body: next.body }], p, SETTINGS, inAMinute());
    }
    const [letter] = p.queue.deadLetters;
    expect(letter?.reason).toMatch(/delivery budget/);

    down = false;
    nowMs += 13 * DAY_MS;
    const deliveriesBefore = notifier.deliveries.length;
    await processBatch([{ messageId: 'redriven', body: letter!.body }], p, SETTINGS, inAMinute());

    expect(notifier.deliveries.slice(deliveriesBefore).map((d) => d.targetId)).toEqual(['b']);
    expect(p.queue.deadLetters).toHaveLength(1);
  });

  it('moves an invalid record to the dead-letter queue with its reason, and processes the rest of the batch', async () => {
    const p = ports();
    const { failedMessageIds } = await processBatch([{ messageId: 'bad', body: '{"project_id":"../x"}' }, requestRecord(2)], p, SETTINGS, inAMinute());
    expect(failedMessageIds).toEqual([]);
    expect(p.queue.deadLetters).toHaveLength(1);
    expect(p.queue.deadLetters[0]?.reason).toMatch(/project_id/);
    expect(p.queue.batches[0]).toHaveLength(1);
    expect((p.progressSource as ReturnType<typeof scriptedProgress>).calls).toBe(1);
  });
});

describe('the trust boundary: only the watcher writes state', () => {
  const state = initialState(watchRequest(), T0, 7200, watchIdFor(watchRequest(), 'm0'));
  const succeeded = { ...state, kind: 'deliver' as const, step: 3, event: null };

  it.each([
    ['an altered state (the signature no longer matches)', () => encodeStateMessage(state, KEYS).replace('"step":0', '"step":5')],
    ['a state signed with another key', () => encodeStateMessage(state, { current: 'x'.repeat(32), previous: null })],
    ['a state without a signature', () => JSON.stringify({ v: 2, state })],
    ['an unsigned state in the old format (v: 1)', () => JSON.stringify({ ...succeeded, v: 1 })],
    ['a 40,000-level nested fake state (240 KB)', () => `{"v":2,"state":{"a":${'['.repeat(40_000)}${']'.repeat(40_000)}},"sig":"abc"}`],
  ])('dead-letters %s as forged-state, with no Huawei call and no post', async (_, body) => {
    const notifier = recordingNotifier();
    const progressSource = scriptedProgress(() => progressReport());
    const p = ports({ notifier, progressSource });
    const { failedMessageIds } = await processBatch([{ messageId: 'forged', body: body() }], p, SETTINGS, inAMinute());
    expect(failedMessageIds).toEqual([]);
    expect(p.queue.deadLetters.map((letter) => letter.reason)).toEqual([FORGED_STATE_REASON]);
    expect(progressSource.calls).toBe(0);
    expect(notifier.deliveries).toEqual([]);
    expect(p.metrics.counts.get('ForgedStates')).toBe(1);
  });

  it('accepts a state signed with the previous key during a rotation', async () => {
    const rotated = { current: 'n'.repeat(32), previous: KEYS.current };
    const p = ports({ stateKeys: rotated });
    const step1 = { ...state, step: 1 };
    await processBatch([{ messageId: 's1', body: encodeStateMessage(step1, KEYS) }], p, SETTINGS, inAMinute());
    expect(p.queue.deadLetters).toEqual([]);
    expect(p.queue.batches[0]).toHaveLength(1);
  });

  it('treats a producer request that carries a v field as a request', async () => {
    const p = ports();
    await processBatch([{ messageId: 'r', body: JSON.stringify({ ...watchRequest(), v: 2 }) }], p, SETTINGS, inAMinute());
    expect(p.queue.deadLetters).toEqual([]);
    expect(p.queue.batches[0]).toHaveLength(1);
  });

  it('sets aside a signed state too old for its records to deduplicate it', async () => {
    const p = ports({ clock: { now: () => T0 + 30 * 24 * 3600 * 1000 } });
    await processBatch([{ messageId: 's1', body: encodeStateMessage({ ...state, step: 1 }, KEYS) }], p, SETTINGS, inAMinute());
    expect(p.queue.deadLetters.map((letter) => letter.reason)).toEqual([EXPIRED_STATE_REASON]);
  });
});

describe('an operator cancelling a watch (apig-watch cancel)', () => {
  const OPERATOR = 'arn:aws:iam::123456789012:user/alice';
  const gateway = { project_id: watchRequest().project_id, instance_id: hex(7) };
  const cancels = { ...target('cancels'), on: ['cancelled' as const] };

  async function watchAtStepOne() {
    const store = memoryStepStore();
    const notifier = recordingNotifier();
    const p = ports({ store, notifier, targets: [target('everyone'), cancels] });
    await processBatch([requestRecord(7)], p, SETTINGS, inAMinute());
    const stepOne = p.queue.batches[0]?.[0];
    if (!stepOne) throw new Error('no step 1');
    return { p, store, notifier, stepOne };
  }

  it('ends the watch at its next step: that step delivers cancelled, only to targets that ask for it, and sends no successor', async () => {
    // Prepare
    const { p, store, notifier, stepOne } = await watchAtStepOne();

    // Act
    const result = await cancelWatch(store, gateway, { by: OPERATOR, nowMs: T0 });
    const queue = recordingQueue();
    await processBatch([{ messageId: 's1', body: stepOne.body }], { ...p, queue }, SETTINGS, inAMinute());

    // Assess
    expect(result).toMatchObject({ cancelled: true, step: 1 });
    expect(notifier.deliveries).toEqual([{ eventId: `${stateOf(stepOne.body).watch_id}_cancelled`, targetId: 'cancels' }]);
    expect(queue.batches.flat()).toEqual([]);
    expect((await store.currentWatch(gatewayKeyFor(gateway)))?.endedAtMs).toBe(T0);
  });

  it('is acted on by every copy of the step, which still post once', async () => {
    // Prepare
    const { p, store, notifier, stepOne } = await watchAtStepOne();
    await cancelWatch(store, gateway, { by: OPERATOR, nowMs: T0 });

    // Act: the step's message and a copy of it with another message id.
    await processBatch([{ messageId: 's1', body: stepOne.body }], { ...p, queue: recordingQueue() }, SETTINGS, inAMinute());
    await processBatch([{ messageId: 's1-copy', body: stepOne.body }], { ...p, queue: recordingQueue() }, SETTINGS, inAMinute());

    // Assess
    expect(notifier.deliveries.map((delivery) => delivery.targetId)).toEqual(['cancels']);
  });

  it('refuses a gateway whose watch has ended, and one with no watch at all', async () => {
    const { store } = await watchAtStepOne();
    expect(await cancelWatch(store, gateway, { by: OPERATOR, nowMs: T0 })).toMatchObject({ cancelled: true });
    expect(await cancelWatch(store, gateway, { by: OPERATOR, nowMs: T0 })).toEqual({ cancelled: false, reason: 'no active watch of this gateway' });
    expect(await cancelWatch(store, { ...gateway, instance_id: hex(8) }, { by: OPERATOR, nowMs: T0 })).toMatchObject({ cancelled: false });
  });

  it('aims past a step the watcher recorded first, and finds the last step of a long watch', async () => {
    // Prepare: the chain has gone on to step 6.
    const { p, store, stepOne } = await watchAtStepOne();
    let body = stepOne.body;
    for (let step = 1; step <= 5; step++) {
      const queue = recordingQueue();
      await processBatch([{ messageId: `s${step}`, body }], { ...p, queue }, SETTINGS, inAMinute());
      body = queue.batches[0]?.[0]?.body ?? '';
    }

    // Act
    const result = await cancelWatch(store, gateway, { by: OPERATOR, nowMs: T0 });

    // Assess
    expect(result).toMatchObject({ cancelled: true, step: 6 });
    expect(stateOf(body).step).toBe(6);
  });
});
