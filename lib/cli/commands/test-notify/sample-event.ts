import {
  buildHealthNotice,
  buildOutcomeEvent,
  buildStartedEvent,
  type EventKind,
  type NotificationEvent,
  type Outcome,
  type OutcomeEvent,
  type LastSeen,
  initialState,
} from '../../../watch/index.js';

/** What a watch of each outcome would have seen, for `test-notify` (Huawei's own codes and words). */
const SAMPLES: Readonly<Record<Outcome, { elapsedMs: number; polls: number; last: Partial<LastSeen> | null; code: string | null; message: string | null }>> = {
  succeeded: { elapsedMs: 372_000, polls: 11, last: { status: 'success', progress: 100 }, code: null, message: null },
  failed: { elapsedMs: 220_000, polls: 7, last: { status: 'failed', progress: 0 }, code: 'APIC.9218', message: 'create failed...' },
  not_found: { elapsedMs: 2_000, polls: 1, last: null, code: 'APIC.7302', message: 'Instance not found' },
  unauthorized: { elapsedMs: 2_000, polls: 1, last: null, code: 'APIC.7102', message: 'Incorrect token or token resolution failed' },
  forbidden: { elapsedMs: 2_000, polls: 1, last: null, code: 'APIC.7106', message: 'No permissions to request for the method' },
  timed_out: { elapsedMs: 7_201_000, polls: 160, last: { status: 'creating', progress: 90 }, code: null, message: null },
  unavailable: {
    elapsedMs: 1_325_000,
    polls: 38,
    last: { status: 'creating', progress: 50 },
    code: null,
    message: 'APIG progress request answered HTTP 500 APIC.9000: Failed to request internal service',
  },
  cancelled: {
    elapsedMs: 900_000,
    polls: 9,
    last: { status: 'creating', progress: 50 },
    code: null,
    message: 'cancelled by arn:aws:sts::123456789012:assumed-role/ops/alice: creation abandoned',
  },
  recovered: { elapsedMs: 1_800_000, polls: 30, last: null, code: null, message: null },
  not_started: {
    elapsedMs: 600_000,
    polls: 20,
    last: null,
    code: null,
    message: 'the instance status stayed Running: the creation never showed within 10 minutes',
  },
};

/**
 * A sample outcome event for `apig-watch test-notify`, built the way a real watch builds its event.
 * Its `id` is new for each call, so receivers that drop repeated webhook-ids still show every test.
 *
 * @example
 * sampleEvent('failed', Date.now()).data.hint // 'insufficient quota: ask for a quota increase'
 */
function sampleEvent(outcome: Outcome, nowMs: number): OutcomeEvent {
  const sample = SAMPLES[outcome];
  const startedMs = nowMs - sample.elapsedMs;
  const request = {
    project_id: '0123456789abcdef0123456789abcdef',
    instance_id: 'fedcba9876543210fedcba9876543210',
    region: 'ap-southeast-1',
    instance_name: 'apig-watch-test',
    context: { sent_by: 'apig-watch test-notify' },
    operation: 'creation' as const,
  };
  const state = {
    ...initialState(request, startedMs, 7200),
    polls: sample.polls,
    last:
      sample.last === null
        ? null
        : {
            status: 'creating',
            progress: null,
            start_time_ms: startedMs,
            end_time_ms: nowMs,
            error_code: sample.code,
            error_msg: sample.message,
            ...sample.last,
          },
  };
  const event = buildOutcomeEvent(state, { outcome, errorCode: sample.code, errorMsg: sample.message }, nowMs);
  return { ...event, id: `${event.id}_test_${nowMs}` };
}

/**
 * A sample of any notified event for `apig-watch test-notify`: an outcome's (`sampleEvent`) or the
 * opt-in `started` notice, with `context` as the watch's labels.
 *
 * @example
 * sampleNotification('started', Date.now(), { team: 'payments' }).type // 'apig.gateway.creation.started'
 */
export function sampleNotification(kind: EventKind, nowMs: number, context: Record<string, string>): NotificationEvent {
  const event: NotificationEvent =
    kind === 'started' ? sampleStartedEvent(nowMs) : kind === 'unhealthy' || kind === 'frozen' ? sampleHealthNotice(kind, nowMs) : sampleEvent(kind, nowMs);
  return { ...event, data: { ...event.data, context } };
}

function sampleHealthNotice(kind: 'unhealthy' | 'frozen', nowMs: number): NotificationEvent {
  const { project_id, instance_id, region, instance_name } = sampleEvent('succeeded', nowMs).data;
  const state = initialState({ project_id, instance_id, region, instance_name, context: {}, operation: 'health' }, nowMs, 7200);
  const event = buildHealthNotice({ ...state, polls: 1 }, kind, nowMs);
  return { ...event, id: `${event.id}_test_${nowMs}` };
}

function sampleStartedEvent(nowMs: number): NotificationEvent {
  const startedMs = nowMs - 64_000;
  const { project_id, instance_id, region, instance_name } = sampleEvent('succeeded', nowMs).data;
  const state = {
    ...initialState({ project_id, instance_id, region, instance_name, context: {}, operation: 'creation' }, startedMs, 7200),
    polls: 1,
    last: { status: 'creating', progress: 30, start_time_ms: startedMs, end_time_ms: nowMs, error_code: null, error_msg: null },
  };
  const event = buildStartedEvent(state, nowMs);
  return { ...event, id: `${event.id}_test_${nowMs}` };
}
