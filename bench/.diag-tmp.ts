import { replayTraces } from './efficiency.js';
import { traceSetOf } from './traces.js';
const set = traceSetOf('undocumented', 1).traces;
const results = await replayTraces(set, undefined, 0);
const bad = results.map((r, i) => ({ r, t: set[i]! })).filter(({ r }) => r.status === 'success' && r.lagSeconds > 15);
console.log('success', results.filter(r => r.status==='success').length, 'lag>15', bad.length);
for (const { r, t } of bad.slice(0, 25)) console.log(Math.round(r.lagSeconds), 'polls', r.polls, 'dur', (t.finish.atMs/60000).toFixed(1), 'steps', t.steps.map(s => `${s.progress}@${(s.atMs/t.finish.atMs).toFixed(2)}`).join(' '), 'delay', Math.round(t.watchDelayMs/1000));
