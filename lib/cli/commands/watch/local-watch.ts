import { randomBytes, randomUUID } from 'node:crypto';
import { memoryStepStore } from '../../../store/index.js';
import {
  type Clock,
  type DeliveryResult,
  type IncomingRecord,
  type InstanceDetailSource,
  type Log,
  type Notifier,
  type OutcomeEvent,
  type OutgoingMessage,
  type PollSchedule,
  type ProgressSource,
  processBatch,
  type StepStore,
  type Target,
  type WatchQueue,
  type WatchRequest,
  type WatchState,
  unverifiedStateOf,
} from '../../../watch/index.js';

/** How long one local batch may run, as a Lambda invocation would: posts stop 5 s before. */
const LOCAL_INVOCATION_MS = 60_000;
/** A record that failed for a transient reason comes back this much later (the Lambda's first retry). */
const FAILED_RECORD_RETRY_MS = 10_000;

export interface LocalWatchPorts {
  progressSource: ProgressSource;
  instanceDetails?: InstanceDetailSource;
  notifier: Notifier;
  targets: Target[];
  clock: Clock;
  /** Waits this many ms of the clock's time (the CLI scales it with `APIG_WATCH_TIME_SCALE`). */
  sleep: (ms: number) => Promise<void>;
  log: Log;
}

export interface LocalWatchOptions {
  timeoutSeconds: number;
  /** `--interval`: poll every this many seconds instead of the adaptive schedule (errors keep their back-off). */
  intervalSeconds?: number;
  /** The schedule otherwise (`POLL_PROFILE`'s); the balanced adaptive schedule by default. */
  pollSchedule?: PollSchedule;
  /** Each step that continues the watch: the state it sends itself, and when it comes back. */
  onStep?: (state: WatchState, delaySeconds: number) => void;
}

/** What a local watch ended with: its outcome, and what each target it notified answered last. */
export interface LocalWatchResult {
  event: OutcomeEvent;
  deliveries: { target: Target; result: DeliveryResult }[];
}

/**
 * Watches one gateway in this process through the Lambda's own use case (`processBatch`): the
 * same parsing, polling policy, step records, delivery claims and routing, with an in-memory queue
 * whose delays are waited out here and an in-memory step store. A delivery that fails is not
 * retried later (the delivery budget is nil): the result says so, for the exit code.
 *
 * @example
 * const { event, deliveries } = await watchLocally(request, { progressSource, notifier, targets, clock, sleep, log }, { timeoutSeconds: 7200 });
 */
export async function watchLocally(request: WatchRequest, ports: LocalWatchPorts, options: LocalWatchOptions): Promise<LocalWatchResult> {
  const { clock } = ports;
  const pending: { record: IncomingRecord; dueAtMs: number }[] = [{ record: recordOf(JSON.stringify(request)), dueAtMs: clock.now() }];
  const queue: WatchQueue = {
    async sendBatch(messages: OutgoingMessage[]) {
      for (const message of messages) {
        pending.push({ record: recordOf(message.body), dueAtMs: clock.now() + message.delaySeconds * 1000 });
        const state = unverifiedStateOf(message.body);
        if (state?.kind === 'poll') options.onStep?.(state, message.delaySeconds);
      }
      return new Map();
    },
    async sendToDeadLetter() {},
    async retryLater() {},
  };
  const outcome = outcomeRecorder(memoryStepStore(clock.now));
  const deliveries = new Map<string, { target: Target; result: DeliveryResult }>();
  const notifier: Notifier = {
    async deliver(event, target, deliverOptions) {
      const result = await ports.notifier.deliver(event, target, deliverOptions);
      if (event.data.outcome !== 'started') deliveries.set(target.id, { target, result });
      return result;
    },
  };
  const watchPorts = {
    progressSource: ports.progressSource,
    instanceDetails: ports.instanceDetails,
    queue,
    store: outcome.store,
    notifier,
    targets: ports.targets,
    stateKeys: { current: randomBytes(32).toString('base64url'), previous: null },
    clock,
    log: ports.log,
    metrics: { count() {}, milliseconds() {} },
  };
  const settings = {
    watchTimeoutSeconds: options.timeoutSeconds,
    deliveryBudgetSeconds: 0,
    ...(options.intervalSeconds === undefined
      ? options.pollSchedule
        ? { pollSchedule: options.pollSchedule }
        : {}
      : { pollSchedule: () => options.intervalSeconds as number }),
  };
  while (pending.length > 0) {
    pending.sort((a, b) => a.dueAtMs - b.dueAtMs);
    const next = pending.shift() as (typeof pending)[number];
    const waitMs = next.dueAtMs - clock.now();
    if (waitMs > 0) await ports.sleep(waitMs);
    const { failedMessageIds } = await processBatch([next.record], watchPorts, settings, clock.now() + LOCAL_INVOCATION_MS);
    if (failedMessageIds.length > 0) pending.push({ record: next.record, dueAtMs: clock.now() + FAILED_RECORD_RETRY_MS });
  }
  const event = outcome.event();
  if (event === null) throw new Error('the watch ended without an outcome');
  return { event, deliveries: [...deliveries.values()] };
}

function recordOf(body: string): IncomingRecord {
  return { messageId: randomUUID(), body };
}

/** A step store that remembers the outcome the watch records (its terminal decision). */
function outcomeRecorder(store: StepStore) {
  let outcome: OutcomeEvent | null = null;
  const remember = (decision: { kind: string; event?: OutcomeEvent }) => {
    if (decision.kind === 'terminal' && decision.event) outcome = decision.event;
  };
  const recording: StepStore = {
    ...store,
    async recordStep(key, record) {
      const result = await store.recordStep(key, record);
      if (result.recorded) remember(record.decision);
      return result;
    },
    async recordWatch(gatewayKey, watch, nowMs, policy) {
      const result = await store.recordWatch(gatewayKey, watch, nowMs, policy);
      if (result.started) remember(watch.step0.decision);
      return result;
    },
  };
  return { store: recording, event: () => outcome };
}
