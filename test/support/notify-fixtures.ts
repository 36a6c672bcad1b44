import {
  hintFor,
  EVENT_KINDS,
  type EventData,
  type EventKind,
  type NotificationEvent,
  type Outcome,
  type OutcomeData,
  type OutcomeEvent,
} from '../../lib/watch/events.js';
import type { Target } from '../../lib/watch/ports/notifier.js';

/** Fixed clock of the notify fixtures: the golden files depend on it. */
export const NOTIFY_NOW_MS = Date.UTC(2026, 10, 28, 10, 15, 42, 123);
/** A Standard Webhooks secret for tests (`whsec_` + base64 of 24 fixed bytes). */
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from('apig-watch-test-secret-0').toString('base64')}`;

const STARTED_AT = '2026-11-28T10:10:18.373Z';

/** What Huawei answered last, per event, in the fixed event set. */
const EVENT_DATA: Record<EventKind, Partial<EventData>> = {
  succeeded: { status: 'success', progress: 100, finished_at: '2026-11-28T10:15:42.123Z', elapsed_ms: 323_750, elapsed: '5m 24s', polls: 11 },
  failed: {
    status: 'failed',
    progress: 50,
    error_code: 'APIC.9218',
    error_msg: 'create failed...',
    hint: hintFor('failed', 'APIC.9218'),
    finished_at: '2026-11-28T10:12:20.373Z',
    elapsed_ms: 122_000,
    elapsed: '2m 02s',
    polls: 5,
  },
  not_found: { error_code: 'APIC.7302', error_msg: 'Instance not found', elapsed_ms: 42_000, elapsed: '42s', polls: 1 },
  unauthorized: { error_code: 'APIC.7102', error_msg: 'Incorrect token or token resolution failed', elapsed_ms: 3_000, elapsed: '3s', polls: 1 },
  forbidden: { error_code: 'APIC.7106', error_msg: 'No permissions to request for the method', elapsed_ms: 3_000, elapsed: '3s', polls: 1 },
  timed_out: { status: 'creating', progress: 90, elapsed_ms: 7_201_000, elapsed: '2h 00m 01s', polls: 240 },
  unavailable: {
    status: 'creating',
    progress: 50,
    error_code: 'APIC.9000',
    error_msg: 'Failed to request internal service',
    elapsed_ms: 1_325_000,
    elapsed: '22m 05s',
    polls: 38,
  },
  cancelled: {
    status: 'creating',
    progress: 50,
    error_msg: 'cancelled by arn:aws:sts::123456789012:assumed-role/ops/alice: creation abandoned (OPS-1234)',
    elapsed_ms: 900_000,
    elapsed: '15m 00s',
    polls: 9,
  },
  recovered: { elapsed_ms: 1_800_000, elapsed: '30m 00s', polls: 30 },
  unhealthy: { elapsed_ms: 0, elapsed: '0s', polls: 1 },
  frozen: { elapsed_ms: 0, elapsed: '0s', polls: 1 },
  not_started: {
    elapsed_ms: 600_000,
    elapsed: '10m 00s',
    polls: 20,
    error_msg: 'the instance status stayed Running: the creation never showed within 10 minutes',
  },
  started: { status: 'creating', progress: 30, elapsed_ms: 64_000, elapsed: '1m 04s', polls: 1 },
};

/**
 * An event as the watch builds it (docs/contracts.md, "Generic webhook event — contract"), for `outcome`, with overrides of `data`.
 *
 * @example
 * watchEventFactory('failed', { instance_name: '<!channel>' });
 */
export function watchEventFactory(outcome: Outcome = 'succeeded', data: Partial<OutcomeData> = {}): OutcomeEvent {
  return notificationEventFactory(outcome, data) as OutcomeEvent;
}

/**
 * Any notified event (an outcome's or `started`), with overrides of `data`.
 *
 * @example
 * notificationEventFactory('started', { progress: 50 });
 */
export function notificationEventFactory(outcome: EventKind, data: Partial<EventData> = {}): NotificationEvent {
  return {
    type: `apig.gateway.${data.operation ?? 'creation'}.${outcome}`,
    id: `w_7c1e5d2a9b_${outcome}`,
    timestamp: new Date(NOTIFY_NOW_MS).toISOString(),
    data: {
      outcome,
      operation: 'creation',
      project_id: '0123456789abcdef0123456789abcdef',
      instance_id: 'fedcba9876543210fedcba9876543210',
      instance_name: 'orders-gw-prod',
      region: 'ap-southeast-1',
      status: null,
      instance_status: null,
      progress: null,
      error_code: null,
      error_msg: null,
      hint: null,
      unavailable_reason: null,
      started_at: STARTED_AT,
      finished_at: null,
      elapsed_ms: null,
      elapsed: null,
      polls: 0,
      context: { ticket: 'OPS-1234', env: 'prod' },
      gateway: null,
      ...EVENT_DATA[outcome],
      ...data,
    },
  };
}

/** One event per outcome, and the `started` notice. */
export const FIXED_EVENTS: ReadonlyArray<NotificationEvent> = EVENT_KINDS.map((kind) => notificationEventFactory(kind));

/** A target as `parseNotifyUrls` makes it, without hashing (the id is fixed). */
export function targetFactory(type: Target['type'], url: string, secret?: string): Target {
  return { id: `test-${type}`, type, url, display: `${type} test #test-${type}`, ...(secret === undefined ? {} : { secret }) };
}
