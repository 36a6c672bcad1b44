import type { ProgressSource } from '../apig/types.js';
import type { Log } from '../logger.js';
import type { Notifier, Target } from '../notify/types.js';
import type { Clock, Metrics } from '../ports.js';
import type { WatchQueue } from '../queue/watch-queue.js';
import type { StepStore } from '../store/step-store.js';
import type { PollSchedule } from './schedule.js';
import type { StateSigningKeys } from './state-message.js';

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
export type StepOutcome =
  | { kind: 'finished' }
  | { kind: 'failed' }
  | { kind: 'send'; message: { body: string; delaySeconds: number }; log: Log };

/** Time kept free at the end of an invocation to send successors. */
export const INVOCATION_SAFETY_MARGIN_MS = 5_000;
