import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { watchesFromItems } from '../../lib/store/watch-listing.js';
import { buildOutcomeEvent } from '../../lib/watch/events.js';
import { encodeStateMessage, unverifiedStateOf } from '../../lib/watch/state-message.js';
import type { WatchState } from '../../lib/watch/state.js';
import { T0, watchRequestBody, watchState } from '../support/factories.js';

/** Items as the step store writes them (lib/store/step-store.ts), built by hand: the listing must read exactly these. */
const KEYS = { current: 'k'.repeat(32), previous: null };
const MINUTE_MS = 60_000;

function successorItem(pk: string, next: WatchState, decidedAtMs: number, delaySeconds: number): Record<string, AttributeValue> {
  return {
    pk: { S: pk },
    owner: { S: 'm-1' },
    decided_at: { N: String(decidedAtMs) },
    decision: { S: 'successor' },
    successor_body: { S: encodeStateMessage(next, KEYS) },
    successor_delay_seconds: { N: String(delaySeconds) },
  };
}

function gatewayItem(watchId: string, step0: Record<string, AttributeValue>, liveUntilMs: number): Record<string, AttributeValue> {
  return { ...step0, pk: { S: 'gateway#g_0011' }, watch_id: { S: watchId }, live_until: { N: String(liveUntilMs) } };
}

describe('watchesFromItems', () => {
  const running = watchState({ watch_id: 'w_aaaaaaaaaaaaaaaaaaaa', step: 1, polls: 1 });

  it('reads a watch that never ended and is past its deadline as lost, not active', () => {
    // Prepare
    const step0 = successorItem('', running, T0, 60);
    const items = [gatewayItem(running.watch_id, step0, T0 + 30 * MINUTE_MS)];

    // Act
    const during = watchesFromItems(items, T0 + MINUTE_MS);
    const after = watchesFromItems(items, T0 + 31 * MINUTE_MS);

    // Assess
    expect(during.map((watch) => [watch.phase, watch.next_look_at])).toEqual([['active', new Date(T0 + MINUTE_MS).toISOString()]]);
    expect(after.map((watch) => [watch.phase, watch.next_look_at])).toEqual([['lost', null]]);
  });

  it('lists an earlier watch of a gateway from its steps alone, with its outcome and the targets that have it', () => {
    // Prepare: the gateway's item names a newer watch; the earlier one ended at its step 1.
    const earlier = watchState({ watch_id: 'w_bbbbbbbbbbbbbbbbbbbb', step: 1 });
    const event = buildOutcomeEvent(earlier, { outcome: 'failed', errorCode: 'APIC.9218', errorMsg: 'quota' }, T0 + 5 * MINUTE_MS);
    const items = [
      gatewayItem(running.watch_id, successorItem('', running, T0 + 10 * MINUTE_MS, 60), T0 + 3 * 3600_000),
      {
        pk: { S: `step#${earlier.watch_id}#1` },
        owner: { S: 'm-2' },
        decided_at: { N: String(T0 + 5 * MINUTE_MS) },
        decision: { S: 'terminal' },
        event: { S: JSON.stringify(event) },
      },
      { pk: { S: `delivery#${event.id}` }, settled: { SS: ['target-b', 'target-a'] } },
    ];

    // Act
    const watches = watchesFromItems(items, T0 + 11 * MINUTE_MS);

    // Assess
    expect(watches.map((watch) => [watch.watch_id, watch.phase])).toEqual([
      [running.watch_id, 'active'],
      [earlier.watch_id, 'ended'],
    ]);
    expect(watches[1]).toMatchObject({
      outcome: 'failed',
      error_code: 'APIC.9218',
      settled_targets: ['target-a', 'target-b'],
      ended_at: new Date(T0 + 5 * MINUTE_MS).toISOString(),
    });
  });

  it('leaves out items it cannot read, and shows the rest', () => {
    const items = [
      { pk: { S: 'step#w_cccccccccccccccccccc#1' }, decision: { S: 'terminal' }, event: { S: '{"not":"an event"}' } },
      { pk: { S: 'something-else' } },
      gatewayItem(running.watch_id, successorItem('', running, T0, 60), T0 + 3 * 3600_000),
    ];

    expect(watchesFromItems(items, T0).map((watch) => watch.watch_id)).toEqual([running.watch_id]);
  });
});

describe('unverifiedStateOf', () => {
  it('reads the state of a signed message without the key, and nothing from a request or a non-JSON body', () => {
    const state = watchState({ step: 3 });

    expect(unverifiedStateOf(encodeStateMessage(state, KEYS))).toEqual(state);
    expect(unverifiedStateOf(JSON.stringify(watchRequestBody()))).toBeNull();
    expect(unverifiedStateOf('<html>')).toBeNull();
  });
});
