import { ApigError, ApigRetryableError, ApigTerminalError, IamAuthError } from '../apig/errors.js';
import type { ProgressSource } from '../apig/types.js';
import type { Log } from '../logger.js';
import type { Notifier, Target } from '../notify/types.js';
import type { Clock, Metrics } from '../ports.js';
import type { OutgoingMessage, WatchQueue } from '../queue/watch-queue.js';
import type { StepDecision, StepKey, StepStore } from '../store/step-store.js';
import { decideDelivery, decidePoll, type Observation } from './decide.js';
import type { PollSchedule } from './schedule.js';
import type { WatchEvent } from './outcome.js';
import { InvalidMessageError } from './request.js';
import { parseMessageBody, startWatch, type WatchState } from './state.js';

/** Everything the use case works through, passed in (ports as parameters). */
export interface WatchPorts {
  progressSource: ProgressSource;
  queue: WatchQueue;
  store: StepStore;
  notifier: Notifier;
  targets: Target[];
  clock: Clock;
  log: Log;
  metrics: Metrics;
}

export interface WatchSettings {
  watchTimeoutSeconds: number;
  deliveryBudgetSeconds: number;
  /** How polls of a gateway still being created are spaced; the adaptive schedule by default. */
  pollSchedule?: PollSchedule;
}

/** One SQS record, as much of it as the use case needs. */
export interface IncomingRecord {
  messageId: string;
  body: string;
}

/** Time kept free at the end of an invocation to send successors and record completions. */
export const INVOCATION_SAFETY_MARGIN_MS = 5_000;

type RecordResult =
  | { kind: 'finished' }
  | { kind: 'failed' }
  | { kind: 'successor'; message: Omit<OutgoingMessage, 'id'>; onSent: () => Promise<void>; log: Log };

/**
 * Processes one batch of watch-queue records: each record concurrently (parse → claim its step →
 * poll and decide, or replay the recorded decision → act), then all successors in one
 * `SendMessageBatch`, then each step completed. Returns the message ids to report as batch-item
 * failures; a bad record never fails the others.
 *
 * @example
 * const { failedMessageIds } = await processBatch(event.Records, ports, settings, deadlineMs);
 * return { batchItemFailures: failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })) };
 */
export async function processBatch(
  records: IncomingRecord[],
  ports: WatchPorts,
  settings: WatchSettings,
  invocationDeadlineMs: number,
): Promise<{ failedMessageIds: string[] }> {
  const results = await Promise.all(
    records.map((record) =>
      processRecord(record, ports, settings, invocationDeadlineMs).catch((error: unknown): RecordResult => {
        ports.log.error('record failed; SQS will deliver it again', { messageId: record.messageId, error: describe(error) });
        return { kind: 'failed' };
      }),
    ),
  );
  const failed = new Set(records.filter((_, index) => results[index]?.kind === 'failed').map((record) => record.messageId));

  const pending = results.flatMap((result, index) => (result.kind === 'successor' ? [{ index, result }] : []));
  const unsent = await ports.queue.sendBatch(pending.map(({ index, result }) => ({ id: String(index), ...result.message })));
  await Promise.all(
    pending.map(async ({ index, result }) => {
      const messageId = records[index]!.messageId;
      const reason = unsent.get(String(index));
      if (reason !== undefined) {
        result.log.error('successor not sent; the step will be retried', { reason });
        failed.add(messageId);
        return;
      }
      try {
        await result.onSent();
      } catch (error) {
        result.log.error('step not completed; it will be retried and its successor sent again', { error: describe(error) });
        failed.add(messageId);
      }
    }),
  );
  return { failedMessageIds: [...failed] };
}

async function processRecord(
  record: IncomingRecord,
  ports: WatchPorts,
  settings: WatchSettings,
  invocationDeadlineMs: number,
): Promise<RecordResult> {
  const { store, clock, metrics } = ports;
  let state: WatchState;
  try {
    const message = parseMessageBody(record.body);
    state = message.kind === 'state' ? message.state : startWatch(message.request, clock.now(), settings.watchTimeoutSeconds);
  } catch (error) {
    if (error instanceof InvalidMessageError) return rejectMessage(record, error.message, ports);
    throw error;
  }

  const log = withKeys(ports.log, {
    watch_id: state.watch_id,
    step: state.step,
    kind: state.kind,
    project_id: state.request.project_id,
    instance_id: state.request.instance_id,
    messageId: record.messageId,
  });
  const key: StepKey = { watchId: state.watch_id, step: state.step };
  // Leases run on real time, like the invocation deadline: `clock` may be scaled (demo, tests).
  const claim = await store.claim(key, invocationDeadlineMs + INVOCATION_SAFETY_MARGIN_MS, Date.now());
  if (claim.status === 'done') {
    log.info(state.step === 0 ? 'this gateway is already watched; the request joins that watch' : 'duplicate of a completed step dropped');
    metrics.count('DuplicatesDropped');
    return { kind: 'finished' };
  }
  if (claim.status === 'busy') {
    log.info('step is being processed by another attempt; retrying later');
    return { kind: 'failed' };
  }
  const { lease } = claim;
  if (claim.decision === null && state.step === 0 && state.kind === 'poll') {
    log.info('watch started', { region: state.request.region, instance_name: state.request.instance_name });
    metrics.count('WatchesStarted');
  }

  const decision = claim.decision ?? (await decideStep(state, key, lease, ports, settings.pollSchedule, log));
  if (decision.kind === 'successor') {
    return { kind: 'successor', message: { body: decision.body, delaySeconds: decision.delaySeconds }, onSent: () => store.complete(key, lease), log };
  }
  return deliverOutcome(state, JSON.parse(decision.event) as WatchEvent, key, lease, ports, settings, invocationDeadlineMs, log);
}

/** Polls Huawei (for a poll step), decides, and records the decision before acting on it. */
async function decideStep(
  state: WatchState,
  key: StepKey,
  lease: string,
  ports: WatchPorts,
  schedule: PollSchedule | undefined,
  log: Log,
): Promise<StepDecision> {
  if (state.kind === 'deliver' && state.event !== null) return { kind: 'terminal', event: JSON.stringify(state.event) };
  const observation = await observe(state, ports.progressSource);
  ports.metrics.count('Polls');
  const decision = decidePoll(state, observation, ports.clock.now(), schedule);
  let recorded: StepDecision;
  if (decision.action === 'poll_again') {
    if (decision.warning) log.warn(decision.warning);
    log.info('polling again', {
      status: decision.next.last?.status,
      progress: decision.next.last?.progress,
      delaySeconds: decision.delaySeconds,
      transient_error: decision.next.transient?.last_error,
    });
    recorded = { kind: 'successor', body: JSON.stringify(decision.next), delaySeconds: decision.delaySeconds };
  } else {
    const { outcome, elapsed, error_code } = decision.event.data;
    log.info('watch ended', { outcome, elapsed, error_code });
    ports.metrics.count('Outcomes', 1, { outcome });
    recorded = { kind: 'terminal', event: JSON.stringify(decision.event) };
  }
  await ports.store.recordDecision(key, lease, recorded);
  return recorded;
}

/**
 * Polls Huawei once for a watch and turns the answer or the error into an `Observation` for
 * `decidePoll`; errors that are not the APIG client's are thrown.
 *
 * @example
 * const decision = decidePoll(state, await observe(state, progressSource), Date.now());
 */
export async function observe(state: WatchState, progressSource: ProgressSource): Promise<Observation> {
  const { project_id, instance_id, region } = state.request;
  try {
    return { kind: 'progress', report: await progressSource.fetchProgress({ projectId: project_id, instanceId: instance_id, region }) };
  } catch (error) {
    if (error instanceof ApigTerminalError) return { kind: 'terminal_error', outcome: error.outcome, code: error.code ?? null, message: error.message };
    if (error instanceof IamAuthError) return { kind: 'terminal_error', outcome: 'unauthorized', code: error.code ?? null, message: error.message };
    if (error instanceof ApigRetryableError) return { kind: 'transient_error', throttled: error.reason === 'throttled', message: error.message };
    if (error instanceof ApigError) return { kind: 'transient_error', throttled: false, message: error.message };
    throw error;
  }
}

/** Delivers an outcome to every target not yet settled, then ends the step or hands the rest to a later round. */
async function deliverOutcome(
  state: WatchState,
  event: WatchEvent,
  key: StepKey,
  lease: string,
  ports: WatchPorts,
  settings: WatchSettings,
  invocationDeadlineMs: number,
  log: Log,
): Promise<RecordResult> {
  const { store, notifier, metrics, clock } = ports;
  const settled = await store.settledTargets(event.id);
  const owed = ports.targets.filter((target) => !settled.has(target.id));
  if (ports.targets.length === 0) log.warn('no notification targets are configured (NOTIFY_URLS); the outcome is only logged');
  const giveUpAtMs = invocationDeadlineMs - INVOCATION_SAFETY_MARGIN_MS;
  const results = await Promise.all(
    owed.map(async (target) => {
      const result = await notifier.deliver(event, target, { giveUpAtMs, log });
      const targetLog = withKeys(log, { target: target.display, channel: target.type, attempts: result.attempts });
      if (result.status === 'delivered') {
        targetLog.info('notification delivered', { outcome: event.data.outcome });
        const finishedMs = Date.parse(event.data.finished_at ?? event.timestamp);
        metrics.milliseconds('NotificationLag', Math.max(0, clock.now() - finishedMs), { channel: target.type });
      } else if (result.status === 'rejected') {
        targetLog.error('notification rejected', { reason: result.reason, gone: result.gone });
        metrics.count('NotificationFailures', 1, { channel: target.type, result: result.status });
      } else {
        targetLog.warn('notification not delivered yet', { reason: result.reason, notBeforeMs: result.notBeforeMs });
        metrics.count('NotificationFailures', 1, { channel: target.type, result: result.status });
      }
      if (result.status !== 'retry_later') await store.recordSettled(event.id, target.id);
      return result;
    }),
  );
  const stillOwed = results.filter((result) => result.status === 'retry_later');
  const decision = decideDelivery(state, event, stillOwed, clock.now(), settings.deliveryBudgetSeconds);
  switch (decision.action) {
    case 'done':
      await store.complete(key, lease);
      return { kind: 'finished' };
    case 'deliver_again':
      log.info('targets still owed; delivering again later', { owed: stillOwed.length, delaySeconds: decision.delaySeconds });
      return { kind: 'successor', message: { body: JSON.stringify(decision.next), delaySeconds: decision.delaySeconds }, onSent: () => store.complete(key, lease), log };
    case 'dead_letter':
      log.error('delivery budget spent; the outcome goes to the dead-letter queue (a redrive delivers it)', { reason: decision.reason });
      metrics.count('DeadLettered', 1, { reason: 'delivery' });
      await ports.queue.sendToDeadLetter(JSON.stringify(decision.next), decision.reason);
      await store.complete(key, lease);
      return { kind: 'finished' };
  }
}

async function rejectMessage(record: IncomingRecord, reason: string, ports: WatchPorts): Promise<RecordResult> {
  ports.log.error('invalid message rejected; moving it to the dead-letter queue', { messageId: record.messageId, reason });
  ports.metrics.count('InvalidMessages');
  try {
    await ports.queue.sendToDeadLetter(record.body, reason);
    ports.metrics.count('DeadLettered', 1, { reason: 'invalid' });
    return { kind: 'finished' };
  } catch (error) {
    ports.log.error('dead-letter queue not reached; SQS redrive will move the message', { messageId: record.messageId, error: describe(error) });
    return { kind: 'failed' };
  }
}

/** A `Log` that adds the same keys to every line. */
function withKeys(log: Log, keys: Record<string, unknown>): Log {
  return {
    debug: (message, extra) => log.debug(message, { ...keys, ...extra }),
    info: (message, extra) => log.info(message, { ...keys, ...extra }),
    warn: (message, extra) => log.warn(message, { ...keys, ...extra }),
    error: (message, extra) => log.error(message, { ...keys, ...extra }),
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
