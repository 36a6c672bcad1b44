/**
 * What one step of a watch works with: the ports and settings the use case is given, the record
 * it processes, and the `StepContext` that carries them through a step.
 */
import type { Clock, InstanceDetailSource, Log, Metrics, Notifier, ProgressSource, StepStore, Target, WatchQueue } from './ports/index.js';
import type { PollSchedule } from './schedule.js';
import type { StateSigningKeys } from './state-message.js';
import type { WatchState } from './state.js';

/** Everything the use case works through, passed in (ports as parameters). */
export interface WatchPorts {
  progressSource: ProgressSource;
  /** Huawei's instance detail: how a creation is known to be Running, and how the other operations are watched. */
  instanceDetails?: InstanceDetailSource;
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

/** One step in progress: the state it carries and everything it works with. */
export interface StepContext {
  state: WatchState;
  /** The SQS message id of this attempt (the owner of what it records). */
  messageId: string;
  ports: WatchPorts;
  settings: WatchSettings;
  /** When the invocation is stopped (the Lambda's deadline): no post starts after it, less the safety margin. */
  deadlineMs: number;
  /** The ports' log, with the step's keys (watch, step, gateway, message id) on every line. */
  log: Log;
}
