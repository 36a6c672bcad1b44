/**
 * The step store: how the use case makes processing idempotent (lib/store implements it over
 * DynamoDB; lib/store/memory-step-store.ts in memory), and the rules about a gateway's watches both
 * stores keep.
 */
import type { NotificationEvent, OutcomeEvent } from '../events.js';

/** Identifies one step of one watch: never the SQS `messageId` (a re-sent successor has a new one). */
export interface StepKey {
  watchId: string;
  step: number;
}

/** What a step decided: the message that continues the watch, or the outcome to deliver. */
export type StepDecision =
  /** `notice`: what this step owes besides (a creation's first progress, a health change), delivered before the successor is sent. */
  | { kind: 'successor'; message: { body: string; delaySeconds: number }; notice?: NotificationEvent }
  | { kind: 'terminal'; event: OutcomeEvent }
  /** The watch ends with nothing to tell: what it was nominated for was not (or no longer) so (a stale sweep). */
  | { kind: 'ended'; reason: string };

/** A step's recorded result, written once (put-if-absent) and acted on by every attempt. */
export interface StepRecord {
  decision: StepDecision;
  /** The SQS message id of the attempt that recorded it (a redelivery of that message may act again), or an operator's `operator:…`. */
  owner: string;
  /** When it was decided, on the watcher's clock. */
  decidedAtMs: number;
}

/** The watch a gateway has now: the record of its step 0, and whether it has ended. */
export interface GatewayWatch {
  watchId: string;
  step0: StepRecord;
  /** When the watch reached its outcome; `null` while it is polling. */
  endedAtMs: number | null;
  /** After this a watch that never ended counts as gone (its chain died), and a request may start another. */
  liveUntilMs: number;
}

/**
 * Who asks to start a watch: a producer's `request` starts one unless a watch of the gateway is
 * active; a `discovery` sweep only when the gateway has no watch on record at all (active, or ended
 * within the record retention), so a sweep never notifies an ended creation again.
 */
export type StartPolicy = 'request' | 'discovery';

export type RecordResult = { recorded: true } | { recorded: false; existing: StepRecord };
export type StartResult = { started: true } | { started: false; current: GatewayWatch };
/** What claiming a delivery found: taken, settled already, or held by another copy until `untilMs`. */
export type ClaimResult = { kind: 'claimed' } | { kind: 'settled' } | { kind: 'held'; untilMs: number };

export interface StepStore {
  /** Records a step's decision unless one is recorded already (then returns that one). One write. */
  recordStep(key: StepKey, record: StepRecord): Promise<RecordResult>;
  /** A step's recorded decision, if any: a successor's record also proves the successor was sent. */
  readStep(key: StepKey): Promise<StepRecord | null>;
  /**
   * Records a gateway's watch with its step 0 decided (one write), unless `policy` forbids it
   * (`mayStartWatch`); an ended step 0 (`endedAtMs`) starts and ends the watch at once.
   */
  recordWatch(gatewayKey: string, watch: GatewayWatch, nowMs: number, policy: StartPolicy): Promise<StartResult>;
  /** Marks the gateway's watch `watchId` ended, so that a new request starts a new watch. */
  endWatch(gatewayKey: string, watchId: string, nowMs: number): Promise<void>;
  /** The gateway's watch on record, if any. */
  currentWatch(gatewayKey: string): Promise<GatewayWatch | null>;
  /** Ids of the targets already settled (delivered, or refused for good) for one event. */
  settledTargets(eventId: string): Promise<Set<string>>;
  /**
   * Takes one target's delivery of one event until `heldUntilMs` (wall clock), unless the target has
   * settled it or another copy holds a claim that has not expired. One conditional write; a read
   * only when refused, to say why.
   */
  claimDelivery(eventId: string, targetId: string, heldUntilMs: number): Promise<ClaimResult>;
  /** Gives up the claim taken until `heldUntilMs` (a post that did not go through), so a retry need not wait it out. */
  releaseDelivery(eventId: string, targetId: string, heldUntilMs: number): Promise<void>;
  /** Marks a target's delivery of an event settled: no copy claims it again. */
  recordSettled(eventId: string, targetId: string): Promise<void>;
}

/** SQS keeps a dead-letter message at most this long (its maximum retention). */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;
/**
 * How long records outlive their write. Anything that can bring a step back — a duplicate, a
 * delivery round, a redrive from the dead-letter queue after its 14 days — comes within the watch
 * timeout plus the delivery budget plus those 14 days; the settings are checked against this.
 */
export const RECORD_RETENTION_SECONDS = 21 * 24 * 3600;
/** A watch's timeout and delivery budget together may not exceed this (retention − 14 days − 1 day of slack). */
export const MAX_WATCH_LIFETIME_SECONDS = RECORD_RETENTION_SECONDS - DEAD_LETTER_RETENTION_SECONDS - 24 * 3600;

/**
 * Whether a gateway's watch on record lets `policy` start the watch `watchId` now (the rule both
 * stores keep). A watch never starts twice: its own request seen again continues it instead.
 *
 * @example
 * mayStartWatch(null, 'w_…', Date.now(), 'discovery') // true: nothing on record
 */
export function mayStartWatch(current: GatewayWatch | null, watchId: string, nowMs: number, policy: StartPolicy): boolean {
  if (current === null) return true;
  return policy === 'request' && current.watchId !== watchId && !isWatchActive(current, nowMs);
}

/**
 * Whether a gateway's watch is still polling: not ended, and not past its deadline (with grace).
 *
 * @example
 * const joined = current !== null && isWatchActive(current, Date.now()); // a request joins the watch under way
 */
export function isWatchActive(watch: GatewayWatch, nowMs: number): boolean {
  return watch.endedAtMs === null && watch.liveUntilMs >= nowMs;
}
