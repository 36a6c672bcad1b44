import { describeError } from '../describe-error.js';
import { OPERATOR_OWNER_PREFIX } from './cancel-watch.js';
import { decidePoll, observe } from './decide-poll.js';
import { deliverOutcome, deliverToOwedTargets } from './deliver-outcome.js';
import { startedEventOf } from './events.js';
import {
  DEAD_LETTER_RETENTION_SECONDS,
  MAX_WATCH_LIFETIME_SECONDS,
  type GatewayWatch,
  isWatchActive,
  mayStartWatch,
  type StartPolicy,
  type StepDecision,
  type StepKey,
  type StepRecord,
  withKeys,
} from './ports/index.js';
import { InvalidMessageError, type WatchRequest } from './request.js';
import { selectTargets } from './select-targets.js';
import { ForgedStateError, encodeStateMessage, parseMessageBody, type ParsedMessage } from './state-message.js';
import { gatewayKeyFor, initialState, watchIdFor, type WatchState } from './state.js';
import type { IncomingRecord, StepContext, StepOutcome, WatchPorts, WatchSettings } from './step-context.js';

/** A watch that never ended counts as gone this long after its deadline (its last poll's delay, and more). */
const WATCH_LIVE_GRACE_MS = 15 * 60_000;
/**
 * A copy of a decided step (another message id) acts only once its successor is this late: the
 * chain is then broken (say its message ran out of receives and was redriven), not in flight.
 */
const STEP_OVERDUE_MS = 60 * 60_000;
/**
 * A poll step that arrives this long after it was due was most likely decided already (a replayed
 * or redriven state): its record is read before Huawei is asked again. SQS delivers a delayed
 * message on time, so a normal poll never pays that read.
 */
const LATE_ARRIVAL_GRACE_MS = 5 * 60_000;
/** A health watch follows an unhealthy or frozen gateway this long at most; one that stays so longer is told again by the next watch. */
const HEALTH_WATCH_MAX_SECONDS = 4 * 24 * 3600;
/** The dead-letter reason of a signed state too old for its records to still deduplicate it. */
export const EXPIRED_STATE_REASON = 'expired-state';

/**
 * Processes one record: reads it (a request starts or joins a watch; a state must carry the
 * watcher's signature), decides its step — polling Huawei first, since a GET is harmless to
 * repeat — and records the decision with one conditional write. Whoever recorded first wins and
 * every attempt acts on the recorded decision: send the successor, or deliver the outcome.
 *
 * @example
 * const outcome = await processStep(record, ports, settings, deadlineMs);
 * if (outcome.kind === 'send') await ports.queue.sendBatch([{ id: '0', ...outcome.message }]);
 */
export async function processStep(record: IncomingRecord, ports: WatchPorts, settings: WatchSettings, deadlineMs: number): Promise<StepOutcome> {
  let message: ParsedMessage;
  try {
    message = parseMessageBody(record.body, ports.stateKeys);
  } catch (error) {
    if (error instanceof InvalidMessageError || error instanceof ForgedStateError) return rejectMessage(record, error, ports);
    throw error;
  }
  const nowMs = ports.clock.now();
  const state =
    message.kind === 'state'
      ? message.state
      : initialState(message.request, nowMs, timeoutSecondsOf(message.request, settings), watchIdFor(message.request, record.messageId));
  if (nowMs > replayableUntilMs(state, settings)) {
    return rejectMessage(record, new InvalidMessageError(EXPIRED_STATE_REASON), ports);
  }
  const log = withKeys(ports.log, {
    watch_id: state.watch_id,
    step: state.step,
    kind: state.kind,
    project_id: state.request.project_id,
    instance_id: state.request.instance_id,
    messageId: record.messageId,
  });
  const context: StepContext = { state, messageId: record.messageId, ports, settings, deadlineMs, log };

  // A message SQS has handed out before, or a state long overdue, was most likely decided already:
  // read before polling, so a copy of a decided step never asks Huawei again.
  const known = receivedBefore(record) || arrivesLate(state, nowMs) ? await findRecorded(context) : null;
  const written = known ?? (await decideAndRecord(context, startPolicyOf(message)));
  if (written.kind === 'recorded') {
    logDecision(context, written.decision);
    return act(context, written.decision, { firstDecided: true });
  }
  if (known === null && state.kind === 'poll') ports.metrics.count('DuplicatePolls');
  if (written.kind === 'joined') {
    log.info('this gateway is already watched; the request joins that watch', { joined_watch_id: written.watchId });
    ports.metrics.count('DuplicatesDropped');
    return { kind: 'finished' };
  }
  if (written.kind === 'ended') {
    log.info("the gateway's watch on record has ended and this request may not start another; dropped", { current_watch_id: written.watchId });
    ports.metrics.count('DuplicatesDropped');
    return { kind: 'finished' };
  }
  if (written.existing.owner.startsWith(OPERATOR_OWNER_PREFIX)) {
    log.info('an operator decided this step; acting on it', { by: written.existing.owner.slice(OPERATOR_OWNER_PREFIX.length) });
    logDecision(context, written.existing.decision);
    return act(context, written.existing.decision, { firstDecided: false });
  }
  if (!(await mayActAgain(context, written.existing))) {
    log.info('duplicate of a decided step dropped');
    ports.metrics.count('DuplicatesDropped');
    return { kind: 'finished' };
  }
  log.info('step seen again; acting on its recorded decision');
  return act(context, written.existing.decision, { firstDecided: false });
}

/**
 * `joined`: the gateway has another watch, still active. `ended`: its watch on record has ended and
 * this request may not start one — a watch never starts twice (say a redriven request of a watch
 * that a newer one followed), and discovery never starts one over a watch on record.
 */
type Written =
  | { kind: 'recorded'; decision: StepDecision }
  | { kind: 'found'; existing: StepRecord }
  | { kind: 'joined'; watchId: string }
  | { kind: 'ended'; watchId: string };

/** Decides the step and records the decision; if another attempt recorded one first, that one stands. */
async function decideAndRecord(context: StepContext, policy: StartPolicy): Promise<Written> {
  const { state, messageId, ports } = context;
  const decision = await decideStep(context);
  const recorded: StepRecord = { decision, owner: messageId, decidedAtMs: ports.clock.now() };
  if (state.step > 0) {
    const result = await ports.store.recordStep(keyOf(state), recorded);
    return result.recorded ? { kind: 'recorded', decision } : { kind: 'found', existing: result.existing };
  }
  const watch = {
    watchId: state.watch_id,
    step0: recorded,
    endedAtMs: decision.kind === 'successor' ? null : recorded.decidedAtMs,
    liveUntilMs: state.deadline_at + WATCH_LIVE_GRACE_MS,
  };
  const result = await ports.store.recordWatch(gatewayKeyFor(state.request), watch, recorded.decidedAtMs, policy);
  if (result.started) return { kind: 'recorded', decision };
  return foundOrJoined(state, result.current, ports.clock.now());
}

/** What is on record for a step already, without polling; `null` when nothing is. */
async function findRecorded({ state, ports }: StepContext): Promise<Written | null> {
  if (state.step > 0) {
    const existing = await ports.store.readStep(keyOf(state));
    return existing === null ? null : { kind: 'found', existing };
  }
  const current = await ports.store.currentWatch(gatewayKeyFor(state.request));
  const nowMs = ports.clock.now();
  return current === null || mayStartWatch(current, state.watch_id, nowMs, 'request') ? null : foundOrJoined(state, current, nowMs);
}

/** What a refused start found: this watch itself, another one still active, or one that has ended. */
function foundOrJoined(state: WatchState, current: GatewayWatch, nowMs: number): Written {
  if (current.watchId === state.watch_id) return { kind: 'found', existing: current.step0 };
  return isWatchActive(current, nowMs) ? { kind: 'joined', watchId: current.watchId } : { kind: 'ended', watchId: current.watchId };
}

function receivedBefore(record: IncomingRecord): boolean {
  return Number(record.attributes?.ApproximateReceiveCount ?? 1) > 1;
}

function arrivesLate(state: WatchState, nowMs: number): boolean {
  return state.kind === 'poll' && state.due_at !== undefined && nowMs > state.due_at + LATE_ARRIVAL_GRACE_MS;
}

/** Polls Huawei (a poll step) and decides; a delivery round has its outcome already. */
async function decideStep({ state, ports, settings, log }: StepContext): Promise<StepDecision> {
  if (state.kind === 'deliver' && state.event !== null) return { kind: 'terminal', event: state.event };
  const observation = await observe(state, ports);
  ports.metrics.count('Polls');
  const nowMs = ports.clock.now();
  const decision = decidePoll(state, observation, nowMs, settings.pollSchedule);
  if (decision.action === 'notify') return { kind: 'terminal', event: decision.event };
  if (decision.action === 'end_quietly') return { kind: 'ended', reason: decision.reason };
  if (decision.warning) log.warn(decision.warning);
  const next = { ...decision.next, due_at: nowMs + decision.delaySeconds * 1000 };
  const message = { body: encodeStateMessage(next, ports.stateKeys), delaySeconds: decision.delaySeconds };
  // Recorded with the step, so a replay delivers the same notice (same timestamp), not a new one.
  const notice = decision.notice ?? startedEventOf(state, decision.next, nowMs);
  const wanted = notice !== null && selectTargets(ports.targets, notice, state.request).length > 0;
  return { kind: 'successor', message, ...(wanted ? { notice } : {}) };
}

/**
 * A decided step seen again acts again only when its successor has not been recorded, and only
 * for the message that decided it (a redelivery: its send may have been lost) or when the
 * successor is long overdue (a broken chain). Any other copy is a duplicate: acting on it would
 * fork the chain.
 */
async function mayActAgain({ state, messageId, ports }: StepContext, existing: StepRecord): Promise<boolean> {
  const delayMs = existing.decision.kind === 'successor' ? existing.decision.message.delaySeconds * 1000 : 0;
  const overdue = ports.clock.now() - existing.decidedAtMs > delayMs + STEP_OVERDUE_MS;
  if (existing.owner !== messageId && !overdue) return false;
  return (await ports.store.readStep({ watchId: state.watch_id, step: state.step + 1 })) === null;
}

/**
 * Acts on a step's decision. `firstDecided`: this attempt recorded it just now, so nothing can have
 * been delivered for it yet (its event or notice is new) and the delivery records need no read.
 */
async function act(context: StepContext, decision: StepDecision, { firstDecided }: { firstDecided: boolean }): Promise<StepOutcome> {
  const { state, ports } = context;
  const unsettled = firstDecided && state.kind === 'poll';
  if (decision.kind === 'successor') {
    if (decision.notice) await deliverToOwedTargets(context, decision.notice, { unsettled });
    return { kind: 'send', message: decision.message, log: context.log };
  }
  if (decision.kind === 'ended') {
    if (state.step > 0) await ports.store.endWatch(gatewayKeyFor(state.request), state.watch_id, ports.clock.now());
    return { kind: 'finished' };
  }
  if (state.kind === 'poll' && state.step > 0) await ports.store.endWatch(gatewayKeyFor(state.request), state.watch_id, ports.clock.now());
  return deliverOutcome(context, decision.event, { unsettled });
}

function logDecision({ state, log, ports }: StepContext, decision: StepDecision): void {
  if (state.step === 0) {
    log.info('watch started', { region: state.request.region, instance_name: state.request.instance_name });
    ports.metrics.count('WatchesStarted');
  }
  if (decision.kind === 'ended') {
    log.info('watch ended with nothing to tell', { reason: decision.reason });
    ports.metrics.count('WatchesEndedQuietly');
  } else if (decision.kind === 'terminal') {
    if (state.kind === 'deliver') return;
    const { outcome, elapsed, error_code } = decision.event.data;
    log.info('watch ended', { outcome, elapsed, error_code });
    ports.metrics.count('Outcomes', 1, { outcome });
  } else {
    log.info('polling again', { delaySeconds: decision.message.delaySeconds });
  }
}

function keyOf(state: WatchState): StepKey {
  return { watchId: state.watch_id, step: state.step };
}

/**
 * A sweep's nomination of a creation starts a watch only for a gateway with none on record; one of
 * another operation (or of its health) starts like a request, since the watcher's first look ends
 * it quietly when the gateway is not (or no longer) in that status.
 */
function startPolicyOf(message: ParsedMessage): StartPolicy {
  return message.kind === 'request' && message.request.origin === 'discovery' && message.request.operation === 'creation' ? 'discovery' : 'request';
}

/**
 * How long a watch may run: the configured timeout; a health watch, which lasts as long as the
 * gateway stays unhealthy, up to what the record retention allows beside the delivery budget.
 */
function timeoutSecondsOf(request: WatchRequest, settings: WatchSettings): number {
  if (request.operation !== 'health') return settings.watchTimeoutSeconds;
  return Math.max(settings.watchTimeoutSeconds, Math.min(HEALTH_WATCH_MAX_SECONDS, MAX_WATCH_LIFETIME_SECONDS - settings.deliveryBudgetSeconds));
}

/**
 * The last moment a state message can legitimately arrive: after its watch's deadline, the
 * delivery budget and the dead-letter queue's retention. Records are kept longer than that, so
 * anything older could no longer be deduplicated and is set aside instead.
 */
function replayableUntilMs(state: WatchState, settings: WatchSettings): number {
  return state.deadline_at + WATCH_LIVE_GRACE_MS + settings.deliveryBudgetSeconds * 1000 + DEAD_LETTER_RETENTION_SECONDS * 1000;
}

async function rejectMessage(record: IncomingRecord, error: InvalidMessageError | ForgedStateError, ports: WatchPorts): Promise<StepOutcome> {
  const reason = error.message;
  const detail = error instanceof ForgedStateError ? error.detail : undefined;
  ports.log.error('invalid message rejected; moving it to the dead-letter queue', { messageId: record.messageId, reason, detail });
  ports.metrics.count(error instanceof ForgedStateError ? 'ForgedStates' : 'InvalidMessages');
  try {
    await ports.queue.sendToDeadLetter(record.body, reason);
    ports.metrics.count('DeadLettered', 1, { reason: 'invalid' });
    return { kind: 'finished' };
  } catch (failure) {
    ports.log.error('dead-letter queue not reached; SQS redrive will move the message', { messageId: record.messageId, error: describeError(failure) });
    return { kind: 'failed' };
  }
}
