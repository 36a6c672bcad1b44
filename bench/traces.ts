import { readFile } from 'node:fs/promises';
import { OPERATION_STATUSES } from '../lib/watch/decide-poll.js';
import type { InstanceDetailAnswer, ProgressReport } from '../lib/watch/ports/progress-source.js';
import type { DetailOperation } from '../lib/watch/schedule.js';

/**
 * Creation traces: how dedicated-gateway creations unfold, for replaying the polling schedule.
 * Times are milliseconds from the creation's start (Huawei's `start_time`); the shapes are the
 * simulator's (`SimulatedGateway`), so a trace can also be played by `startApigSimulator`.
 */
export interface Trace {
  id: string;
  /** When the watch request arrives, after the creation started. */
  watchDelayMs: number;
  /** Progress reached at each offset, in time order (documented family: 30, 50, 80, 90; fewer when the creation fails first). */
  steps: { atMs: number; progress: number }[];
  finish: { atMs: number; status: 'success' | 'failed'; errorCode?: string };
}

export interface TraceSet {
  seed: number;
  generator: string;
  description: string;
  traces: Trace[];
}

export const DEFAULT_TRACE_COUNT = 200;
/** Seeds the schedule's constants were chosen on (bench/tune-schedule.ts)… */
export const TUNING_SEEDS = [1, 2, 3, 4, 5] as const;
/** …and seeds never used for tuning, the only ones `npm run bench` reports. */
export const HELD_OUT_SEEDS = [7001, 7002, 7003, 7004, 7005] as const;
export const TRACE_SET_PATH = new URL('./traces.json', import.meta.url);

const MINUTE_MS = 60_000;
const MIN_DURATION_MINUTES = 4;
const MAX_DURATION_MINUTES = 40;
/** Durations are log-normal around 8 minutes (most short, a long tail to 40). */
const MEDIAN_DURATION_MINUTES = 8;
const DURATION_LOG_SPREAD = 0.6;
/** The progress values Huawei documents. */
const PROGRESS_STEPS = [30, 50, 80, 90] as const;

/** How a creation's time splits between its stages (to 30, 50, 80, 90, 100 %). */
export interface StageModel {
  /** Each stage's nominal share of the duration: its progress increment by default. */
  stageShares: readonly number[];
  /** How much each stage's share varies from trace to trace (σ of a log-normal factor, then renormalised). */
  stageSpread: number;
}

export const DEFAULT_STAGE_MODEL: StageModel = { stageShares: [0.3, 0.2, 0.3, 0.1, 0.1], stageSpread: 0.25 };
const FAILURE_RATE = 1 / 8;
const FAILURE_CODES = ['APIC.9218', 'APIC.9219', 'APIC.9206'] as const;
/** Most watches are requested right after the creation call; some (a retried pipeline) later. */
const LATE_WATCH_RATE = 0.15;
const PROMPT_WATCH_MAX_DELAY_MS = 30_000;

/** The trace set's description, as written into the file. */
export function describeTraces(count: number, model: StageModel): string {
  return (
    `${count} creations; durations ${MIN_DURATION_MINUTES}–${MAX_DURATION_MINUTES} min, log-normal around ` +
    `${MEDIAN_DURATION_MINUTES} min (most short); progress steps 30, 50, 80, 90 then 100, each stage taking its nominal ` +
    `share (${model.stageShares.join(', ')}) of the duration times a log-normal factor (σ ${model.stageSpread}), renormalised; ` +
    `1 in 8 fail part-way, 15–95% of the way (APIC.9218, 9219, 9206); ${LATE_WATCH_RATE * 100}% of watches start late ` +
    `(up to 40% of the duration), the rest within ${PROMPT_WATCH_MAX_DELAY_MS / 1000} s of the creation's start.`
  );
}

/**
 * A deterministic set of creation traces for one seed (the committed set is seed 1, default model).
 *
 * @example
 * const { traces } = generateTraces(2); // the second seed, unseen by the tuning
 * generateTraces(7, 200, { stageSpread: 0.35 }); // stages that vary more
 */
export function generateTraces(seed: number, count = DEFAULT_TRACE_COUNT, model: StageModel = DEFAULT_STAGE_MODEL): TraceSet {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const failing = shuffled(
    Array.from({ length: count }, (_, index) => index < Math.round(count * FAILURE_RATE)),
    random,
  );
  const traces = Array.from({ length: count }, (_, index): Trace => {
    let minutes: number;
    do minutes = MEDIAN_DURATION_MINUTES * Math.exp(DURATION_LOG_SPREAD * gaussian());
    while (minutes < MIN_DURATION_MINUTES || minutes > MAX_DURATION_MINUTES);
    const durationMs = Math.round(minutes * MINUTE_MS);

    const weights = model.stageShares.map((share) => share * Math.exp(model.stageSpread * gaussian()));
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    let reached = 0;
    const allSteps = PROGRESS_STEPS.map((progress, stage) => {
      reached += (weights[stage] ?? 0) / total;
      return { atMs: Math.round(durationMs * reached), progress };
    });

    return endedTrace(`s${seed}-${String(index + 1).padStart(3, '0')}`, allSteps, durationMs, failing[index] ?? false, random);
  });
  return { seed, generator: 'bench/generate-traces.ts', description: describeTraces(count, model), traces };
}

/** The trace families the bench replays: the documented progress steps, and everything else. */
export const TRACE_FAMILIES = ['documented', 'undocumented'] as const;
export type TraceFamily = (typeof TRACE_FAMILIES)[number];

const UNDOCUMENTED_SHORT_RATE = 0.03;
const UNDOCUMENTED_LONG_RATE = 0.03;
/** How far a value's time strays from its nominal share (σ of a log-normal factor). */
const UNDOCUMENTED_TIME_SPREAD = 0.35;
/** Shares of the undocumented family's odd patterns (the rest: arbitrary values at irregular times). */
const ODD_PATTERNS = { stall: 0.03, jump: 0.03, backwards: 0.03, silent: 0.02 } as const;

/** The undocumented family's description, as written into the file. */
export function describeUndocumentedTraces(count: number): string {
  return (
    `${count} creations; progress values other than the documented 30/50/80/90: 2–7 arbitrary values (1–99), each ` +
    `reached at an irregular fraction of the duration (its value as a share, times a log-normal factor of σ ` +
    `${UNDOCUMENTED_TIME_SPREAD}, in time order); durations as the documented family, but ${UNDOCUMENTED_SHORT_RATE * 100}% ` +
    `very short (1.5–3 min) and ${UNDOCUMENTED_LONG_RATE * 100}% very long (60–120 min); odd patterns: ` +
    `${ODD_PATTERNS.stall * 100}% stall (every value comes in the first third of the time), ${ODD_PATTERNS.jump * 100}% jump (one early value, then 100), ` +
    `${ODD_PATTERNS.backwards * 100}% go backwards once (a value lower than the one before), ` +
    `${ODD_PATTERNS.silent * 100}% report progress 0 until the end; failures and late watches as the documented family.`
  );
}

/**
 * A deterministic set of creation traces of the undocumented family for one seed: progress values
 * and timings the schedule was not written for, including patterns nobody planned (stalls, jumps,
 * progress going backwards, silent creations, very short and very long ones).
 *
 * @example
 * const { traces } = generateUndocumentedTraces(7001);
 */
export function generateUndocumentedTraces(seed: number, count = DEFAULT_TRACE_COUNT): TraceSet {
  const random = seededRandom(seed ^ 0x5eed_0d0c);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const failing = shuffled(
    Array.from({ length: count }, (_, index) => index < Math.round(count * FAILURE_RATE)),
    random,
  );
  const between = (low: number, high: number) => low + random() * (high - low);
  const traces = Array.from({ length: count }, (_, index): Trace => {
    const kind = random();
    let minutes: number;
    if (kind < UNDOCUMENTED_SHORT_RATE) minutes = between(1.5, 3);
    else if (kind < UNDOCUMENTED_SHORT_RATE + UNDOCUMENTED_LONG_RATE) minutes = between(60, 120);
    else {
      do minutes = MEDIAN_DURATION_MINUTES * Math.exp(DURATION_LOG_SPREAD * gaussian());
      while (minutes < MIN_DURATION_MINUTES || minutes > MAX_DURATION_MINUTES);
    }
    const durationMs = Math.round(minutes * MINUTE_MS);

    const values = [...new Set(Array.from({ length: 2 + Math.floor(random() * 6) }, () => 1 + Math.floor(random() * 99)))].sort((a, b) => a - b);
    let fractions = values
      .map((value) => Math.min(0.97, Math.max(0.02, (value / 100) * Math.exp(UNDOCUMENTED_TIME_SPREAD * gaussian()))))
      .sort((a, b) => a - b);
    let progress = values;
    const pattern = random();
    // Cumulative shares: a pattern below `stallUpTo` stalls, below `jumpUpTo` jumps, and so on.
    const stallUpTo = ODD_PATTERNS.stall;
    const jumpUpTo = stallUpTo + ODD_PATTERNS.jump;
    const backwardsUpTo = jumpUpTo + ODD_PATTERNS.backwards;
    const silentUpTo = backwardsUpTo + ODD_PATTERNS.silent;
    if (pattern < stallUpTo) fractions = fractions.map((fraction) => fraction / 3);
    else if (pattern < jumpUpTo) {
      progress = progress.slice(0, 1);
      fractions = fractions.slice(0, 1).map((fraction) => fraction / 4);
    } else if (pattern < backwardsUpTo && progress.length >= 3) {
      const at = 1 + Math.floor(random() * (progress.length - 1));
      progress = [...progress.slice(0, at), Math.max(1, (progress[at - 1] ?? 2) - 1 - Math.floor(random() * 20)), ...progress.slice(at)];
      fractions = [...fractions.slice(0, at), between(fractions[at - 1] ?? 0, fractions[at] ?? 0.97), ...fractions.slice(at)];
    } else if (pattern < silentUpTo) progress = [];
    const allSteps = progress.map((value, stage) => ({ atMs: Math.round(durationMs * (fractions[stage] ?? 0.5)), progress: value }));

    return endedTrace(`u${seed}-${String(index + 1).padStart(3, '0')}`, allSteps, durationMs, failing[index] ?? false, random);
  });
  return { seed, generator: 'bench/traces.ts (undocumented)', description: describeUndocumentedTraces(count), traces };
}

/**
 * A trace's ending, the same for both families: when it finishes (a failure somewhere in 15–95 %
 * of its duration, with one of Huawei's codes), and when its watch starts (most at once, some late).
 */
function endedTrace(id: string, allSteps: Trace['steps'], durationMs: number, fails: boolean, random: () => number): Trace {
  const finishAtMs = fails ? Math.round(durationMs * (0.15 + 0.8 * random())) : durationMs;
  const errorCode = FAILURE_CODES[Math.floor(random() * FAILURE_CODES.length)];
  const late = random() < LATE_WATCH_RATE;
  const delayMs = Math.round(late ? PROMPT_WATCH_MAX_DELAY_MS + random() * 0.4 * durationMs : random() * PROMPT_WATCH_MAX_DELAY_MS);
  return {
    id,
    watchDelayMs: Math.max(0, Math.min(delayMs, finishAtMs - PROMPT_WATCH_MAX_DELAY_MS)),
    steps: allSteps.filter((step) => step.atMs < finishAtMs),
    finish: fails ? { atMs: finishAtMs, status: 'failed', errorCode } : { atMs: finishAtMs, status: 'success' },
  };
}

/**
 * One family's trace set for one seed.
 *
 * @example
 * traceSetOf('undocumented', 7001).traces.length // 200
 */
export function traceSetOf(family: TraceFamily, seed: number, count = DEFAULT_TRACE_COUNT): TraceSet {
  return family === 'documented' ? generateTraces(seed, count) : generateUndocumentedTraces(seed, count);
}

/**
 * What Huawei answers about a trace `elapsedMs` after the creation started, as the progress client
 * reports it (the simulator's answer, normalised): progress 0 before the first step and in failed
 * answers, `end_time` filled in while creating.
 *
 * @example
 * progressAt(trace, 90_000, T0) // { status: 'creating', progress: 30, startTimeMs: T0, … }
 */
export function progressAt(trace: Trace, elapsedMs: number, startMs: number): ProgressReport {
  const { finish } = trace;
  const finished = elapsedMs >= finish.atMs;
  const failed = finished && finish.status === 'failed';
  const reached = trace.steps.filter((step) => step.atMs <= elapsedMs).at(-1)?.progress ?? 0;
  return {
    status: finished ? finish.status : 'creating',
    progress: finished ? (failed ? 0 : 100) : reached,
    errorCode: failed ? (finish.errorCode ?? 'APIC.9206') : null,
    errorMsg: failed ? 'create failed...' : null,
    startTimeMs: startMs,
    endTimeMs: startMs + (finished ? finish.atMs : elapsedMs),
  };
}

/**
 * An operation read from the instance detail alone (or a creation's last phase, after the
 * progress API's success). Times are milliseconds from the watch request, which comes right after
 * the operation was requested of Huawei.
 */
export interface OperationTrace {
  id: string;
  operation: DetailOperation;
  /** When the instance status first shows the operation (until then it says `Running`). */
  showsAtMs: number;
  /** When it ends: `Running` (a deletion: gone), or one of its failed statuses (Huawei's `*Timeout` ones included). */
  finish: { atMs: number; status: 'success' | 'failed'; instanceStatus: string };
}

/** The operations the bench replays, each with its own table. */
export const DETAIL_OPERATIONS = ['resize', 'update', 'deletion', 'restart', 'creation'] as const satisfies readonly DetailOperation[];

/**
 * How each operation's durations are drawn (log-normal around the median, cut to the range): around
 * the schedule's priors (`OPERATION_PACES`), a little tighter for the resize, whose 15–30 minutes
 * Huawei documents, and with the others' ranges wider than the priors assume.
 */
export const OPERATION_DURATIONS: Readonly<Record<DetailOperation, { medianMinutes: number; logSpread: number; minMinutes: number; maxMinutes: number }>> = {
  resize: { medianMinutes: 21, logSpread: 0.3, minMinutes: 10, maxMinutes: 45 },
  update: { medianMinutes: 20, logSpread: 0.45, minMinutes: 5, maxMinutes: 60 },
  deletion: { medianMinutes: 5, logSpread: 0.45, minMinutes: 1.5, maxMinutes: 20 },
  restart: { medianMinutes: 4, logSpread: 0.45, minMinutes: 1, maxMinutes: 15 },
  creation: { medianMinutes: 1, logSpread: 0.5, minMinutes: 0.3, maxMinutes: 5 },
};
/** The status a creation's last phase shows between the progress API's success and `Running`. */
const CREATION_LAST_PHASE_STATUS = 'Initing';
/** An operation requested of Huawei shows in the instance status within this long (a creation's last phase at once). */
const OPERATION_SHOW_MAX_DELAY_MS = 30_000;

/** The operation traces' description, as written into the results. */
export function describeOperationTraces(operation: DetailOperation, count: number): string {
  const { medianMinutes, logSpread, minMinutes, maxMinutes } = OPERATION_DURATIONS[operation];
  const what = operation === 'creation' ? "creations' last phase (the progress API says success, the detail Initing until Running)" : `${operation}s`;
  return (
    `${count} ${what}; durations ${minMinutes}–${maxMinutes} min, log-normal around ${medianMinutes} min (σ ${logSpread}); ` +
    `1 in 8 fail at any time once shown (uniformly), with one of the operation's failed statuses; ` +
    (operation === 'creation' ? 'the status shows at once.' : `the status shows ${OPERATION_SHOW_MAX_DELAY_MS / 1000} s at most after the request.`)
  );
}

/**
 * A deterministic set of traces of one operation for one seed.
 *
 * @example
 * generateOperationTraces('resize', 7001).length // 200
 */
export function generateOperationTraces(operation: DetailOperation, seed: number, count = DEFAULT_TRACE_COUNT): OperationTrace[] {
  const random = seededRandom(seed ^ (0x0e7a_0000 + DETAIL_OPERATIONS.indexOf(operation)));
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const failing = shuffled(
    Array.from({ length: count }, (_, index) => index < Math.round(count * FAILURE_RATE)),
    random,
  );
  const { medianMinutes, logSpread, minMinutes, maxMinutes } = OPERATION_DURATIONS[operation];
  const failedStatuses = OPERATION_STATUSES[operation].failed;
  return Array.from({ length: count }, (_, index): OperationTrace => {
    let minutes: number;
    do minutes = medianMinutes * Math.exp(logSpread * gaussian());
    while (minutes < minMinutes || minutes > maxMinutes);
    const durationMs = Math.round(minutes * MINUTE_MS);
    const showsAtMs = operation === 'creation' ? 0 : Math.round(random() * Math.min(OPERATION_SHOW_MAX_DELAY_MS, durationMs / 2));
    const id = `${operation}${seed}-${String(index + 1).padStart(3, '0')}`;
    if (!(failing[index] ?? false)) return { id, operation, showsAtMs, finish: { atMs: durationMs, status: 'success', instanceStatus: 'Running' } };
    const instanceStatus = failedStatuses[Math.floor(random() * failedStatuses.length)] as string;
    return { id, operation, showsAtMs, finish: { atMs: Math.round(showsAtMs + random() * (durationMs - showsAtMs)), status: 'failed', instanceStatus } };
  });
}

/**
 * What the instance detail says of an operation trace `elapsedMs` after its watch was requested:
 * `Running` before it shows, its transitional status while under way, then its end.
 *
 * @example
 * instanceDetailAt(resizeTrace, 60_000) // { kind: 'detail', detail: { status: 'Resizing', … } }
 */
export function instanceDetailAt(trace: OperationTrace, elapsedMs: number): InstanceDetailAnswer {
  const { finish, operation } = trace;
  const ended = elapsedMs >= finish.atMs;
  if (ended && finish.status === 'success' && operation === 'deletion') return { kind: 'gone' };
  const underWay = operation === 'creation' ? CREATION_LAST_PHASE_STATUS : (OPERATION_STATUSES[operation].pending[0] as string);
  const status = ended ? finish.instanceStatus : elapsedMs >= trace.showsAtMs ? underWay : 'Running';
  const detail = {
    status,
    instanceStatus: null,
    name: trace.id,
    spec: 'PROFESSIONAL',
    publicIngressAddress: null,
    privateIngressAddress: '192.168.0.10',
    enterpriseProjectId: '0',
  };
  return { kind: 'detail', detail };
}

/** Reads a trace set written by `bench/generate-traces.ts` (the committed one by default). */
export async function readTraceSet(path: URL | string = TRACE_SET_PATH): Promise<TraceSet> {
  return JSON.parse(await readFile(path, 'utf8')) as TraceSet;
}

function shuffled<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/** mulberry32: a small, fast, seedable generator; good enough to draw traces, not for secrets. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
