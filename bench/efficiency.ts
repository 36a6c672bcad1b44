/**
 * Item 1, polling efficiency: replays creation traces through the real use case (`processBatch`
 * with the real `decide` policy and step store semantics) on a virtual clock, once per schedule.
 *
 * Progress comes from an in-memory source that answers what Huawei (and the simulator) would
 * answer at the virtual time (`progressAt`). The replay is about policy, so nothing real-time may
 * leak in: with the simulator over HTTP, each of the ~60 000 polls of a bench run would cost a
 * loopback round trip for no added insight (the HTTP client and the simulator are measured in the
 * pipeline, concurrency and throttling items). No time passes while a batch is processed, so the
 * lag measured is the schedule's alone; Lambda and SQS add their own (well under a second).
 */
import type { Target } from '../lib/watch/ports/notifier.js';
import type { InstanceDetailAnswer, InstanceDetailSource, ProgressReport } from '../lib/watch/ports/progress-source.js';
import { NO_METRICS, SILENT_LOG } from '../lib/watch/ports/observability.js';
import { processBatch } from '../lib/watch/process-batch.js';
import { POLL_PROFILES, pollScheduleFor, type PollSchedule } from '../lib/watch/schedule.js';
import type { WatchPorts } from '../lib/watch/step-context.js';
import { memoryStepStore } from '../lib/store/memory-step-store.js';
import { mean, median, percentile, round } from './stats.js';
import { instanceDetailAt, progressAt, type OperationTrace, type Trace } from './traces.js';

const T0 = Date.UTC(2026, 10, 28, 10, 0, 0);
const CREATION_SPACING_MS = 1000;
const SETTINGS = { watchTimeoutSeconds: 7200, deliveryBudgetSeconds: 86_400 };
const TARGET: Target = { id: 'bench', type: 'webhook', url: 'http://127.0.0.1:9/bench', display: 'webhook bench' };

/** What one watch of one trace cost and how late it told. */
export interface WatchResult {
  status: 'success' | 'failed';
  polls: number;
  lagSeconds: number;
  /** From the creation's start to its notification. */
  notifiedAfterSeconds: number;
  longestIntervalSeconds: number;
}

/** The figures of one schedule on one trace set (one run). */
export interface EfficiencyFigures extends Record<string, number> {
  pollsPerWatch: number;
  successLagP50: number;
  successLagP95: number;
  successLagMax: number;
  failureLagP50: number;
  failureLagP95: number;
  failureLagMax: number;
  longestIntervalSeconds: number;
}

/** How the replay's queue behaves, for replaying a run of the real pipeline (bench/pipeline.ts). */
export interface ReplayOptions {
  /** Between two creations' starts. Default 1 s: the replay interleaves them as a real queue would. */
  creationSpacingMs?: number;
  /** The pipeline's time scale: its SQS delays are whole seconds of real time, so the replay rounds each up to a multiple of this. Default 1. */
  delayScale?: number;
}

interface Pending {
  dueMs: number;
  sequence: number;
  body: string;
}

/**
 * Replays every trace through `processBatch` under `schedule` (the adaptive one when undefined).
 * `run` varies the project ids, hence the watch ids and the schedule's jitter, between runs.
 *
 * @example
 * const results = await replayTraces(traces, () => 20, 0); // fixed 20 s polling
 */
export async function replayTraces(
  traces: readonly Trace[],
  schedule: PollSchedule | undefined,
  run: number,
  { creationSpacingMs = CREATION_SPACING_MS, delayScale = 1 }: ReplayOptions = {},
): Promise<WatchResult[]> {
  const watches = traces.map((trace, index): ReplayedWatch => {
    const startMs = T0 + index * creationSpacingMs;
    return {
      request: { instance_name: trace.id },
      dueMs: startMs + trace.watchDelayMs,
      finishMs: startMs + trace.finish.atMs,
      startMs,
      status: trace.finish.status,
      progressAt: (nowMs) => progressAt(trace, nowMs - startMs, startMs),
    };
  });
  return replayWatches(watches, schedule, run, delayScale);
}

/**
 * Replays operation traces (`generateOperationTraces`) the same way: each watch requested with its
 * operation, the instance detail answered from the trace (a creation's progress API says success
 * from the start). Every read of Huawei counts as a poll.
 *
 * @example
 * const results = await replayOperationTraces(generateOperationTraces('resize', 7001), fixedInterval(20), 0);
 */
export async function replayOperationTraces(traces: readonly OperationTrace[], schedule: PollSchedule | undefined, run: number): Promise<WatchResult[]> {
  const watches = traces.map((trace, index): ReplayedWatch => {
    const startMs = T0 + index * CREATION_SPACING_MS;
    const success: ProgressReport = {
      status: 'success',
      progress: 100,
      errorCode: null,
      errorMsg: null,
      startTimeMs: startMs - 10 * 60_000,
      endTimeMs: startMs,
    };
    return {
      request: { instance_name: trace.id, operation: trace.operation },
      dueMs: startMs,
      finishMs: startMs + trace.finish.atMs,
      startMs,
      status: trace.finish.status,
      progressAt: () => success,
      detailAt: (nowMs) => instanceDetailAt(trace, nowMs - startMs),
    };
  });
  return replayWatches(watches, schedule, run, 1);
}

/** One watch of a replay: what it requests, when, when its operation ends and what Huawei answers meanwhile. */
interface ReplayedWatch {
  request: { instance_name: string; operation?: string };
  dueMs: number;
  /** When the operation watched started (the lag is measured from `finishMs`, the notified time from this). */
  startMs: number;
  finishMs: number;
  status: WatchResult['status'];
  progressAt: (nowMs: number) => ProgressReport;
  detailAt?: (nowMs: number) => InstanceDetailAnswer;
}

async function replayWatches(watches: readonly ReplayedWatch[], schedule: PollSchedule | undefined, run: number, delayScale: number): Promise<WatchResult[]> {
  let nowMs = T0;
  let sequence = 0;
  const pending: Pending[] = [];
  const enqueue = (body: string, dueMs: number) => {
    sequence += 1;
    pending.push({ dueMs, sequence, body });
  };
  const delayMs = (seconds: number) => (delayScale === 1 ? seconds : Math.ceil(seconds / delayScale) * delayScale) * 1000;
  const polls = new Map<string, number[]>();
  const notified = new Map<string, number>();
  const byInstance = new Map<string, ReplayedWatch>();
  const polled = (instanceId: string) => {
    const watch = byInstance.get(instanceId);
    if (watch === undefined) throw new Error(`no trace for instance ${instanceId}`);
    polls.set(instanceId, [...(polls.get(instanceId) ?? []), nowMs]);
    return watch;
  };

  watches.forEach((watch, index) => {
    const instanceId = index.toString(16).padStart(32, '0');
    byInstance.set(instanceId, watch);
    const request = { project_id: run.toString(16).padStart(32, 'b'), instance_id: instanceId, region: 'ap-southeast-1', ...watch.request };
    enqueue(JSON.stringify(request), watch.dueMs);
  });

  const instanceDetails: InstanceDetailSource = {
    async fetchInstanceDetail({ instanceId }) {
      const watch = polled(instanceId);
      if (watch.detailAt === undefined) throw new Error(`trace of instance ${instanceId} has no instance detail`);
      return watch.detailAt(nowMs);
    },
  };
  const ports: WatchPorts = {
    progressSource: {
      async fetchProgress({ instanceId }) {
        return polled(instanceId).progressAt(nowMs);
      },
    },
    // Creation traces end at the progress API's success, as before the instance detail was read.
    ...(watches.some((watch) => watch.detailAt !== undefined) ? { instanceDetails } : {}),
    queue: {
      async sendBatch(messages) {
        for (const message of messages) enqueue(message.body, nowMs + delayMs(message.delaySeconds));
        return new Map();
      },
      async sendToDeadLetter(_body, reason) {
        throw new Error(`the replay dead-lettered a watch: ${reason}`);
      },
      async retryLater() {
        throw new Error('the replay failed a record');
      },
    },
    store: memoryStepStore(),
    notifier: {
      async deliver(event) {
        notified.set(event.data.instance_id, nowMs);
        return { status: 'delivered', attempts: 1, httpStatus: 200 };
      },
    },
    targets: [TARGET],
    stateKeys: { current: 'apig-watch efficiency benchmark key', previous: null },
    clock: { now: () => nowMs },
    log: SILENT_LOG,
    metrics: NO_METRICS,
  };
  const settings = { ...SETTINGS, pollSchedule: schedule };

  while (pending.length > 0) {
    let next = 0;
    for (let i = 1; i < pending.length; i += 1) {
      const candidate = pending[i] as Pending;
      const best = pending[next] as Pending;
      if (candidate.dueMs < best.dueMs || (candidate.dueMs === best.dueMs && candidate.sequence < best.sequence)) next = i;
    }
    const [message] = pending.splice(next, 1) as [Pending];
    nowMs = message.dueMs;
    const { failedMessageIds } = await processBatch([{ messageId: String(message.sequence), body: message.body }], ports, settings, nowMs + 60_000);
    if (failedMessageIds.length > 0) throw new Error('the replay failed a record');
  }

  return [...byInstance].map(([instanceId, watch]) => {
    const times = polls.get(instanceId) ?? [];
    const notifiedMs = notified.get(instanceId);
    if (notifiedMs === undefined) throw new Error(`trace ${watch.request.instance_name} was never notified`);
    const gaps = times.slice(1).map((time, i) => (time - (times[i] as number)) / 1000);
    return {
      status: watch.status,
      polls: times.length,
      lagSeconds: (notifiedMs - watch.finishMs) / 1000,
      notifiedAfterSeconds: (notifiedMs - watch.startMs) / 1000,
      longestIntervalSeconds: Math.max(0, ...gaps),
    };
  });
}

/** Polls per watch and lag percentiles, successes and failures apart. */
export function efficiencyFigures(results: readonly WatchResult[]): EfficiencyFigures {
  const lags = (status: WatchResult['status']) => results.filter((result) => result.status === status).map((result) => result.lagSeconds);
  const success = lags('success');
  const failure = lags('failed');
  return {
    pollsPerWatch: mean(results.map((result) => result.polls)),
    successLagP50: percentile(success, 50),
    successLagP95: percentile(success, 95),
    successLagMax: Math.max(...success),
    failureLagP50: percentile(failure, 50),
    failureLagP95: percentile(failure, 95),
    failureLagMax: Math.max(...failure),
    longestIntervalSeconds: Math.max(...results.map((result) => result.longestIntervalSeconds)),
  };
}

export interface ScheduleUnderTest {
  name: string;
  schedule: PollSchedule | undefined;
}

/** Fixed-interval polling, the baselines: a schedule swapped in, as `processBatch` allows. */
export function fixedInterval(seconds: number): PollSchedule {
  return () => seconds;
}

/** Each `POLL_PROFILE` (`balanced` is the default, `adaptiveSchedule`), then the baselines. */
export const SCHEDULES: readonly ScheduleUnderTest[] = [
  ...POLL_PROFILES.map((profile) => ({ name: profile, schedule: pollScheduleFor(profile) })),
  { name: 'fixed 20 s', schedule: fixedInterval(20) },
  { name: 'fixed 60 s', schedule: fixedInterval(60) },
];

export interface EfficiencyRow extends EfficiencyFigures {
  /** Polls as a share of fixed-20 s polling on the same traces, in %. */
  pollsVsFixed20Percent: number;
}

/**
 * Every schedule on one trace set, `runs` times (jitter differs between runs); per schedule the
 * median of each figure over the runs.
 *
 * @example
 * const rows = await measureEfficiency(traces, 3); // { prompt: {…}, balanced: {…}, economical: {…}, 'fixed 20 s': {…}, … }
 */
export async function measureEfficiency(traces: readonly Trace[], runs: number): Promise<Record<string, EfficiencyRow>> {
  return measureWith((schedule, run) => replayTraces(traces, schedule, run), runs);
}

/**
 * The same for operation traces: every schedule, `runs` times, the median of each figure.
 *
 * @example
 * const rows = await measureOperationEfficiency(generateOperationTraces('resize', 7001), 3);
 */
export async function measureOperationEfficiency(traces: readonly OperationTrace[], runs: number): Promise<Record<string, EfficiencyRow>> {
  return measureWith((schedule, run) => replayOperationTraces(traces, schedule, run), runs);
}

async function measureWith(
  replay: (schedule: PollSchedule | undefined, run: number) => Promise<WatchResult[]>,
  runs: number,
): Promise<Record<string, EfficiencyRow>> {
  const perRun: Record<string, EfficiencyRow[]> = {};
  for (let run = 0; run < runs; run += 1) {
    const figures = new Map<string, EfficiencyFigures>();
    for (const { name, schedule } of SCHEDULES) figures.set(name, efficiencyFigures(await replay(schedule, run)));
    const fixed20 = figures.get('fixed 20 s') as EfficiencyFigures;
    for (const [name, figure] of figures) {
      perRun[name] = [...(perRun[name] ?? []), { ...figure, pollsVsFixed20Percent: (100 * figure.pollsPerWatch) / fixed20.pollsPerWatch }];
    }
  }
  return Object.fromEntries(
    Object.entries(perRun).map(([name, rows]) => [
      name,
      Object.fromEntries(Object.keys(rows[0] as EfficiencyRow).map((key) => [key, round(median(rows.map((row) => row[key] as number)), 1)])) as EfficiencyRow,
    ]),
  );
}
