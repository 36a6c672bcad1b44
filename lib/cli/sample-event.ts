import { buildOutcomeEvent } from '../watch/event.js';
import type { Outcome, WatchEvent } from '../watch/outcome.js';
import { startWatch, type LastSeen } from '../watch/state.js';

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
};

/**
 * A sample outcome event for `apig-watch test-notify`, built the way a real watch builds its event.
 * Its `id` is new for each call, so receivers that drop repeated webhook-ids still show every test.
 *
 * @example
 * sampleEvent('failed', Date.now()).data.hint // 'insufficient quota: ask for a quota increase'
 */
export function sampleEvent(outcome: Outcome, nowMs: number): WatchEvent {
  const sample = SAMPLES[outcome];
  const startedMs = nowMs - sample.elapsedMs;
  const request = {
    project_id: '0123456789abcdef0123456789abcdef',
    instance_id: 'fedcba9876543210fedcba9876543210',
    region: 'ap-southeast-1',
    instance_name: 'apig-watch-test',
    context: { sent_by: 'apig-watch test-notify' },
  };
  const state = {
    ...startWatch(request, startedMs, 7200),
    polls: sample.polls,
    last:
      sample.last === null
        ? null
        : { status: 'creating', progress: null, start_time_ms: startedMs, end_time_ms: nowMs, error_code: sample.code, error_msg: sample.message, ...sample.last },
  };
  const event = buildOutcomeEvent(state, { outcome, errorCode: sample.code, errorMsg: sample.message }, nowMs);
  return { ...event, id: `${event.id}_test_${nowMs}` };
}
