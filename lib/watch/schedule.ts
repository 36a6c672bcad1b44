import { createHash } from 'node:crypto';
import type { Operation } from './request.js';
import type { ProgressMark, WatchState } from './state.js';

/** SQS accepts message delays of 0 to 900 seconds. */
export const MAX_SQS_DELAY_SECONDS = 900;
/**
 * The longest gap between two polls of the default schedule, jitter included. Failures come at
 * any time, so this bounds how late one is told: a failure lag p95 within 45 s.
 */
export const MAX_POLL_INTERVAL_SECONDS = 46;
/**
 * What the schedule assumes about how a creation's time is spent after its last progress step.
 * A stage's *nominal* time is its progress increment as a share of the expected duration.
 */
export interface PaceModel {
  /** The next poll comes at most this long after the earliest time the creation plausibly ends… */
  lagTargetSeconds: number;
  /** …and at most this long after the earliest time it can end at all (at the fastest pace). */
  fastFinishLagSeconds: number;
  /** What is left plausibly goes no faster than this share of its nominal time… */
  plausiblePace: number;
  /** …hardly ever faster than this… */
  fastestPace: number;
  /** …and plausibly no slower than this, after which polls back off. */
  slowestPace: number;
  /** Once a creation is later than plausible, each second late lengthens the interval by this much. */
  lateBackoffSecondsPerSecond: number;
  /** No gateway is expected to be created faster than this (failures can come sooner; they are not paced). */
  minCreationSeconds: number;
}

/**
 * While every step seen is one Huawei documents (30, 50, 80, 90): progress p % marks about p % of
 * the time, and the next step is known. Tuned on seeds 1–80 of the documented trace family.
 */
const DOCUMENTED_STEPS_PACE: PaceModel = {
  lagTargetSeconds: 10,
  fastFinishLagSeconds: 25,
  plausiblePace: 0.8,
  fastestPace: 0.5,
  slowestPace: 2.5,
  lateBackoffSecondsPerSecond: 0.3,
  minCreationSeconds: 180,
};

/**
 * Once a progress value Huawei does not document shows, the values still order the creation but
 * mark its time loosely. The schedule then learns the duration D as a distribution: a prior over
 * creation times, each value p % seen between two answers suggesting D ≈ t / (p / 100) give or
 * take `markLogSpread` (in log terms, widened by the window between the answers), and D longer
 * than the time already run. It polls more densely where the end is likely now: the interval is
 * `intervalScale` / √(density of the end now, per second), between `minIntervalSeconds` and a
 * minute. A share of belief is kept for the values having misled (any duration alike), so a
 * creation later than all the values suggested thins the density, and polls back off by themselves.
 */
export interface LearnedPaceModel {
  priorMedianSeconds: number;
  priorLogSpread: number;
  markLogSpread: number;
  intervalScale: number;
  minIntervalSeconds: number;
  /** Belief kept that the values misled: spread over every duration, it makes an overdue creation's polls back off. */
  surpriseShare: number;
}

/**
 * The prior is the documented model's creation times (around 8 minutes, log-spread 0.6); the rest
 * was chosen on seeds 1–5 of the undocumented trace family (bench/tune-schedule.ts), as the least
 * success lag within 59 % of fixed 20 s polling with the longest interval of 46 s.
 */
export const UNKNOWN_STEPS_PACE: LearnedPaceModel = {
  priorMedianSeconds: 480,
  priorLogSpread: 0.6,
  markLogSpread: 0.4,
  intervalScale: 1.8,
  minIntervalSeconds: 10,
  surpriseShare: 0.02,
};

/**
 * What the schedule assumes about an operation read from the instance detail, which tells no
 * progress: a prior over its duration alone, polled as the learned model polls (`LearnedPaceModel`)
 * with no value to learn from. The interval is `intervalScale` / √(density of the end now, per
 * second), between `minIntervalSeconds` and the profile's longest interval.
 */
export type OperationPaceModel = Omit<LearnedPaceModel, 'markLogSpread'>;
/** The operations the instance detail is polled for (a health watch keeps its own pace). */
export type DetailOperation = Exclude<Operation, 'health'>;

/**
 * The duration priors, from the request (a creation's last phase: from the progress API's
 * success). Resize: Huawei's user guide says a specification change takes 15 to 30 minutes
 * (issue 17). Huawei documents no duration for the others, so these are assumptions: an upgrade
 * (or its rollback) about as long as a resize but looser, a deletion about 5 minutes, a restart
 * about 4, a creation's last phase (`CreateSuccess`, `Initing`… to `Running`) about a minute. The
 * interval constants were chosen on seeds 1–5 of the operation traces (bench/tune-schedule.ts
 * `--operations`): the fewest polls with a success lag p95 within 14–15 s (bench/PERFORMANCE.md,
 * "Operations", says which goals each meets).
 */
export const OPERATION_PACES: Readonly<Record<DetailOperation, OperationPaceModel>> = {
  creation: { priorMedianSeconds: 60, priorLogSpread: 0.6, intervalScale: 1.0, minIntervalSeconds: 8, surpriseShare: 0.05 },
  resize: { priorMedianSeconds: 1270, priorLogSpread: 0.35, intervalScale: 0.55, minIntervalSeconds: 5, surpriseShare: 0.05 },
  update: { priorMedianSeconds: 1200, priorLogSpread: 0.5, intervalScale: 0.55, minIntervalSeconds: 5, surpriseShare: 0.05 },
  deletion: { priorMedianSeconds: 300, priorLogSpread: 0.5, intervalScale: 0.8, minIntervalSeconds: 5, surpriseShare: 0.05 },
  restart: { priorMedianSeconds: 240, priorLogSpread: 0.5, intervalScale: 1.0, minIntervalSeconds: 5, surpriseShare: 0.05 },
};

/** The pace models the adaptive schedule chooses between: a creation's by its progress values, the other operations' by operation. */
export interface PaceModels {
  documented: PaceModel;
  unknown: LearnedPaceModel;
  operations: Readonly<Record<DetailOperation, OperationPaceModel>>;
}
export const PACE_MODELS: PaceModels = { documented: DOCUMENTED_STEPS_PACE, unknown: UNKNOWN_STEPS_PACE, operations: OPERATION_PACES };

/** The progress values Huawei documents for a creation under way. */
export const PROGRESS_STEPS = [30, 50, 80, 90] as const;
/** Share by which an interval is shortened at random, so watches started together do not poll in lockstep. */
const JITTER_FRACTION = 0.05;
/** Huawei advises 2–5 s before retrying a throttled call. */
const THROTTLE_RETRY_MIN_SECONDS = 2;
const THROTTLE_RETRY_MAX_SECONDS = 5;
/** Back-off for 5xx, timeouts and resets: 5 s, 10 s, 20 s, … up to the longest interval, so an error answer does not delay failure news either. */
const TRANSIENT_BACKOFF_BASE_SECONDS = 5;
const TRANSIENT_BACKOFF_MAX_SECONDS = MAX_POLL_INTERVAL_SECONDS;

/**
 * A polling policy: the seconds to wait before the next poll of a gateway still being created.
 * `nextPollDelaySeconds` keeps whatever it proposes within SQS's limits and the watch deadline.
 */
export type PollSchedule = (state: WatchState, nowMs: number) => number;

/**
 * A number in [0, 1) that is fixed for a watch and step: jitter that is random across watches
 * but the same each time one step is decided again, which keeps `decide` pure.
 *
 * @example
 * jitterUnit('w_0123…', 4) // 0.7312…
 */
function jitterUnit(watchId: string, step: number): number {
  return createHash('sha256').update(`${watchId}#${step}`).digest().readUInt32BE(0) / 2 ** 32;
}

/** What the answers so far say about a creation, all times in Unix ms. */
export interface CreationEstimate {
  /** Huawei's `start_time` (the watch's start while no answer has told it). */
  startMs: number;
  /** Whether every progress value seen is one Huawei documents (vacuously true before any). */
  documented: boolean;
  /** The highest progress step seen (0 before the first), and the window it was reached in. */
  progress: number;
  reachedAfterMs: number;
  reachedByMs: number;
  /** The next progress value expected: the next documented one, or 100 (the finish) when unknown. */
  nextProgress: number;
  /**
   * The expected duration. Documented steps: from when the highest step was reached and from the
   * next step not showing yet. Other values: learned from every value seen.
   */
  durationMs: number;
}

/**
 * Reads the creation's pace from the answers. While every step is documented: a gateway that
 * reached p % t seconds after `start_time` is expected to take t / (p / 100); one that has not
 * reached the next step q after t seconds, at least t / (q / 100); any, at least the model's
 * shortest creation. The step's time is taken at the answer before it (the earliest it can have
 * happened), so the estimate errs early. Once another value shows, the duration is the most likely
 * one, longer than the creation has run, given a prior and every value seen (`LearnedPaceModel`).
 *
 * @example
 * estimateCreation(state, Date.now()) // { documented: true, progress: 90, durationMs: 540_000, nextProgress: 100, … }
 */
export function estimateCreation(state: WatchState, nowMs: number, models: PaceModels = PACE_MODELS): CreationEstimate {
  const startMs = Math.min(nowMs, state.last?.start_time_ms ?? state.requested_at);
  const under = state.marks.filter((m) => m.progress > 0 && m.progress < 100);
  const documented = under.every((m) => (PROGRESS_STEPS as readonly number[]).includes(m.progress));
  const mark = under.reduce<ProgressMark | undefined>((highest, m) => (highest === undefined || m.progress > highest.progress ? m : highest), undefined);
  const progress = mark?.progress ?? 0;
  const reachedByMs = mark?.seen_at ?? startMs;
  const reachedAfterMs = Math.max(startMs, mark === undefined ? startMs : stepLowerBoundMs(mark, startMs));
  if (!documented) {
    return {
      startMs,
      documented,
      progress,
      reachedAfterMs,
      reachedByMs,
      nextProgress: 100,
      durationMs: learnedDurationMs(under, startMs, nowMs, models.unknown),
    };
  }
  const nextProgress = PROGRESS_STEPS.find((step) => step > progress) ?? 100;
  const fromStep = progress > 0 ? (reachedAfterMs - startMs) / (progress / 100) : 0;
  const fromNextStep = nextProgress < 100 ? (nowMs - startMs) / (nextProgress / 100) : 0;
  const durationMs = Math.max(fromStep, fromNextStep, models.documented.minCreationSeconds * 1000);
  return { startMs, documented, progress, reachedAfterMs, reachedByMs, nextProgress, durationMs };
}

/**
 * The earliest time the creation can end if what is left goes at `pace` times its nominal time:
 * not before the last step's earliest time plus the rest, nor before now plus what follows the next
 * step (which has not happened yet).
 *
 * @example
 * earliestFinishMs(estimateCreation(state, now), DOCUMENTED_STEPS_PACE.plausiblePace, now) // now + 31_000
 */
function earliestFinishMs(creation: CreationEstimate, pace: number, nowMs: number): number {
  const remainingAfter = (progress: number) => pace * creation.durationMs * (1 - progress / 100);
  const afterLastStep = creation.progress > 0 ? creation.reachedAfterMs + remainingAfter(creation.progress) : nowMs;
  return Math.max(nowMs, afterLastStep, nowMs + remainingAfter(creation.nextProgress));
}

/**
 * The adaptive schedule with given pace models (the bench tunes them). With documented steps it
 * polls no later than the lag target after the earliest plausible end of the creation, nor the
 * fast-finish lag after the earliest possible one: relaxed while the end is far, often from the
 * earliest plausible end until it comes, backing off once the creation is later than plausible.
 * With other values it polls often around the learned duration (`LearnedPaceModel`). Never more
 * than `MAX_POLL_INTERVAL_SECONDS` apart; each interval is shortened by up to `JITTER_FRACTION`,
 * never lengthened, so the bounds hold. Whole seconds.
 *
 * @example
 * const schedule = adaptiveScheduleWith({ ...PACE_MODELS, unknown: { ...UNKNOWN_STEPS_PACE, minIntervalSeconds: 5 } });
 */
export function adaptiveScheduleWith(models: PaceModels, maxIntervalSeconds = MAX_POLL_INTERVAL_SECONDS): PollSchedule {
  return (state, nowMs) => {
    if (state.phase === 'detail') return detailPollDelaySeconds(state, nowMs, maxIntervalSeconds, models.operations);
    const creation = estimateCreation(state, nowMs, models);
    const seconds = creation.documented
      ? documentedDelaySeconds(creation, models.documented, nowMs)
      : learnedDelaySeconds(state, creation, models.unknown, nowMs);
    return boundedAndJittered(state, seconds, maxIntervalSeconds);
  };
}

/**
 * Seconds until the next read of the instance detail while an operation is under way (or not
 * shown yet), from its duration prior (`OPERATION_PACES`) and the time since it began: the
 * request, or for a creation the answer that first said `success`. Relaxed (the longest interval)
 * while the end is unlikely yet, dense where the prior puts it, backing off once the operation
 * is later than the prior thought plausible; never more than `maxIntervalSeconds` apart, so a
 * failure, which can come at any time, is told within it. Jittered like every interval.
 *
 * @example
 * detailPollDelaySeconds(resizeState, resizeState.requested_at + 60_000) // 45: a resize takes 15–30 min
 * detailPollDelaySeconds(resizeState, resizeState.requested_at + 20 * 60_000) // 6: it may end any moment now
 */
export function detailPollDelaySeconds(
  state: WatchState,
  nowMs: number,
  maxIntervalSeconds = MAX_POLL_INTERVAL_SECONDS,
  paces: Readonly<Record<DetailOperation, OperationPaceModel>> = OPERATION_PACES,
): number {
  const operation = state.request.operation;
  if (operation === 'health') return boundedAndJittered(state, maxIntervalSeconds, maxIntervalSeconds);
  const pace = paces[operation];
  const startMs = Math.min(nowMs, operation === 'creation' ? (state.last?.seen_at ?? state.requested_at) : state.requested_at);
  const elapsedS = Math.max(1, (nowMs - startMs) / 1000);
  const seconds = hazardIntervalSeconds(priorLogWeights(pace), elapsedS, pace);
  return boundedAndJittered(state, seconds, maxIntervalSeconds);
}

/** Within the longest interval (a model that proposes no number at all polls at it), shortened by the jitter, whole seconds, at least 1. */
function boundedAndJittered(state: WatchState, seconds: number, maxIntervalSeconds: number): number {
  // A model fed values it was not made for (a progress of 5e-324…) may propose no number at all: poll within the cap.
  const bounded = Number.isNaN(seconds) ? maxIntervalSeconds : Math.min(seconds, maxIntervalSeconds);
  const jittered = bounded * (1 - JITTER_FRACTION * jitterUnit(state.watch_id, state.step));
  return Math.max(1, Math.floor(jittered));
}

/**
 * The adaptive schedule with the project's pace models.
 *
 * @example
 * adaptiveSchedule(state, Date.now()) // 60 at 50 %, 10 near the expected end
 */
export const adaptiveSchedule: PollSchedule = adaptiveScheduleWith(PACE_MODELS);

/** How eagerly the watcher polls: every outcome within about 20 s, the default trade, or the fewest polls. */
export const POLL_PROFILES = ['prompt', 'balanced', 'economical'] as const;
export type PollProfile = (typeof POLL_PROFILES)[number];

/**
 * Each profile is the adaptive schedule with its own longest interval: `prompt` never waits more
 * than 20 s (fixed 20 s polling's news, a few more polls near the expected end), `balanced` is
 * `adaptiveSchedule`, `economical` lets a creation far from its end go two minutes unpolled.
 */
const PROFILE_MAX_INTERVAL_SECONDS: Record<PollProfile, number> = { prompt: 20, balanced: MAX_POLL_INTERVAL_SECONDS, economical: 120 };

/**
 * The schedule of a `POLL_PROFILE`.
 *
 * @example
 * const settings = { watchTimeoutSeconds: 7200, deliveryBudgetSeconds: 86_400, pollSchedule: pollScheduleFor('prompt') };
 */
export function pollScheduleFor(profile: PollProfile): PollSchedule {
  return profile === 'balanced' ? adaptiveSchedule : adaptiveScheduleWith(PACE_MODELS, PROFILE_MAX_INTERVAL_SECONDS[profile]);
}

function documentedDelaySeconds(creation: CreationEstimate, pace: PaceModel, nowMs: number): number {
  const untilMs = Math.min(
    earliestFinishMs(creation, pace.plausiblePace, nowMs) + pace.lagTargetSeconds * 1000,
    earliestFinishMs(creation, pace.fastestPace, nowMs) + pace.fastFinishLagSeconds * 1000,
  );
  const seconds = (untilMs - nowMs) / 1000;
  const latestPlausibleMs = creation.reachedByMs + pace.slowestPace * creation.durationMs * (1 - creation.progress / 100);
  if (creation.progress === 0 || nowMs <= latestPlausibleMs) return seconds;
  return Math.max(seconds, pace.lagTargetSeconds + ((nowMs - latestPlausibleMs) / 1000) * pace.lateBackoffSecondsPerSecond);
}

/** Grid of log-durations the learned model weighs: 30 s to 4 h. */
const LOG_DURATION_GRID = Array.from({ length: 96 }, (_, i) => Math.log(30) + (i / 95) * (Math.log(4 * 3600) - Math.log(30)));

/** Log-weights over `LOG_DURATION_GRID` (seconds): the prior and what each progress value says. */
function durationLogWeights(marks: readonly ProgressMark[], startMs: number, pace: LearnedPaceModel): number[] {
  const evidence = marks.map((mark) => {
    const fromS = Math.max(1, (stepLowerBoundMs(mark, startMs) - startMs) / 1000);
    const toS = Math.max(fromS, (mark.seen_at - startMs) / 1000);
    const windowLog = Math.log(toS) - Math.log(fromS);
    const centre = (Math.log(fromS) + Math.log(toS)) / 2 - Math.log(mark.progress / 100);
    return { centre, variance: pace.markLogSpread ** 2 + windowLog ** 2 / 12 };
  });
  return priorLogWeights(pace).map(
    (prior, i) => prior - evidence.reduce((sum, { centre, variance }) => sum + ((LOG_DURATION_GRID[i] ?? 0) - centre) ** 2 / (2 * variance), 0),
  );
}

/** Log-weights over `LOG_DURATION_GRID` of the prior alone: log-normal around its median. */
function priorLogWeights(pace: Pick<OperationPaceModel, 'priorMedianSeconds' | 'priorLogSpread'>): number[] {
  const priorCentre = Math.log(pace.priorMedianSeconds);
  return LOG_DURATION_GRID.map((logD) => -((logD - priorCentre) ** 2) / (2 * pace.priorLogSpread ** 2));
}

/** The learned model's most likely duration, among those longer than the time already run. */
function learnedDurationMs(marks: readonly ProgressMark[], startMs: number, nowMs: number, pace: LearnedPaceModel): number {
  const elapsedLog = Math.log(Math.max(1, (nowMs - startMs) / 1000));
  const weights = durationLogWeights(marks, startMs, pace);
  let best = LOG_DURATION_GRID.length - 1;
  LOG_DURATION_GRID.forEach((logD, i) => {
    if (logD > elapsedLog && (weights[i] ?? -Infinity) > (weights[best] ?? -Infinity)) best = i;
  });
  return Math.exp(LOG_DURATION_GRID[best] ?? elapsedLog) * 1000;
}

function learnedDelaySeconds(state: WatchState, creation: CreationEstimate, pace: LearnedPaceModel, nowMs: number): number {
  const marks = state.marks.filter((m) => m.progress > 0 && m.progress < 100);
  const elapsedS = Math.max(1, (nowMs - creation.startMs) / 1000);
  return hazardIntervalSeconds(durationLogWeights(marks, creation.startMs, pace), elapsedS, pace);
}

/** `intervalScale` / √(density of the end now, given it has not come), at least `minIntervalSeconds`. */
function hazardIntervalSeconds(weights: readonly number[], elapsedS: number, pace: OperationPaceModel): number {
  const top = Math.max(...weights);
  const step = (LOG_DURATION_GRID[1] ?? 0) - (LOG_DURATION_GRID[0] ?? 0);
  // Probability mass per grid cell — what the values say, plus a share for "they were wrong"
  // spread evenly over log-durations — then the end's density now (per second) given it has not come.
  const said = weights.map((w) => Math.exp(w - top));
  const saidTotal = said.reduce((sum, m) => sum + m, 0);
  const mass = said.map((m) => (1 - pace.surpriseShare) * (m / saidTotal) + pace.surpriseShare / LOG_DURATION_GRID.length);
  const beyond = mass.reduce((sum, m, i) => sum + ((LOG_DURATION_GRID[i] ?? 0) > Math.log(elapsedS) ? m : 0), 0);
  const total = mass.reduce((sum, m) => sum + m, 0);
  const cell = Math.min(LOG_DURATION_GRID.length - 1, Math.max(0, Math.round((Math.log(elapsedS) - (LOG_DURATION_GRID[0] ?? 0)) / step)));
  const densityPerSecond = (mass[cell] ?? 0) / total / step / elapsedS / Math.max(beyond / total, 1e-9);
  return Math.max(pace.minIntervalSeconds, pace.intervalScale / Math.sqrt(Math.max(densityPerSecond, 1e-12)));
}

/**
 * Seconds until the next poll of a gateway that is still being created, as `schedule` proposes
 * (the adaptive schedule by default), never past the watch deadline nor beyond SQS's limit.
 *
 * @example
 * nextPollDelaySeconds(state, Date.now()) // 58
 * nextPollDelaySeconds(state, Date.now(), () => 20) // 20: a fixed-interval policy
 */
export function nextPollDelaySeconds(state: WatchState, nowMs: number, schedule: PollSchedule = adaptiveSchedule): number {
  return withinDeadline(schedule(state, nowMs), state, nowMs);
}

/**
 * Seconds before retrying after a transient error: Huawei's 2–5 s for throttling, exponential
 * back-off for the rest.
 *
 * @example
 * transientRetryDelaySeconds(state, 3, true, now) // 3
 */
export function transientRetryDelaySeconds(state: WatchState, consecutiveErrors: number, throttled: boolean, nowMs: number): number {
  const unit = jitterUnit(state.watch_id, state.step);
  const delay = throttled
    ? THROTTLE_RETRY_MIN_SECONDS + unit * (THROTTLE_RETRY_MAX_SECONDS - THROTTLE_RETRY_MIN_SECONDS)
    : Math.min(TRANSIENT_BACKOFF_MAX_SECONDS, TRANSIENT_BACKOFF_BASE_SECONDS * 2 ** Math.max(0, consecutiveErrors - 1)) * (1 - JITTER_FRACTION * unit);
  return withinDeadline(delay, state, nowMs);
}

/** The answer before a step was first seen (`null`: the step showed in the watch's first answer). */
function stepLowerBoundMs(mark: ProgressMark, startMs: number): number {
  return mark.after ?? startMs;
}

/** Never wait past the deadline (the poll at the deadline reports `timed_out`), never beyond SQS's limit. */
function withinDeadline(seconds: number, state: WatchState, nowMs: number): number {
  const untilDeadline = Math.ceil((state.deadline_at - nowMs) / 1000);
  return sqsDelaySeconds(Math.min(sqsDelaySeconds(seconds, MAX_POLL_INTERVAL_SECONDS), untilDeadline), MAX_POLL_INTERVAL_SECONDS);
}

/**
 * A delay SQS takes: a whole number of seconds in 0–900, whatever arithmetic on odd inputs
 * produced. Rounded, cut to the range (±Infinity to its ends); `NaN` becomes `fallbackSeconds`.
 *
 * @example
 * sqsDelaySeconds(12.4, 60) // 12
 * sqsDelaySeconds(Number.POSITIVE_INFINITY, 60) // 900
 * sqsDelaySeconds(Number.NaN, 60) // 60
 */
export function sqsDelaySeconds(seconds: number, fallbackSeconds: number): number {
  const value = Number.isNaN(seconds) ? fallbackSeconds : seconds;
  return Math.min(MAX_SQS_DELAY_SECONDS, Math.max(0, Math.round(value)));
}
