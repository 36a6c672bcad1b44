import { DELIVERY_GIVE_UP_MS, deliverToAll } from '../../lib/cli/delivery.js';
import type { DeliveryResult, Notifier } from '../../lib/watch/ports/notifier.js';
import { watchEventFactory } from '../support/notify-fixtures.js';
import { target } from '../support/fakes.js';

/** A notifier answering from a script per target (given the clock at its first call), then delivering. */
function scriptedNotifier(scripts: Record<string, (nowMs: number) => DeliveryResult[]>, clock: { nowMs: number }): Notifier & { calls: string[] } {
  const calls: string[] = [];
  const queues = new Map<string, DeliveryResult[]>();
  return {
    calls,
    async deliver(_event, aTarget) {
      calls.push(aTarget.id);
      if (!queues.has(aTarget.id)) queues.set(aTarget.id, scripts[aTarget.id]?.(clock.nowMs) ?? []);
      return queues.get(aTarget.id)?.shift() ?? { status: 'delivered', attempts: 1, httpStatus: 200 };
    },
  };
}

describe('deliverToAll', () => {
  it('tries a target handed back with a time again at that time, and adds up the attempts', async () => {
    // Prepare
    const clock = { nowMs: 1_000_000 };
    const notifier = scriptedNotifier(
      {
        paced: (now) => [{ status: 'retry_later', attempts: 0, reason: 'paced: one post per 3 s to a dingtalk target', notBeforeMs: now + 3000, paced: true }],
        throttled: (now) => [{ status: 'retry_later', attempts: 2, reason: 'HTTP 429', notBeforeMs: now + 5000 }],
      },
      clock,
    );
    const slept: number[] = [];
    const options = { now: () => clock.nowMs, sleep: async (ms: number) => void slept.push(ms) };

    // Act
    const results = await deliverToAll(watchEventFactory(), [target('paced'), target('throttled'), target('plain')], notifier, options);

    // Assess
    expect(results).toEqual([
      { status: 'delivered', attempts: 1, httpStatus: 200 },
      { status: 'delivered', attempts: 3, httpStatus: 200 },
      { status: 'delivered', attempts: 1, httpStatus: 200 },
    ]);
    expect(slept.sort((a, b) => a - b)).toEqual([3000, 5000]);
  });

  it('reports a target not delivered when its next try would come after the give-up time, without waiting for it', async () => {
    // Prepare
    const clock = { nowMs: 0 };
    const notifier = scriptedNotifier(
      { late: (now) => [{ status: 'retry_later', attempts: 1, reason: 'HTTP 429', notBeforeMs: now + DELIVERY_GIVE_UP_MS + 1 }] },
      clock,
    );
    const slept: number[] = [];

    // Act
    const [result] = await deliverToAll(watchEventFactory(), [target('late')], notifier, { now: () => clock.nowMs, sleep: async (ms) => void slept.push(ms) });

    // Assess
    expect(result).toMatchObject({ status: 'retry_later', attempts: 1, reason: 'HTTP 429' });
    expect(slept).toEqual([]);
    expect(notifier.calls).toEqual(['late']);
  });
});
