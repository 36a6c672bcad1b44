import { buildStartedEvent, hintFor, startedEventOf, formatElapsed } from '../../lib/watch/events.js';
import type { LastSeen } from '../../lib/watch/state.js';
import { T0, watchState } from '../support/factories.js';

const FIRST_PROGRESS: LastSeen = {
  status: 'creating',
  progress: 30,
  start_time_ms: T0 - 20_000,
  end_time_ms: T0 + 60_000,
  error_code: null,
  error_msg: null,
  seen_at: T0 + 60_000,
};

describe('formatElapsed', () => {
  it.each([
    [0, '0s'],
    [42_000, '42s'],
    [59_499, '59s'],
    [59_500, '1m 00s'],
    [323_750, '5m 24s'],
    [372_000, '6m 12s'],
    [3_725_000, '1h 02m 05s'],
    [93_784_000, '26h 03m 04s'],
    [-5_000, '0s'],
  ])('formats %d ms as %s', (elapsedMs, expected) => {
    expect(formatElapsed(elapsedMs)).toBe(expected);
  });
});

describe('hintFor', () => {
  it.each([
    ['APIC.9218', /quota increase/],
    ['APIC.9219', /another availability zone or another gateway edition/],
    ['APIC.9206', /contact Huawei Cloud support/],
    ['apic.9218', /quota increase/],
  ])('explains %s', (code, hint) => {
    expect(hintFor('failed', code)).toMatch(hint);
  });

  it('points to the error message and support for an unknown code', () => {
    expect(hintFor('failed', 'APIC.1234')).toMatch(/error message/);
    expect(hintFor('failed', null)).toMatch(/support/);
  });

  it('has no hint for outcomes other than failed', () => {
    expect(hintFor('succeeded', null)).toBeNull();
    expect(hintFor('not_found', 'APIC.7302')).toBeNull();
  });
});

describe('buildStartedEvent', () => {
  it('describes the watch as the first progress answer left it, with a stable id and no finish', () => {
    // Prepare
    const state = watchState({ last: FIRST_PROGRESS, polls: 1 });

    // Act
    const event = buildStartedEvent(state, T0 + 60_000);

    // Assess
    expect(event).toMatchObject({
      type: 'apig.gateway.creation.started',
      id: `${state.watch_id}_started`,
      timestamp: new Date(T0 + 60_000).toISOString(),
      data: {
        outcome: 'started',
        status: 'creating',
        progress: 30,
        error_code: null,
        hint: null,
        started_at: new Date(T0 - 20_000).toISOString(),
        finished_at: null,
        elapsed_ms: 80_000,
        elapsed: '1m 20s',
        polls: 1,
        instance_name: 'orders-gw-prod',
        context: { ticket: 'OPS-1234' },
      },
    });
  });
});

describe('startedEventOf', () => {
  it('owes the started notice on the step that sees the first progress and keeps polling', () => {
    // Prepare
    const before = watchState();
    const after = watchState({ last: FIRST_PROGRESS, polls: 1, step: 1 });

    // Act
    const event = startedEventOf(before, after, T0 + 60_000);

    // Assess
    expect(event?.type).toBe('apig.gateway.creation.started');
  });

  it('owes nothing on later steps, on transient errors, and on delivery rounds', () => {
    // Prepare
    const seen = watchState({ last: FIRST_PROGRESS, polls: 1 });

    // Act
    const later = startedEventOf(seen, { ...seen, polls: 2 }, T0);
    const transient = startedEventOf(watchState(), watchState({ polls: 1 }), T0);
    const delivery = startedEventOf(watchState(), watchState({ kind: 'deliver', last: FIRST_PROGRESS }), T0);

    // Assess
    expect([later, transient, delivery]).toEqual([null, null, null]);
  });
});
