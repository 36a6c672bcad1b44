/** Notifying targets (lib/notify implements it for every channel). */
import type { EventKind, NotificationEvent } from '../events.js';
import type { Operation } from '../request.js';
import type { Log } from './observability.js';

/** One entry of `NOTIFY_URLS`, parsed (lib/notify/targets.ts). */
export interface Target {
  /** Stable, secret-free id (a short hash of type and URL): the key of delivery records. */
  id: string;
  /** The channel, one of lib/notify's `CHANNEL_TYPES`: for logs and metrics here. */
  type: string;
  /** The URL to post to, without any `TYPE+` prefix or signing secret. A secret itself: never log it. */
  url: string;
  /** DingTalk/Feishu signing secret given with the URL; never sent to the receiver. */
  secret?: string;
  /** What logs and messages may show, e.g. `slack hooks.slack.com #3f2a9c`. */
  display: string;
  /** `on=`: the events it wants. Absent: every outcome (not `started`, not `cancelled`). */
  on?: readonly EventKind[];
  /** `op=`: the operations it hears about (`health` for health events). Absent: every operation. */
  operations?: readonly Operation[];
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
 * Never throws: every failure is a `DeliveryResult`. It never waits for a target's pace and logs
 * no outcome: the caller logs each delivery once.
 */
export interface Notifier {
  deliver(event: NotificationEvent, target: Target, options: DeliverOptions): Promise<DeliveryResult>;
}
