import { processBatch, type WatchPorts } from '../../lib/watch/process-batch.js';
import { startWatch } from '../../lib/watch/state.js';
import { T0, progressReport, watchRequest } from '../support/factories.js';
import {
  memoryStepStore,
  recordingLog,
  recordingMetrics,
  recordingNotifier,
  recordingQueue,
  scriptedProgress,
  target,
} from '../support/fakes.js';

const SETTINGS = { watchTimeoutSeconds: 7200, deliveryBudgetSeconds: 86_400 };
const hex = (n: number) => n.toString(16).padStart(32, '0');
/** Invocation deadlines are real time (leases are): one still ahead, and one already past. */
const inAMinute = () => Date.now() + 60_000;
const alreadyOver = () => Date.now() - 10_000;

function ports(overrides: Partial<WatchPorts> = {}): WatchPorts & { queue: ReturnType<typeof recordingQueue> } {
  return {
    progressSource: scriptedProgress(() => progressReport()),
    queue: recordingQueue(),
    store: memoryStepStore(),
    notifier: recordingNotifier(),
    targets: [target('a'), target('b')],
    clock: { now: () => T0 },
    log: recordingLog(),
    metrics: recordingMetrics(),
    ...overrides,
  } as WatchPorts & { queue: ReturnType<typeof recordingQueue> };
}

function requestRecord(n: number, messageId = `m${n}`) {
  return { messageId, body: JSON.stringify(watchRequest({ instance_id: hex(n) })) };
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
    await processBatch(Array.from({ length: 10 }, (_, n) => requestRecord(n)), ports({ progressSource }), SETTINGS, inAMinute());
    expect(progressSource.maxInFlight).toBe(10);
  });

  it('reports only the record whose successor was not sent, and leaves its step retryable', async () => {
    const refused = hex(3);
    const queue = recordingQueue((message) => message.body.includes(refused));
    const store = memoryStepStore();
    const p = ports({ queue, store });
    const { failedMessageIds } = await processBatch([requestRecord(1), requestRecord(3), requestRecord(5)], p, SETTINGS, alreadyOver());
    expect(failedMessageIds).toEqual(['m3']);
    const retry = await processBatch([requestRecord(3)], { ...p, queue: recordingQueue(), clock: { now: () => T0 + 120_000 } }, SETTINGS, inAMinute());
    expect(retry.failedMessageIds).toEqual([]);
  });

  it('replays the recorded successor when a step is retried, without polling Huawei again', async () => {
    const progressSource = scriptedProgress(() => progressReport());
    const failingOnce = recordingQueue(() => true);
    const store = memoryStepStore();
    await processBatch([requestRecord(1)], ports({ progressSource, queue: failingOnce, store }), SETTINGS, alreadyOver());
    const queue = recordingQueue();
    await processBatch([requestRecord(1)], ports({ progressSource, queue, store, clock: { now: () => T0 + 10_000 } }), SETTINGS, inAMinute());
    expect(progressSource.calls).toBe(1);
    expect(queue.batches[0]?.[0]?.body).toBe(failingOnce.batches[0]?.[0]?.body);
  });

  it('drops a duplicate of a completed step', async () => {
    const store = memoryStepStore();
    const progressSource = scriptedProgress(() => progressReport());
    await processBatch([requestRecord(1)], ports({ store, progressSource }), SETTINGS, inAMinute());
    const queue = recordingQueue();
    const again = await processBatch([requestRecord(1, 'other-id')], ports({ store, progressSource, queue }), SETTINGS, inAMinute());
    expect(again.failedMessageIds).toEqual([]);
    expect(queue.batches[0]).toEqual([]);
    expect(progressSource.calls).toBe(1);
  });

  it('fails, rather than drops, a copy of a step another attempt is processing', async () => {
    const store = memoryStepStore();
    const state = startWatch(watchRequest(), T0, 7200);
    await store.claim({ watchId: state.watch_id, step: 0 }, inAMinute(), Date.now());
    const { failedMessageIds } = await processBatch([{ messageId: 'dup', body: JSON.stringify(state) }], ports({ store }), SETTINGS, inAMinute());
    expect(failedMessageIds).toEqual(['dup']);
  });

  it('notifies each target once and only the owed targets on a retry', async () => {
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
    expect(JSON.parse(deliverMessage!.body)).toMatchObject({ kind: 'deliver', step: 1 });

    answerB = 'delivered';
    await processBatch([{ messageId: 'd1', body: deliverMessage!.body }], ports({ notifier, store, progressSource: success }), SETTINGS, inAMinute());
    expect(notifier.deliveries.map((d) => d.targetId)).toEqual(['a', 'b', 'b']);
    expect(success.calls).toBe(1);
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
