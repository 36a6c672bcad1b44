import { measureEfficiency } from './efficiency.js';
import { traceSetOf, TRACE_FAMILIES } from './traces.js';
const seeds = (process.env.SEEDS ?? '1,2,3').split(',').map(Number);
const t = performance.now();
for (const family of TRACE_FAMILIES) {
  for (const seed of seeds) {
    const rows = await measureEfficiency(traceSetOf(family, seed).traces, 1);
    const a = rows.adaptive!;
    console.log(family.padEnd(13), seed, 'polls%', a.pollsVsFixed20Percent, 'succ p95', a.successLagP95, 'max', a.successLagMax, 'fail p95', a.failureLagP95, 'gap', a.longestIntervalSeconds);
  }
}
console.log('ms', Math.round(performance.now() - t));
