/**
 * `npm run bench`: polling efficiency, pipeline overhead, concurrency, cold start, throttling and
 * pacing, each figure a median over repeated runs with its baseline measured in the same run.
 * Prints a table and writes the same figures to `bench/results/latest.json`; `--only` merges its
 * items into that file, keeping the others' last figures. See bench/PERFORMANCE.md.
 *
 *   npm run bench                                  # everything (≈ 3.5–5 minutes on 2 cores)
 *   npm run bench -- --only efficiency,cold-start  # some items
 *   npm run bench -- --traces other.json           # also replay a trace set file (bench/generate-traces.ts)
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { measureColdStart, type ColdStartFigures } from './cold-start.js';
import { ANSWER_DELAY_MS, measureConcurrency, type ConcurrencyFigures } from './concurrency.js';
import { measureEfficiency, measureOperationEfficiency, type EfficiencyRow } from './efficiency.js';
import { measurePacing, measurePacingAcrossContainers, type PacingFigures } from './pacing.js';
import { median, round } from './stats.js';
import { measurePipeline, PIPELINE_DEFAULTS } from './pipeline.js';
import { measureThrottling, THROTTLING_DEFAULTS, type ThrottlingFigures } from './throttling.js';
import { MAX_POLL_INTERVAL_SECONDS } from '../lib/watch/schedule.js';
import {
  DETAIL_OPERATIONS,
  describeOperationTraces,
  generateOperationTraces,
  HELD_OUT_SEEDS,
  readTraceSet,
  TRACE_FAMILIES,
  traceSetOf,
  type TraceFamily,
} from './traces.js';

const ITEMS = ['efficiency', 'pipeline', 'concurrency', 'cold-start', 'throttling', 'pacing', 'pacing-containers'] as const;
type Item = (typeof ITEMS)[number];
const RESULTS_PATH = new URL('./results/latest.json', import.meta.url);

/** The performance goals, checked against the figures (never as timed tests). */
const GOALS = {
  efficiency: {
    documented: { pollsVsFixed20Percent: 50, successLagP95Seconds: 10, failureLagP95Seconds: 45 },
    undocumented: { pollsVsFixed20Percent: 60, successLagP95Seconds: 15, failureLagP95Seconds: 45 },
  } satisfies Record<TraceFamily, unknown>,
  /** Every operation read from the instance detail: fewer polls than fixed 20 s, success news within 15 s, failure news within 45 s (p95). */
  operations: { pollsVsFixed20Percent: 100, successLagP95Seconds: 15, failureLagP95Seconds: 45 },
  /** The balanced profile's (the default's) longest interval, `MAX_POLL_INTERVAL_SECONDS`. */
  longestIntervalSeconds: MAX_POLL_INTERVAL_SECONDS,
  pipelineWallVsFloor: 1.25,
  handlerCpuVsBare: 2,
  stepWritesPerPollStep: 1,
  pacingInvocationMs: 3000,
  /** Five containers, 50 outcomes to one Slack webhook: total time against 50 paces, and 429s. */
  pacingAcrossVsIdeal: 1.25,
  pacingAcrossThrottledPercent: 5,
  pacingAcrossSleepSeconds: 5,
  initRatio: 1.3,
  handlerGzipKiB: 200,
  batchInAnswers: 2,
};

interface Goal {
  item: Item;
  goal: string;
  target: string;
  measured: string;
  met: boolean;
}

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: ITEMS.join(',') },
    traces: { type: 'string' },
    /** Seeds the schedule was never tuned on (bench/traces.ts `HELD_OUT_SEEDS` by default). */
    seeds: { type: 'string', default: HELD_OUT_SEEDS.join(',') },
    runs: { type: 'string', default: '3' },
    'cold-start-runs': { type: 'string', default: '15' },
    watches: { type: 'string', default: String(PIPELINE_DEFAULTS.watches) },
  },
});
const only = new Set(values.only.split(',').map((item) => item.trim()) as Item[]);
for (const item of only) if (!ITEMS.includes(item)) throw new Error(`unknown item "${item}"; choose from ${ITEMS.join(', ')}`);
const runs = Number(values.runs);
const startedMs = performance.now();
const goals: Goal[] = [];
const results: Record<string, unknown> = {
  generatedAt: new Date().toISOString(),
  machine: { node: process.version, platform: `${os.platform()} ${os.arch()}`, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown' },
  commit: gitCommit(),
  runs,
};
const print = (line = '') => process.stdout.write(`${line}\n`);

print(`apig-watch bench — ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}; medians of ${runs} runs unless said`);

if (only.has('efficiency')) {
  const seeds = values.seeds.split(',').map(Number);
  const efficiency: Record<string, unknown> = {};
  for (const family of TRACE_FAMILIES) {
    const perSeed: Record<string, Record<string, EfficiencyRow>> = {};
    for (const seed of seeds) perSeed[seed] = await measureEfficiency(traceSetOf(family, seed).traces, runs);
    const summary = summariseSeeds(Object.values(perSeed));
    efficiency[family] = { seeds, perSeed, summary };
    section(
      `1. Polling efficiency — ${family} progress steps, held-out seeds ${seeds.join(', ')} (200 creations each); median of the seeds (worst seed); lag in s, virtual clock`,
    );
    seedTable(summary, { successMax: true });
    const { median: mid, worst } = summary.balanced as SeedSummary;
    const goal = GOALS.efficiency[family];
    const on = `${family}, balanced profile, median (worst) of ${seeds.length} held-out seeds`;
    check(
      'efficiency',
      `polls vs fixed 20 s, ${on}`,
      `≤ ${goal.pollsVsFixed20Percent}%`,
      `${mid.pollsVsFixed20Percent}% (${worst.pollsVsFixed20Percent}%)`,
      worst.pollsVsFixed20Percent <= goal.pollsVsFixed20Percent,
    );
    checkLags(on, mid, worst, goal);
    check(
      'efficiency',
      `longest gap between polls, ${family}, balanced profile`,
      `≤ ${GOALS.longestIntervalSeconds} s`,
      `${worst.longestIntervalSeconds} s`,
      worst.longestIntervalSeconds <= GOALS.longestIntervalSeconds,
    );
  }
  const operations: Record<string, unknown> = {};
  for (const operation of DETAIL_OPERATIONS) {
    const perSeed: Record<string, Record<string, EfficiencyRow>> = {};
    for (const seed of seeds) perSeed[seed] = await measureOperationEfficiency(generateOperationTraces(operation, seed), runs);
    const summary = summariseSeeds(Object.values(perSeed));
    operations[operation] = { seeds, description: describeOperationTraces(operation, 200), perSeed, summary };
    section(
      `1. Polling efficiency — operation ${operation}, held-out seeds ${seeds.join(', ')}: ${describeOperationTraces(operation, 200)} Median of the seeds (worst seed); lag in s, virtual clock`,
    );
    seedTable(summary, { successMax: false });
    const { median: mid, worst } = summary.balanced as SeedSummary;
    const goal = GOALS.operations;
    const on = `${operation}, balanced profile, median (worst) of ${seeds.length} held-out seeds`;
    check(
      'efficiency',
      `polls vs fixed 20 s, ${on}`,
      `< ${goal.pollsVsFixed20Percent}%`,
      `${mid.pollsVsFixed20Percent}% (${worst.pollsVsFixed20Percent}%)`,
      worst.pollsVsFixed20Percent < goal.pollsVsFixed20Percent,
    );
    checkLags(on, mid, worst, goal);
  }
  efficiency.operations = operations;
  if (values.traces) {
    const set = await readTraceSet(values.traces);
    const rows = await measureEfficiency(set.traces, runs);
    efficiency[values.traces] = { seed: set.seed, schedules: rows };
    section(`1. Polling efficiency — ${values.traces} (seed ${set.seed}): ${set.traces.length} creations; lag in s`);
    table(
      ['schedule', 'polls/watch', 'vs 20 s', 'success p50', 'p95', 'max', 'failure p50', 'p95', 'longest gap'],
      Object.entries(rows).map(([name, row]) => [
        name,
        row.pollsPerWatch,
        `${row.pollsVsFixed20Percent}%`,
        row.successLagP50,
        row.successLagP95,
        row.successLagMax,
        row.failureLagP50,
        row.failureLagP95,
        row.longestIntervalSeconds,
      ]),
    );
  }
  results.efficiency = efficiency;
}

if (only.has('pipeline')) {
  const options = { ...PIPELINE_DEFAULTS, runs, watches: Number(values.watches) };
  const { median: figures, runs: all } = await measurePipeline(options);
  results.pipeline = { options, median: figures, runs: all };
  section(`2. Pipeline overhead — ${figures.watches} watches, real handler path, ${options.concurrency} concurrent invocations, time ×${options.timeScale}`);
  table(
    ['', 'wall s', 'polls/s', 'polls', 'invocations', 'SQS/poll (fn + mapping)', 'DynamoDB calls/poll', 'RSS MiB (loaded → peak)', 'CPU share'],
    [
      [
        'pipeline',
        figures.wallSeconds,
        figures.pollsPerSecond,
        figures.polls,
        figures.invocations,
        `${figures.functionSqsCallsPerPoll} + ${figures.mappingSqsCallsPerPoll}`,
        figures.functionDynamoCallsPerPoll,
        `${figures.rssAfterLoadMb} → ${figures.peakRssMb}`,
        `handler ${figures.handlerCpuShare}, servers ${figures.serversCpuShare}`,
      ],
      [
        'the schedule alone (replayed, no I/O)',
        figures.scheduleWallSeconds,
        round(figures.scheduleSteps / figures.scheduleWallSeconds, 0),
        figures.scheduleSteps,
        '–',
        '–',
        '–',
        '–',
        '–',
      ],
      [
        'bare pipeline (same creations, bare calls)',
        figures.bareWallSeconds,
        round(figures.bareSteps / figures.bareWallSeconds, 0),
        figures.bareSteps,
        '–',
        '–',
        '–',
        '–',
        '–',
      ],
      ['floor (bare calls, back to back)', figures.floorWallSeconds, figures.floorPollsPerSecond, figures.polls, '–', '0.1 + –', 1, '–', '–'],
    ],
  );
  print(
    `   pipeline / the schedule alone (same creations, same whole-second delays): ${figures.wallVsSchedule}×; posts ${figures.posts} (${figures.duplicatePosts} repeated), dead-lettered ${figures.deadLettered}`,
  );
  print(
    `   handler CPU per poll step: ${figures.handlerCpuMsPerStep} ms; bare handler's (the same calls, delivery records included): ${figures.bareCpuMsPerStep} ms (${figures.cpuVsBare}×; per watch ${figures.cpuPerWatchVsBare}×)`,
  );
  print(`   pipeline / bare pipeline wall time: ${figures.wallVsBare}× (${figures.pollSteps} against ${figures.bareSteps} poll steps)`);
  print(
    `   pipeline / back-to-back calls wall time: ${figures.wallVsFloor}× (the creations themselves take 4–5 s of it: a chain cannot finish before its gateway)`,
  );
  print(
    `   counted at the database: ${figures.stepWritesPerPollStep} step-record writes per poll step (${figures.writesPerPollStep} with delivery records), ` +
      `${figures.pollSteps} poll steps; duplicate Huawei GETs (simulator's count − poll steps): ${figures.duplicateHuaweiGets}; instance-detail GETs per creation: ${figures.detailGetsPerWatch}`,
  );
  check(
    'pipeline',
    'pipeline wall time vs the floor (the schedule alone, same creations)',
    `≤ ${GOALS.pipelineWallVsFloor}×`,
    `${figures.wallVsSchedule}×`,
    figures.wallVsSchedule <= GOALS.pipelineWallVsFloor,
  );
  check(
    'pipeline',
    'pipeline wall time vs the bare pipeline (delivery records included)',
    `≤ ${GOALS.pipelineWallVsFloor}×`,
    `${figures.wallVsBare}×`,
    figures.wallVsBare <= GOALS.pipelineWallVsFloor,
  );
  check(
    'pipeline',
    'handler CPU per poll step vs the bare handler',
    `≤ ${GOALS.handlerCpuVsBare}×`,
    `${figures.cpuVsBare}× (${figures.handlerCpuMsPerStep} vs ${figures.bareCpuMsPerStep} ms)`,
    figures.cpuVsBare <= GOALS.handlerCpuVsBare,
  );
  check(
    'pipeline',
    'DynamoDB writes per poll step (step records, counted at the database)',
    `${GOALS.stepWritesPerPollStep}.0`,
    `${figures.stepWritesPerPollStep} (duplicate Huawei GETs: ${figures.duplicateHuaweiGets})`,
    figures.stepWritesPerPollStep <= GOALS.stepWritesPerPollStep,
  );
}

if (only.has('concurrency')) {
  const figures: ConcurrencyFigures = await measureConcurrency(Math.max(runs, 5));
  results.concurrency = figures;
  section(`3. Concurrency — simulator answering in ${ANSWER_DELAY_MS} ms (medians of ${figures.runs})`);
  table(
    ['batch of 10', 'batch of 1', 'batch of 10 in answers', 'serial would take'],
    [[`${figures.batchOf10Ms} ms`, `${figures.batchOf1Ms} ms`, figures.batchInAnswers, `${10 * ANSWER_DELAY_MS} ms`]],
  );
  check(
    'concurrency',
    'a batch of 10 takes about one answer',
    `< ${GOALS.batchInAnswers} answers`,
    `${figures.batchInAnswers} answers (${figures.batchOf10Ms} ms)`,
    figures.batchInAnswers < GOALS.batchInAnswers,
  );
}

if (only.has('cold-start')) {
  const nodeBinaries = [process.execPath, ...lambdaNode()];
  const all: ColdStartFigures[] = await measureColdStart({ runs: Number(values['cold-start-runs']), nodeBinaries });
  results.coldStart = all;
  const first = all[0] as ColdStartFigures;
  section(
    `4. Cold start — the packaged poll handler vs a bundle that only constructs an SQSClient (same esbuild options); init = median of ${first.runs} fresh processes`,
  );
  table(
    ['bundle', 'init raw KiB', 'init gzip KiB', 'lazy raw KiB', 'lazy gzip KiB'],
    [
      ['handler', first.handler.initRawKiB, first.handler.initGzipKiB, first.handler.lazyRawKiB, first.handler.lazyGzipKiB],
      ['SQS client only', first.sqsOnly.initRawKiB, first.sqsOnly.initGzipKiB, first.sqsOnly.lazyRawKiB, first.sqsOnly.lazyGzipKiB],
    ],
  );
  print(
    `   poll.zip ${first.zipKiB} KiB (source maps included); largest packages loaded at init (KiB): ${Object.entries(first.largestPackagesKiB)
      .map(([name, kib]) => `${name} ${kib}`)
      .join(', ')}`,
  );
  table(
    ['node', 'handler init ms', 'SQS-only init ms', 'ratio'],
    all.map((figures) => [figures.node, figures.handlerInitMs, figures.sqsOnlyInitMs, `${figures.initRatio}×`]),
  );
  print(`   where the difference goes: the SQS-only bundle with the handler's dependencies added one by one (init ms)`);
  table(
    ['', ...all.map((figures) => figures.node)],
    Object.keys(first.layersInitMs).map((layer) => [layer, ...all.map((figures) => figures.layersInitMs[layer] ?? '–')]),
  );
  for (const figures of all) {
    check(
      'cold-start',
      `module init vs SQS-only, Node ${figures.node}`,
      `≤ ${GOALS.initRatio}×`,
      `${figures.initRatio}× (${figures.handlerInitMs} vs ${figures.sqsOnlyInitMs} ms)`,
      figures.initRatio <= GOALS.initRatio,
    );
  }
  const totalGzip = Math.round((first.handler.initGzipKiB + first.handler.lazyGzipKiB) * 10) / 10;
  check(
    'cold-start',
    'handler gzip (loaded at init)',
    `≤ ${GOALS.handlerGzipKiB} KiB`,
    `${first.handler.initGzipKiB} KiB (${totalGzip} KiB with lazy chunks)`,
    first.handler.initGzipKiB <= GOALS.handlerGzipKiB,
  );
}

if (only.has('throttling')) {
  const options = { ...THROTTLING_DEFAULTS, runs };
  const { median: figures, runs: all } = await measureThrottling(options);
  results.throttling = { options, median: figures, runs: all };
  section(`5. Throttling — ${figures.watches} watches at once, simulator allowing ${options.rateLimitPerSecond} requests/s (429 APIG.0308 beyond)`);
  table(
    ['notified', 'notified twice', 'dead-lettered', '429s', 'progress requests', 'drain s', 'least possible s'],
    [
      [
        figures.notified,
        figures.notifiedTwice,
        figures.deadLettered,
        figures.throttled,
        figures.progressRequests,
        figures.drainSeconds,
        figures.drainFloorSeconds,
      ],
    ],
  );
  const exact = all.every((run: ThrottlingFigures) => run.notified === run.watches && run.notifiedTwice === 0 && run.deadLettered === 0);
  check('throttling', 'throttled: each watch notified once, none dead-lettered', 'every run', exact ? 'yes' : 'no', exact);
}

if (only.has('pacing')) {
  const all: PacingFigures[] = [];
  for (let run = 0; run < runs; run += 1) all.push(await measurePacing());
  const figures = Object.fromEntries(Object.keys(all[0] as PacingFigures).map((key) => [key, median(all.map((run) => run[key] as number))])) as PacingFigures;
  results.pacing = { median: figures, runs: all };
  section(
    `6. Pacing — ${figures.outcomes} outcomes for one Slack webhook (one post per ${figures.paceMs} ms) in one batch, real time; medians of ${all.length}`,
  );
  table(
    ['invocation ms', 'sleeping would take ≥ ms', 'arrivals (distinct)', 'closest two arrivals ms', 'all arrived after s'],
    [[figures.invocationMs, figures.sleepingWouldTakeMs, `${figures.arrivals} (${figures.distinctArrivals})`, figures.minGapMs, figures.allArrivedSeconds]],
  );
  const slowest = Math.max(...all.map((run) => run.invocationMs));
  const closest = Math.min(...all.map((run) => run.minGapMs));
  const exact = all.every((run) => run.arrivals === run.outcomes && run.distinctArrivals === run.outcomes);
  check(
    'pacing',
    'ten Slack outcomes in one batch: the invocation returns',
    `< ${GOALS.pacingInvocationMs / 1000} s`,
    `${figures.invocationMs} ms (slowest ${slowest} ms)`,
    slowest < GOALS.pacingInvocationMs,
  );
  check('pacing', 'ten Slack outcomes: each arrives exactly once', 'every run', exact ? 'yes' : 'no', exact);
  check(
    'pacing',
    'ten Slack outcomes: never faster than the pace (arrival gaps)',
    `≥ ${figures.paceMs} ms`,
    `${closest} ms closest`,
    closest >= figures.paceMs - 100,
  );
}

if (only.has('pacing-containers')) {
  const figures = await measurePacingAcrossContainers();
  results.pacingContainers = figures;
  section(
    `6b. Pacing across containers — ${figures.containers} containers, ${figures.outcomes} outcomes for one Slack webhook that answers 429 faster than one post per ${figures.paceMs} ms, real time; one run`,
  );
  table(
    [
      'delivered (distinct)',
      '429s',
      'dead-lettered',
      'total s',
      'vs ideal',
      'in deliver s',
      'longest deliver ms',
      'invocations',
      'longest invocation ms',
      'closest two ms',
    ],
    [
      [
        `${figures.delivered} (${figures.distinctDelivered})`,
        figures.throttled,
        figures.deadLettered,
        figures.totalSeconds,
        `${figures.vsIdeal}×`,
        round(figures.inDeliverMs / 1000, 1),
        figures.longestDeliverMs,
        figures.invocations,
        figures.longestInvocationMs,
        figures.minGapMs,
      ],
    ],
  );
  const exact = figures.delivered === figures.outcomes && figures.distinctDelivered === figures.outcomes && figures.deadLettered === 0;
  check('pacing-containers', 'five containers, one Slack webhook: each outcome delivered exactly once', 'yes', exact ? 'yes' : 'no', exact);
  check(
    'pacing-containers',
    'five containers: total time against one post per pace',
    `≤ ${GOALS.pacingAcrossVsIdeal}×`,
    `${figures.vsIdeal}× (${figures.totalSeconds} s)`,
    figures.vsIdeal <= GOALS.pacingAcrossVsIdeal,
  );
  const throttledPercent = round((100 * figures.throttled) / Math.max(1, figures.delivered + figures.throttled), 1);
  check(
    'pacing-containers',
    'five containers: posts refused with 429',
    `≤ ${GOALS.pacingAcrossThrottledPercent} %`,
    `${throttledPercent} % (${figures.throttled})`,
    throttledPercent <= GOALS.pacingAcrossThrottledPercent,
  );
  // The notifier pauses only between two attempts of a call, at most MAX_INLINE_PAUSE_MS (1 s) after each refused post.
  const sleepBoundSeconds = figures.throttled;
  check(
    'pacing-containers',
    'five containers: no invocation sleeps for the pace (inline pauses, ≤ 1 s after each 429)',
    `≤ ${GOALS.pacingAcrossSleepSeconds} s`,
    `≤ ${sleepBoundSeconds} s (${figures.throttled} × 429)`,
    sleepBoundSeconds <= GOALS.pacingAcrossSleepSeconds,
  );
}

if (goals.length > 0) {
  section('Goals');
  table(
    ['goal', 'target', 'measured', ''],
    goals.map((goal) => [goal.goal, goal.target, goal.measured, goal.met ? 'met' : 'MISSED']),
  );
}
results.seconds = Math.round((performance.now() - startedMs) / 1000);
// Items not run keep their last figures and goals; the items run replace theirs.
const previous = await previousResults();
const keptGoals = ((previous.goals ?? []) as Goal[]).filter((goal) => goal.item !== undefined && !only.has(goal.item));
const measured = {
  ...((previous.measured ?? {}) as Record<string, unknown>),
  ...Object.fromEntries([...only].map((item) => [item, { at: results.generatedAt, commit: results.commit }])),
};
const merged = { ...previous, ...results, goals: [...keptGoals, ...goals], measured };
await mkdir(new URL('.', RESULTS_PATH), { recursive: true });
await writeFile(RESULTS_PATH, `${JSON.stringify(merged, null, 2)}\n`);
print(`\n${results.seconds} s; figures ${only.size === ITEMS.length ? 'written to' : 'merged into'} bench/results/latest.json`);

/** One schedule per row, each figure as the median (worst) of the held-out seeds; creation families also show the slowest success. */
function seedTable(summary: Record<string, SeedSummary>, { successMax }: { successMax: boolean }): void {
  const both = (row: SeedSummary, key: 'pollsPerWatch' | 'successLagP50' | 'successLagP95' | 'successLagMax' | 'failureLagP50' | 'failureLagP95') =>
    `${row.median[key]} (${row.worst[key]})`;
  table(
    ['schedule', 'polls/watch', 'vs 20 s', 'success p50', 'success p95', ...(successMax ? ['success max'] : []), 'failure p50', 'failure p95', 'longest gap'],
    Object.entries(summary).map(([name, row]) => [
      name,
      both(row, 'pollsPerWatch'),
      `${row.median.pollsVsFixed20Percent}% (${row.worst.pollsVsFixed20Percent}%)`,
      both(row, 'successLagP50'),
      both(row, 'successLagP95'),
      ...(successMax ? [both(row, 'successLagMax')] : []),
      both(row, 'failureLagP50'),
      both(row, 'failureLagP95'),
      row.worst.longestIntervalSeconds,
    ]),
  );
}

/** The success and failure lag goals of one family or operation, checked on the worst held-out seed. */
function checkLags(
  on: string,
  mid: SeedSummary['median'],
  worst: SeedSummary['worst'],
  goal: { successLagP95Seconds: number; failureLagP95Seconds: number },
): void {
  check(
    'efficiency',
    `success lag p95, ${on}`,
    `≤ ${goal.successLagP95Seconds} s`,
    `${mid.successLagP95} s (${worst.successLagP95} s)`,
    worst.successLagP95 <= goal.successLagP95Seconds,
  );
  check(
    'efficiency',
    `failure lag p95, ${on}`,
    `≤ ${goal.failureLagP95Seconds} s`,
    `${mid.failureLagP95} s (${worst.failureLagP95} s)`,
    worst.failureLagP95 <= goal.failureLagP95Seconds,
  );
}

function check(item: Item, goal: string, target: string, measured: string, met: boolean): void {
  goals.push({ item, goal, target, measured, met });
}

interface SeedSummary {
  median: EfficiencyRow;
  worst: EfficiencyRow;
}

/** Per schedule, each figure's median over the seeds and its worst (highest: polls, lags, gaps). */
function summariseSeeds(perSeed: readonly Record<string, EfficiencyRow>[]): Record<string, SeedSummary> {
  const names = Object.keys(perSeed[0] ?? {});
  return Object.fromEntries(
    names.map((name) => {
      const rows = perSeed.map((rowsOfSeed) => rowsOfSeed[name] as EfficiencyRow);
      const each = (pick: (values: number[]) => number) =>
        Object.fromEntries(Object.keys(rows[0] as EfficiencyRow).map((key) => [key, round(pick(rows.map((row) => row[key] as number)), 1)])) as EfficiencyRow;
      return [name, { median: each(median), worst: each((values) => Math.max(...values)) }];
    }),
  );
}

/** The last full results, or nothing: `--only` merges into them. */
async function previousResults(): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(RESULTS_PATH, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function section(title: string): void {
  print(`\n${title}`);
}

function table(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) =>
    `   ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ')}`;
  print(line(headers));
  print(`   ${widths.map((width) => '─'.repeat(width)).join('  ')}`);
  for (const row of cells.slice(1)) print(line(row));
}

/** Lambda's Node major too: `APIG_WATCH_LAMBDA_NODE`, else a `node@24` already in the npm cache (never downloaded here). */
function lambdaNode(): string[] {
  if (process.env.APIG_WATCH_LAMBDA_NODE) return [process.env.APIG_WATCH_LAMBDA_NODE];
  try {
    const found = execFileSync('npx', ['--offline', '--yes', '--package', 'node@24', '-c', 'command -v node'], {
      encoding: 'utf8',
      timeout: 20_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return found && found !== process.execPath ? [found] : [];
  } catch {
    return [];
  }
}

function gitCommit(): string | null {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return `${commit}${dirty ? ' (uncommitted changes)' : ''}`;
  } catch {
    return null;
  }
}
