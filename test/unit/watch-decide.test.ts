import { DELIVERY_RETRY_DELAYS_SECONDS, decideDelivery } from '../../lib/watch/decide-delivery.js';
import {
  UNAVAILABLE_MESSAGE_PREFIXES,
  TRANSIENT_BUDGET_SECONDS,
  UNREACHABLE_GIVE_UP_ATTEMPTS,
  decidePoll,
  type PollDecision,
} from '../../lib/watch/decide-poll.js';
import type { OutcomeEvent } from '../../lib/watch/events.js';
import { MAX_SQS_DELAY_SECONDS } from '../../lib/watch/schedule.js';
import { ECHOED_TEXT_MAX_CHARS } from '../../lib/echoed-text.js';
import { runInAnotherWorld } from '../support/another-world.js';
import { T0, progressReport, watchState } from '../support/factories.js';

const MINUTE_MS = 60_000;

function expectNotify(decision: PollDecision): OutcomeEvent {
  if (decision.action !== 'notify') throw new Error(`expected notify, got ${decision.action}`);
  return decision.event;
}

function expectPollAgain(decision: PollDecision) {
  if (decision.action !== 'poll_again') throw new Error(`expected poll_again, got ${decision.action}`);
  return decision;
}

describe('decidePoll', () => {
  it('notifies succeeded with the elapsed time from start_time to end_time', () => {
    const report = progressReport({ status: 'success', progress: 100, startTimeMs: T0, endTimeMs: T0 + 372_000 });
    const event = expectNotify(decidePoll(watchState(), { kind: 'progress', report }, T0 + 400_000));
    expect(event.type).toBe('apig.gateway.creation.succeeded');
    expect(event.data).toMatchObject({ outcome: 'succeeded', status: 'success', progress: 100, elapsed_ms: 372_000, elapsed: '6m 12s', polls: 1 });
    expect(event.data.finished_at).toBe(new Date(T0 + 372_000).toISOString());
  });

  it('compares the status case-insensitively', () => {
    const report = progressReport({ status: 'SUCCESS', progress: 100 });
    expect(expectNotify(decidePoll(watchState(), { kind: 'progress', report }, T0)).data.outcome).toBe('succeeded');
  });

  it('notifies failed with the error code, message and the quota hint for APIC.9218', () => {
    const report = progressReport({ status: 'failed', progress: 0, errorCode: 'APIC.9218', errorMsg: 'create failed...', endTimeMs: T0 + 220_000 });
    const event = expectNotify(decidePoll(watchState(), { kind: 'progress', report }, T0 + 230_000));
    expect(event.data).toMatchObject({ outcome: 'failed', error_code: 'APIC.9218', error_msg: 'create failed...', elapsed: '3m 40s' });
    expect(event.data.hint).toMatch(/quota increase/);
  });

  it('keeps the last progress reached while creating when Huawei answers progress 0 for a failure', () => {
    const creating = expectPollAgain(decidePoll(watchState(), { kind: 'progress', report: progressReport({ progress: 50 }) }, T0 + MINUTE_MS));
    const report = progressReport({ status: 'failed', progress: 0, errorCode: 'APIC.9218' });
    const event = expectNotify(decidePoll(creating.next, { kind: 'progress', report }, T0 + 2 * MINUTE_MS));
    expect(event.data).toMatchObject({ outcome: 'failed', status: 'failed', progress: 50 });
  });

  it('says nothing of the progress of a failure seen in the first answer (its 0 tells nothing)', () => {
    const report = progressReport({ status: 'failed', progress: 0, errorCode: 'APIC.9219' });
    expect(expectNotify(decidePoll(watchState(), { kind: 'progress', report }, T0)).data.progress).toBeNull();
  });

  it.each([
    ['APIC.9219', /sold out/],
    ['APIC.9206', /support/],
  ])('gives the hint of %s', (code, hint) => {
    const report = progressReport({ status: 'failed', progress: 0, errorCode: code });
    expect(expectNotify(decidePoll(watchState(), { kind: 'progress', report }, T0)).data.hint).toMatch(hint);
  });

  it('keeps polling while creating even though end_time is already filled in', () => {
    const report = progressReport({ status: 'creating', progress: 50, endTimeMs: T0 + 1000 });
    const decision = expectPollAgain(decidePoll(watchState(), { kind: 'progress', report }, T0 + 5 * MINUTE_MS));
    expect(decision.next.step).toBe(1);
    expect(decision.next.polls).toBe(1);
    expect(decision.next.last?.progress).toBe(50);
    expect(decision.delaySeconds).toBeGreaterThan(0);
  });

  it('keeps polling an unknown status with a warning until the deadline', () => {
    const report = progressReport({ status: 'provisioning' });
    const decision = expectPollAgain(decidePoll(watchState(), { kind: 'progress', report }, T0 + MINUTE_MS));
    expect(decision.warning).toMatch(/unknown status "provisioning"/);
    const atDeadline = decidePoll(decision.next, { kind: 'progress', report }, T0 + 7200_000);
    expect(expectNotify(atDeadline).data.outcome).toBe('timed_out');
  });

  it('reports timed_out at the deadline with the elapsed time and the last progress', () => {
    const state = watchState({ deadline_at: T0 + 3600_000 });
    const report = progressReport({ status: 'creating', progress: 80 });
    const event = expectNotify(decidePoll(state, { kind: 'progress', report }, T0 + 3600_000));
    expect(event.data).toMatchObject({ outcome: 'timed_out', progress: 80, elapsed: '1h 00m 00s', finished_at: null });
  });

  it('never waits past the deadline', () => {
    const state = watchState({ deadline_at: T0 + 5_000 });
    const decision = expectPollAgain(decidePoll(state, { kind: 'progress', report: progressReport() }, T0));
    expect(decision.delaySeconds).toBeLessThanOrEqual(5);
  });

  it.each(['not_found', 'unauthorized', 'forbidden'] as const)('notifies %s from a terminal error', (outcome) => {
    const observation = { kind: 'terminal_error', outcome, code: 'APIC.7302', message: 'Instance not found' } as const;
    const event = expectNotify(decidePoll(watchState(), observation, T0 + MINUTE_MS));
    expect(event.data).toMatchObject({ outcome, error_code: 'APIC.7302', error_msg: 'Instance not found' });
  });

  it('retries a throttled call after 2 to 5 seconds', () => {
    const decision = expectPollAgain(decidePoll(watchState(), { kind: 'transient_error', throttled: true, message: '429' }, T0));
    expect(decision.delaySeconds).toBeGreaterThanOrEqual(2);
    expect(decision.delaySeconds).toBeLessThanOrEqual(5);
  });

  it('backs off exponentially on repeated server errors', () => {
    let state = watchState();
    const delays: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const decision = expectPollAgain(decidePoll(state, { kind: 'transient_error', throttled: false, message: '500 APIC.9000' }, T0 + i * 1000));
      delays.push(decision.delaySeconds);
      state = decision.next;
    }
    expect(delays[3]).toBeGreaterThan(delays[0]! * 4);
    expect(state.transient).toMatchObject({ since: T0, count: 4, last_error: '500 APIC.9000' });
  });

  it('reports unavailable with the last error once transient errors outlast the budget', () => {
    const last = { status: 'creating', progress: 50, start_time_ms: T0, end_time_ms: null, error_code: null, error_msg: null, seen_at: T0 };
    const state = watchState({ last, transient: { since: T0, count: 9, last_error: 'earlier' } });
    const observation = { kind: 'transient_error', throttled: false, message: 'socket hang up' } as const;
    const event = expectNotify(decidePoll(state, observation, T0 + TRANSIENT_BUDGET_SECONDS * 1000));
    expect(event.data).toMatchObject({ outcome: 'unavailable', error_msg: 'socket hang up' });
  });

  it('says Huawei never answered, not still creating, when the deadline comes before any answer', () => {
    const state = watchState({ deadline_at: T0 + 10_000, transient: { since: T0, count: 1, last_error: 'timeout' } });
    const observation = { kind: 'transient_error', throttled: false, message: 'APIG progress request did not answer within 10000 ms' } as const;
    const event = expectNotify(decidePoll(state, observation, T0 + 10_000));
    expect(event.data).toMatchObject({ outcome: 'unavailable', status: null, progress: null });
    expect(event.data.error_msg).toBe(`${UNAVAILABLE_MESSAGE_PREFIXES.never_answered} (2 attempts): APIG progress request did not answer within 10000 ms`);
  });

  it('says Huawei never reported the progress, rather than never answered, when it answered with errors only', () => {
    const state = watchState({ transient: { since: T0, count: 9, last_error: '500' } });
    const observation = { kind: 'transient_error', throttled: false, answered: true, message: 'APIG progress request answered HTTP 500 APIC.9000' } as const;
    const event = expectNotify(decidePoll(state, observation, T0 + TRANSIENT_BUDGET_SECONDS * 1000));
    expect(event.data.error_msg).toBe(`${UNAVAILABLE_MESSAGE_PREFIXES.no_progress} (10 attempts): APIG progress request answered HTTP 500 APIC.9000`);
  });

  it('still reports timed_out at the deadline during errors once Huawei has answered', () => {
    const last = { status: 'creating', progress: 80, start_time_ms: T0, end_time_ms: null, error_code: null, error_msg: null, seen_at: T0 };
    const state = watchState({ deadline_at: T0 + 10_000, last });
    const event = expectNotify(decidePoll(state, { kind: 'transient_error', throttled: false, message: '500' }, T0 + 10_000));
    expect(event.data).toMatchObject({ outcome: 'timed_out', progress: 80 });
  });

  it(`gives up on an unreachable address after ${UNREACHABLE_GIVE_UP_ATTEMPTS} quick attempts when Huawei never answered`, () => {
    const observation = {
      kind: 'transient_error',
      throttled: false,
      unreachable: true,
      message: 'connect ECONNREFUSED 127.0.0.1:1; check APIG_ENDPOINT',
    } as const;
    let state = watchState();
    let now = T0;
    for (let attempt = 1; attempt < UNREACHABLE_GIVE_UP_ATTEMPTS; attempt += 1) {
      const decision = expectPollAgain(decidePoll(state, observation, now));
      now += decision.delaySeconds * 1000;
      state = decision.next;
    }
    const event = expectNotify(decidePoll(state, observation, now));
    expect(now - T0).toBeLessThan(30_000);
    expect(event.data.outcome).toBe('unavailable');
    expect(event.data.error_msg).toMatch(/^Huawei never answered \(3 attempts\): connect ECONNREFUSED 127\.0\.0\.1:1; check APIG_ENDPOINT$/);
  });

  it('keeps retrying an unreachable address once Huawei has answered (a passing outage)', () => {
    const last = { status: 'creating', progress: 50, start_time_ms: T0, end_time_ms: null, error_code: null, error_msg: null, seen_at: T0 };
    const state = watchState({ last, transient: { since: T0, count: 5, last_error: 'ECONNREFUSED' } });
    const decision = decidePoll(state, { kind: 'transient_error', throttled: false, unreachable: true, message: 'ECONNREFUSED' }, T0 + 60_000);
    expect(decision.action).toBe('poll_again');
  });

  describe('a refused IAM login', () => {
    const refused = (refusedLogin: { confirmedAtMs: number | null; fresh: boolean }) =>
      ({
        kind: 'transient_error',
        throttled: false,
        answered: true,
        refusedLogin: { ...refusedLogin, code: null },
        message: 'IAM refused the login with HTTP 401',
      }) as const;
    const waitingSince = (sinceMs: number) => watchState({ transient: { since: sinceMs, count: 2, last_error: 'IAM refused the login with HTTP 401' } });

    it('is a reason to look again, not an outcome, while unconfirmed, fresh or from memory', () => {
      for (const fresh of [true, false]) {
        expectPollAgain(decidePoll(watchState(), refused({ confirmedAtMs: null, fresh }), T0));
        expectPollAgain(decidePoll(waitingSince(T0), refused({ confirmedAtMs: null, fresh }), T0 + 4 * MINUTE_MS));
      }
    });

    it('ends the watch unauthorized once confirmed by this poll’s own login', () => {
      const event = expectNotify(decidePoll(watchState(), refused({ confirmedAtMs: T0, fresh: true }), T0));
      expect(event.data).toMatchObject({ outcome: 'unauthorized', error_msg: 'IAM refused the login with HTTP 401' });
    });

    it('ends the watch unauthorized when confirmed, from memory, by a login made since the watch began waiting', () => {
      const event = expectNotify(decidePoll(waitingSince(T0), refused({ confirmedAtMs: T0 + 5 * MINUTE_MS, fresh: false }), T0 + 6 * MINUTE_MS));
      expect(event.data.outcome).toBe('unauthorized');
    });

    it('only looks again when the confirmation it is served from memory came before this watch waited', () => {
      expectPollAgain(decidePoll(watchState(), refused({ confirmedAtMs: T0 - MINUTE_MS, fresh: false }), T0));
      expectPollAgain(decidePoll(waitingSince(T0), refused({ confirmedAtMs: T0 - MINUTE_MS, fresh: false }), T0 + MINUTE_MS));
    });
  });

  it('keeps a composed error_msg (its prefix and Huawei’s 512-character text) within the documented 512 characters', () => {
    const huaweiText = `APIG progress request answered HTTP 500 APIC.9000: ${'x'.repeat(ECHOED_TEXT_MAX_CHARS)}`;
    const state = watchState({ transient: { since: T0, count: 2, last_error: huaweiText } });

    const event = expectNotify(
      decidePoll(state, { kind: 'transient_error', throttled: false, answered: true, message: huaweiText }, T0 + TRANSIENT_BUDGET_SECONDS * 1000),
    );

    expect(event.data.error_msg?.startsWith(`${UNAVAILABLE_MESSAGE_PREFIXES.no_progress} (3 attempts): APIG progress request answered HTTP 500`)).toBe(true);
    expect([...(event.data.error_msg ?? '')]).toHaveLength(ECHOED_TEXT_MAX_CHARS);
    expect(event.data.error_msg?.endsWith('…')).toBe(true);
  });

  it('forgets a run of transient errors after a good answer', () => {
    const state = watchState({ transient: { since: T0, count: 3, last_error: '500' } });
    const decision = expectPollAgain(decidePoll(state, { kind: 'progress', report: progressReport() }, T0 + MINUTE_MS));
    expect(decision.next.transient).toBeNull();
  });

  it('keeps every delay within SQS limits, whatever the state', () => {
    const delays: number[] = [];
    const ends = new Set<string>();
    for (let i = 0; i < 300; i += 1) {
      const progress = [null, 30, 50, 80, 90][i % 5] ?? null;
      const now = T0 + i * 37_000;
      const state = watchState({ step: i, marks: progress ? [{ progress, seen_at: T0 + (i % 7) * 10_000, after: null }] : [] });
      const observation =
        i % 3 === 0
          ? ({ kind: 'transient_error', throttled: i % 2 === 0, message: 'x' } as const)
          : ({ kind: 'progress', report: progressReport({ progress, startTimeMs: T0 - (i % 11) * 60_000 }) } as const);
      const decision = decidePoll(state, observation, now);
      if (decision.action === 'poll_again') delays.push(decision.delaySeconds);
      else ends.add(decision.action);
    }
    // The watch times out two hours in (i ≥ 195): those states end instead of polling again.
    expect(delays.length).toBeGreaterThanOrEqual(150);
    expect([...ends]).toEqual(['notify']);
    expect(delays.filter((delay) => !Number.isInteger(delay) || delay < 0 || delay > MAX_SQS_DELAY_SECONDS)).toEqual([]);
  });

  it('reads no clock and no randomness, and changes nothing it is given: the same inputs give the same decision anywhere', () => {
    const observation = { kind: 'progress', report: progressReport({ progress: 50 }) } as const;
    const here = decidePoll(watchState(), observation, T0 + MINUTE_MS);
    expect(runInAnotherWorld({ state: watchState(), observation }, (frozen) => decidePoll(frozen.state, frozen.observation, T0 + MINUTE_MS))).toEqual(here);
  });
});

describe('decideDelivery', () => {
  const event = expectNotify(decidePoll(watchState(), { kind: 'progress', report: progressReport({ status: 'success', progress: 100 }) }, T0));

  it('is done when no target is owed', () => {
    expect(decideDelivery(watchState(), event, [], T0, 86_400)).toEqual({ action: 'done' });
  });

  it('hands owed targets to a later delivery-only step that carries the outcome', () => {
    const decision = decideDelivery(watchState({ step: 7 }), event, [{}, {}], T0, 86_400);
    if (decision.action !== 'deliver_again') throw new Error(decision.action);
    expect(decision.next).toMatchObject({ kind: 'deliver', step: 8, event, delivery_rounds: 1, deliver_until: T0 + 86_400_000 });
    expect(decision.delaySeconds).toBeGreaterThan(0);
  });

  it('spaces delivery rounds further apart, never beyond SQS limits', () => {
    let state = watchState();
    const delays: number[] = [];
    for (let round = 0; round < 8; round += 1) {
      const decision = decideDelivery(state, event, [{}], T0 + round * 1000, 86_400);
      if (decision.action !== 'deliver_again') throw new Error(decision.action);
      delays.push(decision.delaySeconds);
      state = decision.next;
    }
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(Math.max(...delays)).toBe(MAX_SQS_DELAY_SECONDS);
  });

  it('sends the outcome to the dead-letter queue once the budget is spent, ready for a redrive', () => {
    const state = watchState({ kind: 'deliver', step: 12, event, delivery_rounds: 30, deliver_until: T0 + 1000 });
    const decision = decideDelivery(state, event, [{}], T0 + 1000, 86_400);
    if (decision.action !== 'dead_letter') throw new Error(decision.action);
    expect(decision.next).toMatchObject({ kind: 'deliver', step: 13, event, delivery_rounds: 0, deliver_until: null });
    expect(decision.reason).toMatch(/1 target/);
  });

  it('delivers paced targets again exactly when the earliest may post, rounded up to whole seconds', () => {
    const owed = [
      { paced: true, notBeforeMs: T0 + 4_200 },
      { paced: true, notBeforeMs: T0 + 2_300 },
    ];
    const decision = decideDelivery(watchState({ step: 3 }), event, owed, T0, 86_400);
    if (decision.action !== 'deliver_again') throw new Error(decision.action);
    expect(decision.delaySeconds).toBe(3);
    expect(decision.next).toMatchObject({ kind: 'deliver', step: 4, event });
  });

  it('spends neither the retry schedule nor the budget on a round that is only paced', () => {
    const state = watchState({ kind: 'deliver', step: 5, event, delivery_rounds: 2, deliver_until: null });
    const decision = decideDelivery(state, event, [{ paced: true, notBeforeMs: T0 + 900 }], T0, 86_400);
    if (decision.action !== 'deliver_again') throw new Error(decision.action);
    expect(decision.delaySeconds).toBe(1);
    expect(decision.next).toMatchObject({ delivery_rounds: 2, deliver_until: null });
  });

  it('waits at least a second for a paced target whose slot has already come', () => {
    const decision = decideDelivery(watchState(), event, [{ paced: true, notBeforeMs: T0 - 5_000 }], T0, 86_400);
    if (decision.action !== 'deliver_again') throw new Error(decision.action);
    expect(decision.delaySeconds).toBe(1);
  });

  it('uses the retry schedule when any owed target failed, and does not retry before its Retry-After', () => {
    const paced = { paced: true, notBeforeMs: T0 + 1_000 };
    const scheduled = decideDelivery(watchState(), event, [paced, {}], T0, 86_400);
    const throttled = decideDelivery(watchState(), event, [paced, { notBeforeMs: T0 + 45_000 }], T0, 86_400);
    if (scheduled.action !== 'deliver_again' || throttled.action !== 'deliver_again') throw new Error('not delivered again');
    expect(scheduled.delaySeconds).toBe(DELIVERY_RETRY_DELAYS_SECONDS[0]);
    expect(scheduled.next).toMatchObject({ delivery_rounds: 1, deliver_until: T0 + 86_400_000 });
    expect(throttled.delaySeconds).toBe(45);
  });
});
