/**
 * Entry of the bench's child processes: `bench/child.ts <task> <input JSON>`, started by
 * `bench/children.ts` with an IPC channel. Each task reports through that channel and exits.
 */
import { parentChannel, type Channel } from './children.js';
import { runConcurrency } from './concurrency.js';
import { runPacing, runPacingAcrossContainers } from './pacing.js';
import { runPipelineHandler, runPipelineServers } from './pipeline.js';
import { runThrottling } from './throttling.js';

type Task = (input: never, parent: Channel) => Promise<void>;

const TASKS: Record<string, Task> = {
  'pipeline-servers': runPipelineServers,
  'pipeline-handler': runPipelineHandler,
  concurrency: runConcurrency,
  throttling: runThrottling,
  pacing: runPacing,
  'pacing-containers': runPacingAcrossContainers,
};

const [taskName = '', input = '{}'] = process.argv.slice(2);
const parent = parentChannel();
const task = TASKS[taskName];
let exitCode = 0;
try {
  if (task === undefined) throw new Error(`unknown bench task "${taskName}"`);
  await task(JSON.parse(input) as never, parent);
} catch (error) {
  exitCode = 1;
  parent.send({ type: 'error', message: `${taskName}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}` });
}
// The handler keeps sockets alive (keep-alive agents, SDK clients): leave once the last message is out.
process.send?.({ type: 'exit' }, () => process.exit(exitCode));
