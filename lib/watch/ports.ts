/**
 * The core's ports: every interface the watch use case works through, and the data they carry.
 * Adapters (lib/apig, lib/queue, lib/store, lib/notify, lib/runtime) implement them and import
 * them from here; nothing in lib/watch imports an adapter (test/unit/dependency-rules.test.ts).
 */
import type { EventKind, NotificationEvent, WatchEvent } from './notification-event.js';
import type { PollSchedule } from './schedule.js';
import type { StateSigningKeys } from './state-message.js';

// Logging

/**
 * The logging port every module receives. Powertools' `Logger` satisfies it; tests pass a
 * recording logger. Never log a secret: URLs of targets are logged by their `display` form.
 */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** A logger that drops everything, for callers that do not care. */
export const SILENT_LOG: Log = { debug() {}, info() {}, warn() {}, error() {} };

// Clock and metrics

/** The clock the use case reads; the demo runs it faster than real time. */
export interface Clock {
  now(): number;
}

/** The metrics port (Powertools Metrics in Lambda: CloudWatch EMF). */
export interface Metrics {
  count(name: string, value?: number, dimensions?: Record<string, string>): void;
  milliseconds(name: string, value: number, dimensions?: Record<string, string>): void;
}

export const NO_METRICS: Metrics = { count() {}, milliseconds() {} };

// Reading creation progress (lib/apig)

/** Which gateway's creation progress to read. IDs are already validated (lib/watch/request.ts). */
export interface ProgressTarget {
  projectId: string;
  instanceId: string;
  region: string;
}

/** One answer of `GET /v2/{project_id}/apigw/instances/{instance_id}/progress`, normalised. */
export interface ProgressReport {
  /** Lower-cased status: `creating`, `success`, `failed`, or whatever else Huawei sends. */
  status: string;
  progress: number | null;
  errorCode: string | null;
  errorMsg: string | null;
  /** Unix time in milliseconds (Huawei's seconds are converted: a value below 10^12 is seconds). */
  startTimeMs: number | null;
  endTimeMs: number | null;
}

/** The port the use case reads progress through. Throws `ApigError` subclasses only. */
export interface ProgressSource {
  fetchProgress(target: ProgressTarget): Promise<ProgressReport>;
}

// The watch queue (lib/queue)

/** One message to (re-)enqueue. `id` is the caller's correlation id, unique within one call. */
export interface OutgoingMessage {
  id: string;
  body: string;
  delaySeconds: number;
}

/** The port the use case sends through. */
export interface WatchQueue {
  /**
   * Sends all messages in as few `SendMessageBatch` calls as SQS allows (10 entries and 256 KiB
   * per call). Never throws: returns the ids that were not sent, each with the reason.
   */
  sendBatch(messages: OutgoingMessage[]): Promise<Map<string, string>>;
  /** Sends a message straight to the dead-letter queue, with the reason as a message attribute. */
  sendToDeadLetter(body: string, reason: string): Promise<void>;
  /** Makes received messages visible again after `visibilitySeconds` (sooner than the queue's timeout). */
  retryLater(messages: MessageRetry[]): Promise<void>;
}

/** A received message to bring back after `visibilitySeconds`. */
export interface MessageRetry {
  receiptHandle: string;
  visibilitySeconds: number;
}

// The step store (lib/store)

/** Identifies one step of one watch: never the SQS `messageId` (a re-sent successor has a new one). */
export interface StepKey {
  watchId: string;
  step: number;
}

/** What a step decided: the message that continues the watch, or the outcome to deliver. */
export type StepDecision =
  /** `started`: the opt-in notice this step owes (the watch's first progress), delivered before the successor is sent. */
  { kind: 'successor'; message: { body: string; delaySeconds: number }; started?: NotificationEvent } | { kind: 'terminal'; event: WatchEvent };

/** A step's recorded result, written once (put-if-absent) and acted on by every attempt. */
export interface StepRecord {
  decision: StepDecision;
  /** The SQS message id of the attempt that recorded it: a redelivery of that message may act again. */
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

/** The port through which the use case makes processing idempotent. */
export interface StepStore {
  /** Records a step's decision unless one is recorded already (then returns that one). One write. */
  recordStep(key: StepKey, record: StepRecord): Promise<RecordResult>;
  /** A step's recorded decision, if any: a successor's record also proves the successor was sent. */
  readStep(key: StepKey): Promise<StepRecord | null>;
  /**
   * Starts a watch of a gateway with its step 0 decided (one write), unless `policy` forbids it; an
   * ended step 0 (`endedAtMs`) starts and ends the watch at once.
   */
  startWatch(gatewayKey: string, watch: GatewayWatch, nowMs: number, policy: StartPolicy): Promise<StartResult>;
  /** Marks the gateway's watch `watchId` ended, so that a new request starts a new watch. */
  endWatch(gatewayKey: string, watchId: string, nowMs: number): Promise<void>;
  /** The gateway's watch on record, if any. */
  currentWatch(gatewayKey: string): Promise<GatewayWatch | null>;
  /** Ids of the targets already settled (delivered, or refused for good) for one outcome event. */
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

/** What claiming a delivery found: taken, settled already, or held by another copy until `untilMs`. */
export type ClaimResult = { kind: 'claimed' } | { kind: 'settled' } | { kind: 'held'; untilMs: number };

// Notifying targets (lib/notify)

export const CHANNEL_TYPES = ['slack', 'webhook', 'feishu', 'dingtalk', 'wecom', 'teams', 'discord'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** One entry of `NOTIFY_URLS`, parsed. */
export interface Target {
  /** Stable, secret-free id (a short hash of type and URL): the key of delivery records. */
  id: string;
  type: ChannelType;
  /** The URL to post to, without any `TYPE+` prefix or signing secret. A secret itself: never log it. */
  url: string;
  /** DingTalk/Feishu signing secret given with the URL; never sent to the receiver. */
  secret?: string;
  /** What logs and messages may show, e.g. `slack hooks.slack.com #3f2a9c`. */
  display: string;
  /** `on=`: the events it wants. Absent: every outcome (not `started`). */
  on?: readonly EventKind[];
  /** `when=`: context labels that must match, each label one of its values. Absent: any context. */
  when?: Readonly<Record<string, readonly string[]>>;
  /** `group=`: used only for requests that name one of these in `notify`. Absent: every watch. */
  groups?: readonly string[];
}

export type DeliveryResult =
  /** The receiver accepted the message. */
  | { status: 'delivered'; attempts: number; httpStatus: number }
  /**
   * Not delivered in this call, but worth trying again later: still failing after the retries that
   * fit (`paced` absent), or not posted at all because the target's pace would be exceeded
   * (`paced: true`, `attempts` 0). `notBeforeMs` (on the notifier's clock) is the earliest time this
   * target may be tried again: the slot held for it, a 429's `Retry-After`, or the next backoff.
   */
  | { status: 'retry_later'; attempts: number; reason: string; notBeforeMs?: number; paced?: true }
  /** The receiver refused it for good (4xx, a gone channel, a body-level error that will not pass). */
  | { status: 'rejected'; attempts: number; reason: string; gone: boolean };

export interface DeliverOptions {
  /** No post starts at or after this time (the notifier's clock). */
  giveUpAtMs: number;
  /** Where failed attempts are logged, e.g. a log carrying the record's keys; the notifier's own by default. */
  log?: Log;
}

/**
 * The port the use case delivers through. Never throws: every failure is a `DeliveryResult`. It
 * never waits for a target's pace and logs no outcome: the caller logs each delivery once.
 */
export interface Notifier {
  deliver(event: NotificationEvent, target: Target, options: DeliverOptions): Promise<DeliveryResult>;
}

// The use case

/** Everything the use case works through, passed in (ports as parameters). */
export interface WatchPorts {
  progressSource: ProgressSource;
  queue: WatchQueue;
  store: StepStore;
  notifier: Notifier;
  targets: Target[];
  /** Signs the state the watcher sends itself, and checks what comes back. */
  stateKeys: StateSigningKeys;
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

/** One SQS record, as much of it as the use case needs (Lambda's `SQSRecord` is one). */
export interface IncomingRecord {
  messageId: string;
  body: string;
  /** For bringing a failed record back sooner than the visibility timeout. */
  receiptHandle?: string;
  attributes?: { ApproximateReceiveCount?: string };
}

/** What became of one record. `send`: acknowledged once its successor is on the queue. */
export type StepOutcome = { kind: 'finished' } | { kind: 'failed' } | { kind: 'send'; message: { body: string; delaySeconds: number }; log: Log };

/** Time kept free at the end of an invocation to send successors. */
export const INVOCATION_SAFETY_MARGIN_MS = 5_000;
