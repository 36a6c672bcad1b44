import { decideDelivery } from '../../lib/watch/decide-delivery.js';
import { decidePoll } from '../../lib/watch/decide-poll.js';
import type { OutcomeEvent } from '../../lib/watch/events.js';
import { processBatch } from '../../lib/watch/process-batch.js';
import {
  MAX_POLL_INTERVAL_SECONDS,
  MAX_SQS_DELAY_SECONDS,
  adaptiveSchedule,
  detailPollDelaySeconds,
  estimateCreation,
  nextPollDelaySeconds,
  POLL_PROFILES,
  type PollSchedule,
  pollScheduleFor,
  sqsDelaySeconds,
  transientRetryDelaySeconds,
} from '../../lib/watch/schedule.js';
import type { Operation } from '../../lib/watch/request.js';
import type { ProgressMark, WatchState } from '../../lib/watch/state.js';
import { runInAnotherWorld } from '../support/another-world.js';
import { T0, progressReport, watchRequest, watchState } from '../support/factories.js';
import { memoryStepStore, recordingLog, recordingMetrics, recordingNotifier, recordingQueue, scriptedProgress, target } from '../support/fakes.js';

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** The longest interval less the most the jitter takes off it (5 %). */
const RELAXED_FLOOR_SECONDS = Math.floor(MAX_POLL_INTERVAL_SECONDS * 0.95);

/**
 * A creation started at T0 (Huawei's `start_time`), watched from its start, whose answers showed
 * 30 % at 3:00 (the answer before at 2:00), 50 % at 5:00 (4:00), 80 % at 8:00 (7:00) and 90 % at
 * 9:00 (8:30): `at(progress)` is the state right after the answer that first showed `progress`.
 */
const STEPS: ProgressMark[] = [
  { progress: 30, seen_at: T0 + 3 * MINUTE_MS, after: T0 + 2 * MINUTE_MS },
  { progress: 50, seen_at: T0 + 5 * MINUTE_MS, after: T0 + 4 * MINUTE_MS },
  { progress: 80, seen_at: T0 + 8 * MINUTE_MS, after: T0 + 7 * MINUTE_MS },
  { progress: 90, seen_at: T0 + 9 * MINUTE_MS, after: T0 + 8.5 * MINUTE_MS },
];

function at(progress: number, overrides: Partial<WatchState> = {}, markOverrides: Partial<ProgressMark> = {}): WatchState {
  const marks = STEPS.filter((mark) => mark.progress <= progress);
  const latest = { ...(marks.at(-1) as ProgressMark), ...markOverrides };
  return watchState({
    step: marks.length * 3,
    marks: [...marks.slice(0, -1), latest],
    last: { status: 'creating', progress, start_time_ms: T0, end_time_ms: latest.seen_at, error_code: null, error_msg: null, seen_at: latest.seen_at },
    ...overrides,
  });
}

function seenAt(progress: number): number {
  return (STEPS.find((mark) => mark.progress === progress) as ProgressMark).seen_at;
}

function watchIds(count: number): string[] {
  return Array.from({ length: count }, (_, n) => `w_${n.toString(16).padStart(20, '0')}`);
}

describe('adaptiveSchedule', () => {
  it('waits up to the longest interval while the end is far', () => {
    const delay = adaptiveSchedule(at(50), seenAt(50));
    expect(delay).toBeGreaterThanOrEqual(RELAXED_FLOOR_SECONDS);
    expect(delay).toBeLessThanOrEqual(MAX_POLL_INTERVAL_SECONDS);
  });

  it('never leaves more than a minute between polls, jitter included, whatever the state', () => {
    for (const [n, watchId] of watchIds(40).entries()) {
      for (const progress of [0, 30, 50, 80, 90]) {
        for (const elapsedMinutes of [0, 1, 4, 9, 15, 40, 200]) {
          const state = progress === 0 ? watchState({ watch_id: watchId, step: n }) : at(progress, { watch_id: watchId, step: n });
          const delay = adaptiveSchedule(state, T0 + elapsedMinutes * MINUTE_MS + 3 * SECOND_MS);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(1);
          expect(delay).toBeLessThanOrEqual(MAX_POLL_INTERVAL_SECONDS);
        }
      }
    }
  });

  it('does not expect any gateway to be created within three minutes', () => {
    const delay = adaptiveSchedule(
      watchState({ last: { status: 'creating', progress: 0, start_time_ms: T0, end_time_ms: T0, error_code: null, error_msg: null, seen_at: T0 } }),
      T0 + 5 * SECOND_MS,
    );
    expect(delay).toBeGreaterThanOrEqual(RELAXED_FLOOR_SECONDS);
  });

  it('polls sooner than a minute when the end could follow the next step within it', () => {
    // At 80 % the next step, 90 %, may come any moment, and the end right after it.
    const delay = adaptiveSchedule(at(80), seenAt(80));
    expect(delay).toBeGreaterThanOrEqual(45);
    expect(delay).toBeLessThanOrEqual(52);
  });

  it('sleeps from the last step until shortly after the earliest end it allows', () => {
    // 90 % came between 8:30 and 9:00: the expected duration is ≥ 9:27, the last tenth ≥ half of 57 s.
    const delay = adaptiveSchedule(at(90), seenAt(90));
    expect(delay).toBeGreaterThan(10);
    expect(delay).toBeLessThanOrEqual(25);
  });

  it('polls no later than 25 s after the earliest possible end, however implausible', () => {
    // A 30-minute creation, at 90 % since 27:00–27:30, at 28:18: its plausible end is more than a
    // minute away, but a last tenth at half its nominal pace would end it at 28:30.
    const state = watchState({
      step: 30,
      marks: [{ progress: 90, seen_at: T0 + 27.5 * MINUTE_MS, after: T0 + 27 * MINUTE_MS }],
      last: { status: 'creating', progress: 90, start_time_ms: T0, end_time_ms: T0, error_code: null, error_msg: null, seen_at: T0 + 28.3 * MINUTE_MS },
    });
    const delay = adaptiveSchedule(state, T0 + 28.3 * MINUTE_MS);
    expect(delay).toBeGreaterThanOrEqual(35);
    expect(delay).toBeLessThanOrEqual(37);
  });

  it('polls every 10 s once the creation may plausibly have ended', () => {
    for (const [n, watchId] of watchIds(10).entries()) {
      const delay = adaptiveSchedule(at(90, { watch_id: watchId, step: 20 + n }), T0 + 9.5 * MINUTE_MS);
      expect(delay).toBeGreaterThanOrEqual(9);
      expect(delay).toBeLessThanOrEqual(10);
    }
  });

  it('dates a step at the answer before it: a step seen long after the previous answer may be older, so it polls sooner', () => {
    const previousAnswerLongBefore = adaptiveSchedule(at(90, {}, { after: T0 + 8.5 * MINUTE_MS }), seenAt(90));
    const previousAnswerJustBefore = adaptiveSchedule(at(90, {}, { after: seenAt(90) - SECOND_MS }), seenAt(90));
    expect(previousAnswerLongBefore).toBeLessThan(previousAnswerJustBefore - 15);
  });

  it('reads a step seen in the first answer as reached any time since start_time', () => {
    const joinedLate = at(90, { requested_at: seenAt(90) }, { after: null });
    expect(adaptiveSchedule(joinedLate, seenAt(90))).toBeLessThanOrEqual(10);
  });

  it('counts the creation’s time from Huawei’s start_time, not from when the watch started', () => {
    // The same answers, from a creation that started five minutes earlier: it is slower, its end further.
    const startedEarlier = at(90);
    startedEarlier.last = { ...(startedEarlier.last as NonNullable<WatchState['last']>), start_time_ms: T0 - 5 * MINUTE_MS };
    expect(adaptiveSchedule(startedEarlier, seenAt(90))).toBeGreaterThan(adaptiveSchedule(at(90), seenAt(90)) + 5);
    expect(estimateCreation(startedEarlier, seenAt(90)).durationMs).toBeGreaterThan(estimateCreation(at(90), seenAt(90)).durationMs);
  });

  it('expects a gateway that reached p % after t to take t / (p / 100), or longer while the next step has not shown', () => {
    expect(estimateCreation(at(50), seenAt(50)).durationMs).toBe(8 * MINUTE_MS); // 50 % by 4:00 at the earliest
    expect(estimateCreation(at(50), T0 + 9 * MINUTE_MS).durationMs).toBe((9 * MINUTE_MS) / 0.8); // still not 80 % at 9:00
  });

  it('backs off, up to the longest interval, once the creation is later than plausible', () => {
    const delays = [9.5, 13, 14.5, 20].map((minutes) => adaptiveSchedule(at(90, { step: 40 }), T0 + minutes * MINUTE_MS));
    expect(delays[0]).toBeLessThanOrEqual(10);
    expect(delays[1]).toBeGreaterThan(delays[0] as number);
    expect(delays[2]).toBeGreaterThan(delays[1] as number);
    expect(delays[3]).toBeGreaterThanOrEqual(RELAXED_FLOOR_SECONDS);
  });

  it('jitters: watches in the same state poll at different times, never later than the bound', () => {
    const relaxed = new Set(watchIds(50).map((watchId) => adaptiveSchedule(at(50, { watch_id: watchId }), seenAt(50))));
    const sleeping = new Set(watchIds(50).map((watchId) => adaptiveSchedule(at(90, { watch_id: watchId }), seenAt(90))));
    expect(relaxed.size).toBeGreaterThanOrEqual(3);
    expect(Math.max(...relaxed)).toBeLessThanOrEqual(60);
    expect(sleeping.size).toBeGreaterThanOrEqual(2);
    expect(Math.max(...sleeping)).toBeLessThanOrEqual(25);
  });

  it('reads no clock and no randomness (its jitter comes from the watch id), and changes nothing it is given', () => {
    const here = adaptiveSchedule(at(80), seenAt(80) + 7);
    expect(runInAnotherWorld(at(80), (frozen) => adaptiveSchedule(frozen, seenAt(80) + 7))).toBe(here);
  });
});

describe('the learned pace (progress values Huawei does not document)', () => {
  /** A state whose answers showed `marks` (progress, minutes after start, minutes of the answer before). */
  function showed(marks: [progress: number, seenMinutes: number, afterMinutes: number][], overrides: Partial<WatchState> = {}): WatchState {
    const last = marks.at(-1);
    return watchState({
      step: marks.length * 4,
      marks: marks.map(([progress, seen, after]) => ({ progress, seen_at: T0 + seen * MINUTE_MS, after: T0 + after * MINUTE_MS })),
      last: {
        status: 'creating',
        progress: last?.[0] ?? 0,
        start_time_ms: T0,
        end_time_ms: T0,
        error_code: null,
        error_msg: null,
        seen_at: T0 + (last?.[1] ?? 0) * MINUTE_MS,
      },
      ...overrides,
    });
  }

  it('keeps the documented model while every value seen is documented, and switches once another shows', () => {
    const documented = estimateCreation(showed([[30, 3, 2]]), T0 + 3 * MINUTE_MS);
    const unknown = estimateCreation(
      showed([
        [30, 3, 2],
        [45, 4, 3],
      ]),
      T0 + 4 * MINUTE_MS,
    );
    expect(documented).toMatchObject({ documented: true, nextProgress: 50 });
    expect(unknown).toMatchObject({ documented: false, nextProgress: 100, progress: 45 });
  });

  it('learns the duration from every value: a later value that says "slower" moves the estimate later', () => {
    const one = estimateCreation(showed([[40, 4, 3.5]]), T0 + 5 * MINUTE_MS);
    const slower = estimateCreation(
      showed([
        [40, 4, 3.5],
        [45, 9, 8.5],
      ]),
      T0 + 9 * MINUTE_MS,
    );
    expect(one.durationMs).toBeGreaterThan(8 * MINUTE_MS);
    expect(one.durationMs).toBeLessThan(12 * MINUTE_MS);
    expect(slower.durationMs).toBeGreaterThan(one.durationMs);
  });

  it('never expects a creation to end before the time it has already run', () => {
    const estimate = estimateCreation(showed([[95, 2, 1.5]]), T0 + 30 * MINUTE_MS);
    expect(estimate.durationMs).toBeGreaterThan(30 * MINUTE_MS);
  });

  it('polls far apart while the end is unlikely, and densely when it is likely now', () => {
    const early = adaptiveSchedule(showed([[15, 1.5, 1]]), T0 + 1.5 * MINUTE_MS);
    const nearEnd = adaptiveSchedule(
      showed([
        [15, 1.5, 1],
        [45, 4.5, 4],
        [85, 8.5, 8],
      ]),
      T0 + 9.5 * MINUTE_MS,
    );
    expect(early).toBeGreaterThanOrEqual(RELAXED_FLOOR_SECONDS);
    expect(nearEnd).toBeLessThanOrEqual(20);
  });

  it('backs off by itself once the creation runs far later than its values said', () => {
    const state = showed([
      [15, 1.5, 1],
      [45, 4.5, 4],
      [85, 8.5, 8],
    ]);
    const delays = [9.5, 20, 60].map((minutes) => adaptiveSchedule(state, T0 + minutes * MINUTE_MS));
    expect(delays[1]).toBeGreaterThan(delays[0] as number);
    expect(delays[2]).toBeGreaterThanOrEqual(delays[1] as number);
  });

  it('never leaves more than a minute between polls, nor less than a second, whatever the values', () => {
    for (const [n, watchId] of watchIds(20).entries()) {
      for (const marks of [
        [[1, 0.1, 0]],
        [
          [7, 1, 0.5],
          [99, 2, 1.5],
        ],
        [
          [60, 3, 2],
          [40, 4, 3],
        ],
        [[33, 50, 49]],
      ] as [number, number, number][][]) {
        for (const elapsedMinutes of [0.2, 1, 3, 9, 40, 200]) {
          const delay = adaptiveSchedule(showed(marks, { watch_id: watchId, step: n }), T0 + elapsedMinutes * MINUTE_MS);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(1);
          expect(delay).toBeLessThanOrEqual(MAX_POLL_INTERVAL_SECONDS);
        }
      }
    }
  });
});

describe('nextPollDelaySeconds', () => {
  it('takes another schedule: a fixed interval plugs in without a branch', () => {
    expect(nextPollDelaySeconds(at(50), seenAt(50), () => 20)).toBe(20);
  });

  it('never waits past the watch deadline', () => {
    expect(nextPollDelaySeconds(at(50, { deadline_at: seenAt(50) + 5 * SECOND_MS }), seenAt(50))).toBeLessThanOrEqual(5);
  });

  it('keeps any schedule within SQS’s 0–900 s', () => {
    expect(nextPollDelaySeconds(at(50), seenAt(50), () => 5000)).toBe(MAX_SQS_DELAY_SECONDS);
    expect(nextPollDelaySeconds(at(50), seenAt(50), () => -3)).toBe(0);
  });
});

describe('delays from extreme values', () => {
  const EXTREME_PROGRESS = [5e-324, 1e-300, 0.001, -5, 1e308, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 99.999];
  const EXTREME_OFFSETS_MS = [-1e15, -HOUR_MS, 0, MINUTE_MS, 3 * HOUR_MS, 1e15];
  const isSqsDelay = (seconds: number) => Number.isInteger(seconds) && seconds >= 0 && seconds <= MAX_SQS_DELAY_SECONDS;

  it('only ever proposes a whole number of seconds within SQS’s 0–900, whatever progress and times it is fed', () => {
    const odd: unknown[] = [];
    for (const progress of EXTREME_PROGRESS) {
      for (const nowOffsetMs of EXTREME_OFFSETS_MS) {
        for (const startOffsetMs of [...EXTREME_OFFSETS_MS, null]) {
          const nowMs = T0 + nowOffsetMs;
          const startTimeMs = startOffsetMs === null ? null : T0 + startOffsetMs;
          const report = progressReport({ progress, startTimeMs });
          const state = watchState({
            marks: [{ progress, seen_at: T0, after: null }],
            last: { status: 'creating', progress, start_time_ms: startTimeMs, end_time_ms: null, error_code: null, error_msg: null, seen_at: T0 },
          });
          const decision = decidePoll(state, { kind: 'progress', report }, nowMs);
          const delays = [
            nextPollDelaySeconds(state, nowMs),
            transientRetryDelaySeconds(state, progress, false, nowMs),
            decision.action === 'poll_again' ? decision.delaySeconds : 0,
          ];
          if (!delays.every(isSqsDelay)) odd.push({ progress, nowOffsetMs, startOffsetMs, delays });
        }
      }
    }
    expect(odd).toEqual([]);
  });

  it('polls within the minute, never at once, when a progress of 5e-324 leaves the pace model no number', () => {
    const state = watchState({ marks: [{ progress: 5e-324, seen_at: T0 + MINUTE_MS, after: null }] });
    const delay = nextPollDelaySeconds(state, T0 + MINUTE_MS);
    expect(delay).toBeGreaterThanOrEqual(1);
    expect(delay).toBeLessThanOrEqual(MAX_POLL_INTERVAL_SECONDS);
  });

  it('keeps a schedule that proposes NaN or ±Infinity within SQS’s 0–900 s and the deadline', () => {
    expect(nextPollDelaySeconds(at(50), seenAt(50), () => Number.NaN)).toBe(MAX_POLL_INTERVAL_SECONDS);
    expect(nextPollDelaySeconds(at(50), seenAt(50), () => Number.POSITIVE_INFINITY)).toBe(MAX_SQS_DELAY_SECONDS);
    expect(nextPollDelaySeconds(at(50), seenAt(50), () => Number.NEGATIVE_INFINITY)).toBe(0);
  });

  it('turns any number into an SQS delay', () => {
    expect([12.4, -1, 1e308, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN].map((seconds) => sqsDelaySeconds(seconds, 60))).toEqual([
      12, 0, 900, 900, 0, 60,
    ]);
  });

  it('decideDelivery waits a whole number of seconds when a receiver’s Retry-After is no time', () => {
    const event = { id: 'evt', type: 'apig.gateway.creation.succeeded' } as unknown as OutcomeEvent;
    for (const notBeforeMs of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300]) {
      for (const paced of [true, false]) {
        const decision = decideDelivery(watchState(), event, [{ notBeforeMs, paced }], T0, 86_400);
        if (decision.action !== 'deliver_again') throw new Error(decision.action);
        expect(isSqsDelay(decision.delaySeconds)).toBe(true);
      }
    }
  });
});

describe('pollScheduleFor (POLL_PROFILE)', () => {
  /** A 12-minute creation through 30, 50, 80 and 90 %, polled from its start as `schedule` spaces the polls: the times of the polls. */
  function pollTimes(schedule: PollSchedule): number[] {
    const steps = [
      { atMs: 3.5 * MINUTE_MS, progress: 30 },
      { atMs: 6 * MINUTE_MS, progress: 50 },
      { atMs: 9.5 * MINUTE_MS, progress: 80 },
      { atMs: 10.8 * MINUTE_MS, progress: 90 },
    ];
    const endMs = T0 + 12 * MINUTE_MS;
    let state = watchState();
    let nowMs = T0;
    const times: number[] = [];
    for (;;) {
      times.push(nowMs);
      const progress = nowMs >= endMs ? 100 : (steps.filter((step) => T0 + step.atMs <= nowMs).at(-1)?.progress ?? 0);
      const report = progressReport({ status: progress === 100 ? 'success' : 'creating', progress, endTimeMs: nowMs });
      const decision = decidePoll(state, { kind: 'progress', report }, nowMs, schedule);
      if (decision.action !== 'poll_again') return times;
      state = decision.next;
      nowMs += decision.delaySeconds * SECOND_MS;
    }
  }
  const gaps = (times: number[]) => times.slice(1).map((time, i) => (time - (times[i] as number)) / SECOND_MS);

  it('balanced is the default adaptive schedule', () => {
    expect(pollScheduleFor('balanced')).toBe(adaptiveSchedule);
  });

  it('prompt never waits more than 20 s between polls of a creating gateway', () => {
    expect(Math.max(...gaps(pollTimes(pollScheduleFor('prompt'))))).toBeLessThanOrEqual(20);
    for (const [n, watchId] of watchIds(20).entries()) {
      for (const progress of [30, 50, 80, 90]) {
        for (const lateMinutes of [0, 1, 5, 30]) {
          expect(pollScheduleFor('prompt')(at(progress, { watch_id: watchId, step: n }), seenAt(progress) + lateMinutes * MINUTE_MS)).toBeLessThanOrEqual(20);
        }
      }
    }
  });

  it('balanced never waits more than MAX_POLL_INTERVAL_SECONDS, so a failure at any time is told within it', () => {
    expect(Math.max(...gaps(pollTimes(pollScheduleFor('balanced'))))).toBeLessThanOrEqual(MAX_POLL_INTERVAL_SECONDS);
    expect(MAX_POLL_INTERVAL_SECONDS).toBeLessThanOrEqual(46);
  });

  it('economical polls less than balanced, and balanced less than prompt, on the same creation', () => {
    const [prompt, balanced, economical] = POLL_PROFILES.map((profile) => pollTimes(pollScheduleFor(profile)).length);
    expect(economical).toBeLessThan(balanced as number);
    expect(balanced).toBeLessThan(prompt as number);
  });

  it('economical waits longer than balanced while the end is far, up to two minutes', () => {
    const delay = pollScheduleFor('economical')(at(30), seenAt(30));
    expect(delay).toBeGreaterThan(MAX_POLL_INTERVAL_SECONDS);
    expect(delay).toBeLessThanOrEqual(120);
  });

  it('every profile still polls densely once the creation may plausibly have ended', () => {
    for (const profile of POLL_PROFILES) expect(pollScheduleFor(profile)(at(90), T0 + 9.75 * MINUTE_MS)).toBeLessThanOrEqual(10);
  });
});

describe('transientRetryDelaySeconds', () => {
  it('never waits more than a minute between retries either', () => {
    for (const [n, watchId] of watchIds(20).entries()) {
      const state = watchState({ watch_id: watchId, step: n });
      expect(transientRetryDelaySeconds(state, 12, false, T0)).toBeLessThanOrEqual(MAX_POLL_INTERVAL_SECONDS);
    }
  });
});

describe('the schedule in the use case', () => {
  it('decidePoll spaces polls by the schedule it is given', () => {
    const decision = decidePoll(at(50), { kind: 'progress', report: progressReport({ progress: 50 }) }, seenAt(50) + MINUTE_MS, () => 20);
    if (decision.action !== 'poll_again') throw new Error(decision.action);
    expect(decision.delaySeconds).toBe(20);
  });

  it('decidePoll dates a new step by the answer before it', () => {
    const before = at(50);
    const decision = decidePoll(before, { kind: 'progress', report: progressReport({ progress: 80 }) }, T0 + 8 * MINUTE_MS);
    if (decision.action !== 'poll_again') throw new Error(decision.action);
    expect(decision.next.marks.at(-1)).toEqual({ progress: 80, seen_at: T0 + 8 * MINUTE_MS, after: seenAt(50) });
    expect(decision.next.last?.seen_at).toBe(T0 + 8 * MINUTE_MS);
  });

  it('processBatch re-enqueues with the schedule of its settings', async () => {
    const queue = recordingQueue();
    const ports = {
      progressSource: scriptedProgress(() => progressReport()),
      queue,
      store: memoryStepStore(),
      notifier: recordingNotifier(),
      targets: [target('a')],
      stateKeys: { current: 'k'.repeat(32), previous: null },
      clock: { now: () => T0 },
      log: recordingLog(),
      metrics: recordingMetrics(),
    };
    const settings = { watchTimeoutSeconds: 7200, deliveryBudgetSeconds: 86_400, pollSchedule: () => 20 };
    await processBatch([{ messageId: 'm1', body: JSON.stringify(watchRequest()) }], ports, settings, T0 + MINUTE_MS);
    expect(queue.batches[0]?.[0]?.delaySeconds).toBe(20);
  });
});

/** A watch of `operation` requested at T0, read from the instance detail, its status showing the operation. */
function operationUnderWay(operation: Exclude<Operation, 'creation' | 'health'>, overrides: Partial<WatchState> = {}): WatchState {
  return watchState({ request: watchRequest({ operation }), phase: 'detail', operation_seen: true, ...overrides });
}

const resizing = {
  kind: 'instance',
  answer: {
    kind: 'detail',
    detail: {
      status: 'Resizing',
      instanceStatus: null,
      name: null,
      spec: null,
      publicIngressAddress: null,
      privateIngressAddress: null,
      enterpriseProjectId: null,
    },
  },
} as const;

describe('detailPollDelaySeconds', () => {
  it('lets a resize go the longest interval unpolled while it cannot plausibly have ended (15–30 minutes)', () => {
    for (const minutes of [1, 5, 8]) {
      const delay = detailPollDelaySeconds(operationUnderWay('resize'), T0 + minutes * MINUTE_MS);
      expect(delay).toBeGreaterThanOrEqual(RELAXED_FLOOR_SECONDS);
      expect(delay).toBeLessThanOrEqual(MAX_POLL_INTERVAL_SECONDS);
    }
  });

  it('polls a resize densely where its prior puts the end, within 15 s', () => {
    for (const minutes of [17, 21, 26]) expect(detailPollDelaySeconds(operationUnderWay('resize'), T0 + minutes * MINUTE_MS)).toBeLessThanOrEqual(15);
  });

  it('gives each operation its own pace: a restart is expected minutes before a resize', () => {
    const at4 = T0 + 4 * MINUTE_MS;
    expect(detailPollDelaySeconds(operationUnderWay('restart'), at4)).toBeLessThanOrEqual(15);
    expect(detailPollDelaySeconds(operationUnderWay('resize'), at4)).toBeGreaterThanOrEqual(RELAXED_FLOOR_SECONDS);
  });

  it("paces a creation's last phase from the answer that said success, not from the request", () => {
    const successSeenAt = T0 + 30 * MINUTE_MS;
    const last = { status: 'success', progress: 100, start_time_ms: T0, end_time_ms: successSeenAt, error_code: null, error_msg: null, seen_at: successSeenAt };
    const state = watchState({ phase: 'detail', last });
    expect(detailPollDelaySeconds(state, successSeenAt + 40 * SECOND_MS)).toBeLessThanOrEqual(15);
  });

  it('backs off, to the longest interval, once an operation is far later than its prior thought plausible', () => {
    const delay = detailPollDelaySeconds(operationUnderWay('restart'), T0 + 90 * MINUTE_MS);
    expect(delay).toBeGreaterThanOrEqual(RELAXED_FLOOR_SECONDS);
  });

  it("never leaves more than the profile's longest interval between polls, jitter included, whatever the operation and time", () => {
    for (const [profile, longest] of [
      ['prompt', 20],
      ['balanced', MAX_POLL_INTERVAL_SECONDS],
      ['economical', 120],
    ] as const) {
      for (const operation of ['resize', 'update', 'deletion', 'restart'] as const) {
        for (const [n, watchId] of watchIds(10).entries()) {
          for (const minutes of [0, 0.5, 3, 12, 20, 45, 119]) {
            const state = operationUnderWay(operation, { watch_id: watchId, step: n });
            const delay = pollScheduleFor(profile)(state, T0 + minutes * MINUTE_MS);
            expect(Number.isInteger(delay)).toBe(true);
            expect(delay).toBeGreaterThanOrEqual(1);
            expect(delay).toBeLessThanOrEqual(longest);
          }
        }
      }
    }
  });

  it('decidePoll spaces the reads of an operation under way by its prior, not every 20 s', () => {
    const early = decidePoll(operationUnderWay('resize'), resizing, T0 + 2 * MINUTE_MS);
    const due = decidePoll(operationUnderWay('resize'), resizing, T0 + 22 * MINUTE_MS);
    if (early.action !== 'poll_again' || due.action !== 'poll_again') throw new Error('the resize should be polled on');
    expect(early.delaySeconds).toBeGreaterThanOrEqual(RELAXED_FLOOR_SECONDS);
    expect(due.delaySeconds).toBeLessThan(20);
  });

  it('decidePoll spaces the reads of the instance detail by a schedule it is given (a fixed --interval)', () => {
    const decision = decidePoll(operationUnderWay('resize'), resizing, T0 + 2 * MINUTE_MS, () => 30);
    if (decision.action !== 'poll_again') throw new Error(decision.action);
    expect(decision.delaySeconds).toBe(30);
  });

  it('decidePoll never schedules a read of the detail past the deadline', () => {
    const state = operationUnderWay('resize', { deadline_at: T0 + 2 * MINUTE_MS + 7 * SECOND_MS });
    const decision = decidePoll(state, resizing, T0 + 2 * MINUTE_MS);
    if (decision.action !== 'poll_again') throw new Error(decision.action);
    expect(decision.delaySeconds).toBe(7);
  });
});
