/**
 * Writes a creation trace set:
 *
 *   node --import tsx bench/generate-traces.ts [--seed N] [--count N] [--out FILE]
 *     [--stage-spread σ] [--stage-shares 0.3,0.2,0.3,0.1,0.1]
 *
 * The committed `bench/traces.json` is seed 1 with the defaults. Other models test the schedule's
 * assumptions: `npm run bench -- --only efficiency --traces FILE`.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_STAGE_MODEL, DEFAULT_TRACE_COUNT, TRACE_SET_PATH, generateTraces } from './traces.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    count: { type: 'string', default: String(DEFAULT_TRACE_COUNT) },
    out: { type: 'string' },
    'stage-spread': { type: 'string', default: String(DEFAULT_STAGE_MODEL.stageSpread) },
    'stage-shares': { type: 'string', default: DEFAULT_STAGE_MODEL.stageShares.join(',') },
  },
});
const stageShares = values['stage-shares'].split(',').map(Number);
if (stageShares.length !== 5 || stageShares.some((share) => !(share > 0))) throw new Error('--stage-shares takes five positive numbers');
const set = generateTraces(Number(values.seed), Number(values.count), { stageShares, stageSpread: Number(values['stage-spread']) });
const out = values.out ?? TRACE_SET_PATH;
const { traces, ...header } = set;
// One trace per line: readable, and a diff shows which traces changed.
const lines = traces.map((trace) => `    ${JSON.stringify(trace)}`).join(',\n');
await writeFile(out, `${JSON.stringify(header, null, 2).slice(0, -2)},\n  "traces": [\n${lines}\n  ]\n}\n`);
const failures = set.traces.filter((trace) => trace.finish.status === 'failed').length;
console.log(`${set.traces.length} traces (seed ${set.seed}, ${failures} failing) written to ${String(out)}`);
