import { adaptiveScheduleWith, PACE_MODELS } from '../lib/watch/schedule.js';
import { efficiencyFigures, fixedInterval, replayTraces } from './efficiency.js';
import { traceSetOf } from './traces.js';
const seeds = (process.env.SEEDS ?? '1,2,3').split(',').map(Number);
const unknown = { ...PACE_MODELS.unknown, ...JSON.parse(process.env.P ?? '{}') };
const schedule = adaptiveScheduleWith({ ...PACE_MODELS, unknown });
for (const seed of seeds) {
  const traces = traceSetOf('undocumented', seed).traces;
  const f20 = efficiencyFigures(await replayTraces(traces, fixedInterval(20), 0));
  const a = efficiencyFigures(await replayTraces(traces, schedule, 0));
  console.log(seed, 'polls%', Math.round(1000 * a.pollsPerWatch / f20.pollsPerWatch) / 10, 'succ p50', a.successLagP50, 'p95', a.successLagP95, 'fail p95', a.failureLagP95);
}
