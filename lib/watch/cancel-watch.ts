import { buildOutcomeEvent } from './events.js';
import { type GatewayWatch, isWatchActive, type StepKey, type StepStore } from './ports/index.js';
import { unverifiedStateOf } from './state-message.js';
import { gatewayKeyFor } from './state.js';

/**
 * The owner of a step record an operator wrote (`apig-watch cancel`), never an SQS message id:
 * every copy of that step acts on it (docs/architecture.md, "Exactly once").
 */
export const OPERATOR_OWNER_PREFIX = 'operator:';
/** How often a cancel tries again when the watcher records the step it aimed at first. */
const CANCEL_ATTEMPTS = 5;

export type CancelResult = { cancelled: true; watchId: string; step: number } | { cancelled: false; reason: string };

/**
 * Cancels the active watch of a gateway through the step store alone: it records the terminal
 * decision `cancelled` (by `by`) of the step the watch's queued message will take next, so that
 * step, whichever copy arrives, finds it recorded and delivers it instead of polling on; and it
 * marks the gateway's watch ended. Nothing is sent to the watch queue. `watchId`, when given, must
 * be the gateway's active watch.
 *
 * @example
 * const result = await cancelWatch(store, { project_id, instance_id }, { by: 'arn:aws:iam::123456789012:user/alice', nowMs: Date.now() });
 * if (!result.cancelled) console.error(result.reason);
 */
export async function cancelWatch(
  store: StepStore,
  gateway: { project_id: string; instance_id: string },
  options: { by: string; nowMs: number; watchId?: string },
): Promise<CancelResult> {
  const gatewayKey = gatewayKeyFor(gateway);
  for (let attempt = 0; attempt < CANCEL_ATTEMPTS; attempt++) {
    const current = await store.currentWatch(gatewayKey);
    if (current === null || !isWatchActive(current, options.nowMs) || (options.watchId !== undefined && current.watchId !== options.watchId)) {
      return { cancelled: false, reason: 'no active watch of this gateway' };
    }
    const latest = await latestStep(store, current);
    if (latest.record.decision.kind !== 'successor') return { cancelled: false, reason: 'the watch has already reached its outcome' };
    const state = unverifiedStateOf(latest.record.decision.message.body);
    if (state === null || state.kind !== 'poll') return { cancelled: false, reason: 'the watch is delivering its outcome already' };
    const event = buildOutcomeEvent(state, { outcome: 'cancelled', errorCode: null, errorMsg: `cancelled by ${options.by}` }, options.nowMs);
    const key: StepKey = { watchId: current.watchId, step: latest.step + 1 };
    const record = { decision: { kind: 'terminal' as const, event }, owner: `${OPERATOR_OWNER_PREFIX}${options.by}`, decidedAtMs: options.nowMs };
    if ((await store.recordStep(key, record)).recorded) {
      await store.endWatch(gatewayKey, current.watchId, options.nowMs);
      return { cancelled: true, watchId: current.watchId, step: key.step };
    }
    // The watcher recorded that step first: aim at the one after.
  }
  return { cancelled: false, reason: `the watch kept moving on for ${CANCEL_ATTEMPTS} steps; try again` };
}

/**
 * The last recorded step of a watch (steps are recorded one after another, step 0 in the gateway
 * record): probing 1, 2, 4… then halving, a few reads for any watch length.
 */
async function latestStep(store: StepStore, watch: GatewayWatch) {
  const read = (step: number) => store.readStep({ watchId: watch.watchId, step });
  let known = { step: 0, record: watch.step0 };
  let missing: number | null = null;
  for (let probe = 1; missing === null; probe *= 2) {
    const record = await read(probe);
    if (record === null) missing = probe;
    else known = { step: probe, record };
  }
  while (missing - known.step > 1) {
    const middle = Math.floor((known.step + missing) / 2);
    const record = await read(middle);
    if (record === null) missing = middle;
    else known = { step: middle, record };
  }
  return known;
}
